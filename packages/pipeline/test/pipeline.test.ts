import { describe, expect, it, vi } from 'vitest';
import { logs, SeverityNumber } from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createPipeline, destinationProcessor, filterProcessor, redactionProcessor } from '../src/index.ts';
import { entry } from './entries.ts';
import { RecordingExporter } from './recording-exporter.ts';

describe('createPipeline', () => {
  it('runs SDK records through the processors into each exporter, with the destination resolved per exporter', async () => {
    const primary = new RecordingExporter('primary');
    const audit = new RecordingExporter('audit', { logGroup: 'audit-group', logStream: 'audit-stream' });
    const pipeline = createPipeline({
      processors: [filterProcessor({ include: { minSeverity: 'INFO' } }), redactionProcessor(), destinationProcessor({ logStream: '{service.name}-{tenant:-shared}' })],
      exporters: [primary, audit],
      scheduledDelayMillis: 20,
    });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), processors: [pipeline] });
    const logger = provider.getLogger('test');
    logger.emit({ severityNumber: SeverityNumber.DEBUG, body: 'noise' });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'mail to a@example.com', attributes: { tenant: 'acme' } });
    logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'boom', attributes: { log_group_value: 'errors' } });
    await provider.forceFlush();

    expect(primary.events().map((event) => [event.message, event.destination.logGroup, event.destination.logStream])).toEqual([
      ['mail to [REDACTED:email]', 'default-group', 'shop-acme'],
      ['boom', 'errors', 'shop-shared'],
    ]);
    expect(audit.events().map((event) => [event.message, event.destination.logGroup])).toEqual([
      ['mail to [REDACTED:email]', 'audit-group'],
      ['boom', 'errors'],
    ]);
    expect(pipeline.stats()).toMatchObject({ received: 3, forwarded: 2, dropped: { filter: 1 }, refused: 0 });
    await provider.shutdown();
  });

  it('routes by condition: first matching route, else the default exporters, else counted as no_route', async () => {
    const errors = new RecordingExporter('errors');
    const everything = new RecordingExporter('everything');
    const routed = createPipeline({ routes: [{ when: { minSeverity: 'ERROR' }, exporters: [errors] }], exporters: [everything], scheduledDelayMillis: 10 });
    routed.process(entry({ severityNumber: SeverityNumber.ERROR, body: 'e' }));
    routed.process(entry({ severityNumber: SeverityNumber.INFO, body: 'i' }));
    await routed.forceFlush();
    expect(errors.events().map((event) => event.message)).toEqual(['e']);
    expect(everything.events().map((event) => event.message)).toEqual(['i']);

    const onlyErrors = createPipeline({ routes: [{ when: { minSeverity: 'ERROR' }, exporters: [new RecordingExporter('x')] }] });
    expect(onlyErrors.process(entry({ severityNumber: SeverityNumber.INFO }))).toEqual({ status: 'dropped', reason: 'no_route' });
    expect(onlyErrors.stats().dropped).toEqual({ no_route: 1 });
    await Promise.all([routed.shutdown(), onlyErrors.shutdown()]);
  });

  it('keeps delivering to the other exporters while one is stalled', async () => {
    const stalled = new RecordingExporter('stalled');
    const healthy = new RecordingExporter('healthy');
    stalled.hold();
    const pipeline = createPipeline({ exporters: [stalled, healthy], scheduledDelayMillis: 10, shutdownTimeoutMillis: 2_000 });
    for (let i = 0; i < 5; i++) pipeline.process(entry({ body: `record ${i}` }));
    await vi.waitFor(() => expect(healthy.events()).toHaveLength(5), { timeout: 5_000 });
    expect(stalled.events()).toHaveLength(0);
    stalled.resume();
    await pipeline.forceFlush();
    expect(stalled.events()).toHaveLength(5);
    await pipeline.shutdown();
  });

  it('reports a record every exporter refused, and counts why in the exporter', async () => {
    const exporter = new RecordingExporter('strict', {});
    const pipeline = createPipeline({ exporters: [exporter] });
    expect(pipeline.process(entry({ body: 'no group' }))).toEqual({ status: 'dropped', reason: 'refused' });
    expect(pipeline.process(entry({ body: '', attributes: { log_group_value: 'g' } }))).toEqual({ status: 'dropped', reason: 'refused' });
    expect(exporter.metrics.snapshot().dropped).toEqual({ invalid_destination: 1, empty_message: 1 });
    expect(pipeline.stats().refused).toBe(2);
    await pipeline.shutdown();
    expect(pipeline.process(entry({ body: 'late', attributes: { log_group_value: 'g' } }))).toEqual({ status: 'dropped', reason: 'shutdown' });
    expect(exporter.metrics.snapshot().dropped.shutdown).toBe(1);
  });

  it('counts a processor that throws as a drop under its name', async () => {
    const exporter = new RecordingExporter('x');
    const pipeline = createPipeline({
      processors: [{ name: 'broken', process: () => { throw new Error('bug'); } }],
      exporters: [exporter],
    });
    expect(pipeline.process(entry({}))).toEqual({ status: 'dropped', reason: 'broken:error' });
    expect(pipeline.stats().dropped).toEqual({ 'broken:error': 1 });
    await pipeline.shutdown();
  });

  it('needs at least one exporter', () => {
    expect(() => createPipeline({ processors: [] })).toThrow(/at least one exporter/);
  });
});

// The pipeline is an ordinary LogRecordProcessor: the global API reaches it once the provider is registered.
describe('global logger', () => {
  it('delivers through logs.getLogger once the provider is set globally', async () => {
    const exporter = new RecordingExporter('global');
    const pipeline = createPipeline({ exporters: [exporter], scheduledDelayMillis: 10 });
    const provider = new LoggerProvider({ processors: [pipeline] });
    logs.setGlobalLoggerProvider(provider);
    logs.getLogger('x').emit({ body: 'via api' });
    await provider.forceFlush();
    expect(exporter.events().map((event) => event.message)).toEqual(['via api']);
    await provider.shutdown();
    logs.disable();
  });
});
