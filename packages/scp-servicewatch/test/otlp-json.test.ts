import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { emptyEncodedRecord, logEntryFromReadableLogRecord, toOtlpAnyValue, type LogEntry } from '@otel-cloud-logs/core';
import { encodeServiceWatchRecord, otlpAnyValueJson, otlpLogRecordJson, toOtlpLogRecord } from '@otel-cloud-logs/scp-servicewatch';
import { describe, expect, it } from 'vitest';
import { entry } from './helpers.ts';

/** Sorts key-value lists by key so that attribute order does not matter. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((item) => typeof item === 'object' && item !== null && 'key' in item)
      ? items.sort((a, b) => String((a as { key: string }).key).localeCompare(String((b as { key: string }).key)))
      : items;
  }
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v)]));
  return value;
}

const LIMITS = { maxRequestBytes: 1_048_576, maxEventBytes: 1_000_000 };

describe('OTLP/JSON log records, written directly', () => {
  it('are written the way @opentelemetry/otlp-transformer writes them, and the fragment is that JSON byte for byte', async () => {
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const logger = provider.getLogger('scope', '1.0.0');
    logger.emit({ body: 'plain', severityNumber: 9, severityText: 'INFO', timestamp: 1_795_357_570_872 });
    logger.emit({ body: { nested: [1, 2.5, 'x', true], bytes: new Uint8Array([1, 2, 3]) }, attributes: { b: 'v', a: 7, big: 2 ** 60, list: ['x', 'y'] }, eventName: 'evt' });
    logger.emit({ body: '한국어 😀 "quoted"\n', attributes: { 'http.status_code': 200 } });
    await provider.forceFlush();
    const records = memory.getFinishedLogRecords();
    expect(records).toHaveLength(3);
    const out = emptyEncodedRecord();
    for (const record of records) {
      const official = JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest([record]))).resourceLogs[0].scopeLogs[0].logRecords[0];
      delete official.droppedAttributesCount;
      if (official.attributes?.length === 0) delete official.attributes;
      const logEntry = logEntryFromReadableLogRecord(record, { accountId: 'a', logGroup: 'g', logStream: 's' });
      expect(canonical(toOtlpLogRecord(logEntry))).toEqual(canonical(official));
      expect(encodeServiceWatchRecord(logEntry, LIMITS, out)).toBeUndefined();
      expect(out.fragment).toBe(JSON.stringify(toOtlpLogRecord(logEntry)));
      expect([out.size, out.fragmentBytes]).toEqual([Buffer.byteLength(out.fragment), Buffer.byteLength(out.fragment)]);
    }
  });

  it('equals JSON.stringify of the record objects for every kind of value, odd ones included', () => {
    const sparse: unknown[] = [1];
    sparse[3] = 'x';
    const values: unknown[] = [
      '',
      'é😀"\\\n\u0001\u2028',
      '\ud800 lone surrogate',
      true,
      false,
      0,
      -0,
      42,
      -7.25,
      1e21,
      2 ** 60,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      12345678901234567890n,
      undefined,
      null,
      new Uint8Array([0, 255, 128]),
      Buffer.from('bytes'),
      [],
      [1, 'two', [3], { four: 4 }, null, undefined],
      sparse,
      {},
      { z: 1, a: { nested: ['deep', { deeper: true }] }, 'key "quoted"': 'v', 한: '글' },
      new Date(0),
      new Map([['k', 'v']]),
      new Float64Array([1.5]),
      Symbol('s'),
    ];
    for (const value of values) expect(otlpAnyValueJson(value), String(typeof value)).toBe(JSON.stringify(toOtlpAnyValue(value)));

    const records: Array<Partial<LogEntry>> = [
      { body: undefined },
      { body: null },
      { body: { b: [1, 2], a: 'x' }, attributes: { z: 1, a: [true, 2.5], m: { k: 'v' }, 'http.method': 'GET', log_stream_value: 'routed' } },
      { severityNumber: 17, severityText: 'ERROR', eventName: 'evt', observedTimeUnixNano: 1_795_357_570_873_000_000n },
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
      { traceFlags: 0, traceId: '', spanId: '', eventName: '' },
      { severityNumber: Number.NaN },
      { severityText: (() => 'not a string') as unknown as string },
    ];
    for (const overrides of records) {
      const logEntry = entry(overrides);
      expect(otlpLogRecordJson(logEntry)).toBe(JSON.stringify(toOtlpLogRecord(logEntry)));
    }
  });

  it('gives a record without a body an empty string body, as the documented shape has', () => {
    for (const body of [undefined, null]) {
      expect(toOtlpLogRecord(entry({ body }))).toEqual({ timeUnixNano: '1795357570872000001', body: { stringValue: '' } });
      expect(otlpLogRecordJson(entry({ body }))).toBe('{"timeUnixNano":"1795357570872000001","body":{"stringValue":""}}');
    }
    expect(toOtlpLogRecord(entry({ body: '' })).body).toEqual({ stringValue: '' });
  });
});
