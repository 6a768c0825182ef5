import { createRequire } from 'node:module';
import { afterEach, describe, expect, test } from 'vitest';
import { logs as apiLogsOfApi } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { bridgeApiLogs, type ApiLogsGlobal } from '../src/api-logs-bridge.ts';

// Core must not depend on @opentelemetry/api-logs; the examples workspace does, so the real package is loaded from there.
const requireFromExamples = createRequire(new URL('../../../examples/package.json', import.meta.url));
const apiLogs = (requireFromExamples('@opentelemetry/api-logs') as { logs: ApiLogsGlobal & { getLogger(name: string): { emit(record: object): void } } }).logs;

function memoryProvider() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  return { exporter, provider, bodies: () => exporter.getFinishedLogRecords().map((record) => record.body) };
}

afterEach(() => {
  apiLogs.disable();
  apiLogsOfApi.disable();
});

describe('bridgeApiLogs', () => {
  test('records emitted through @opentelemetry/api-logs reach the given provider with their fields', () => {
    const { provider, bodies, exporter } = memoryProvider();
    bridgeApiLogs(apiLogs, provider);
    apiLogs.getLogger('winston').emit({ body: 'héllo', severityNumber: 17, severityText: 'error', attributes: { user: 'ana' } });
    expect(bodies()).toEqual(['héllo']);
    const record = exporter.getFinishedLogRecords()[0];
    expect(record.severityNumber).toBe(17);
    expect(record.severityText).toBe('error');
    expect(record.attributes).toEqual({ user: 'ana' });
    expect(record.instrumentationScope.name).toBe('winston');
  });

  test('loggers taken before the bridge existed are reached too', () => {
    const early = apiLogs.getLogger('early');
    early.emit({ body: 'before the bridge' });
    const { provider, bodies } = memoryProvider();
    bridgeApiLogs(apiLogs, provider);
    early.emit({ body: 'after the bridge' });
    expect(bodies()).toEqual(['after the bridge']);
  });

  test('without a target, forwards to the provider registered with @opentelemetry/api, even one registered later', () => {
    bridgeApiLogs(apiLogs);
    const logger = apiLogs.getLogger('app');
    const { provider, bodies } = memoryProvider();
    apiLogsOfApi.setGlobalLoggerProvider(provider);
    logger.emit({ body: 'via the api global' });
    expect(bodies()).toEqual(['via the api global']);
  });

  test('refuses to hide a provider someone else registered with api-logs', () => {
    const theirs = memoryProvider();
    apiLogs.setGlobalLoggerProvider(theirs.provider);
    expect(() => bridgeApiLogs(apiLogs, memoryProvider().provider)).toThrow(/another LoggerProvider is already registered.*logs\.disable\(\)/);
    apiLogs.getLogger('x').emit({ body: 'still theirs' });
    expect(theirs.bodies()).toEqual(['still theirs']);
  });

  test('a second bridge replaces the first, and removing it stops forwarding', () => {
    const first = memoryProvider();
    const second = memoryProvider();
    bridgeApiLogs(apiLogs, first.provider);
    const remove = bridgeApiLogs(apiLogs, second.provider);
    apiLogs.getLogger('x').emit({ body: 'one' });
    remove();
    apiLogs.getLogger('x').emit({ body: 'two' });
    expect(first.bodies()).toEqual([]);
    expect(second.bodies()).toEqual(['one']);
  });

  test('explains what to pass when given something else', () => {
    expect(() => bridgeApiLogs({} as ApiLogsGlobal)).toThrow(/pass the `logs` export of '@opentelemetry\/api-logs'/);
    expect(() => bridgeApiLogs(apiLogs, {} as LoggerProvider)).toThrow(/target must be a LoggerProvider/);
  });
});
