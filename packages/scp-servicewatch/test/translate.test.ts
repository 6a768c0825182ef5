import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { logEntryFromReadableLogRecord, logEntriesFromOtlpJson, type LogEntry } from '@otel-cloud-logs/core';
import {
  TRUNCATION_MARKER,
  createCustomLogEventsBody,
  toCreateCustomLogEventsBody,
  toOtlpLogRecord,
  toServiceWatchEvent,
  truncateServiceWatchEvent,
} from '@otel-cloud-logs/scp-servicewatch';
import { describe, expect, it } from 'vitest';
import { SEED_000_REQUEST } from './seed.ts';

const destination = { accountId: 'acc', logGroup: 'group', logStream: 'stream' };

function entry(overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    timeUnixNano: 1_795_357_570_872_000_001n,
    timeMillis: 1_795_357_570_872,
    body: 'hello',
    attributes: {},
    resource: { 'service.name': 'svc', log_stream_value: 'from-resource' },
    destination,
    ...overrides,
  };
}

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

describe('translation to CreateCustomLogEvents', () => {
  it('turns the seed request into exactly the same body', () => {
    const body = toCreateCustomLogEventsBody(logEntriesFromOtlpJson(SEED_000_REQUEST));
    expect(JSON.parse(body)).toEqual(SEED_000_REQUEST);
  });

  it('writes each record the way @opentelemetry/otlp-transformer does', async () => {
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const logger = provider.getLogger('scope', '1.0.0');
    logger.emit({ body: 'plain', severityNumber: 9, severityText: 'INFO', timestamp: 1_795_357_570_872 });
    logger.emit({ body: { nested: [1, 2.5, 'x', true], bytes: new Uint8Array([1, 2, 3]) }, attributes: { b: 'v', a: 7, big: 2 ** 60, list: ['x', 'y'] }, eventName: 'evt' });
    logger.emit({ body: '한국어 😀 "quoted"\n', attributes: { 'http.status_code': 200 } });
    await provider.forceFlush();
    const records = memory.getFinishedLogRecords();
    expect(records).toHaveLength(3);
    for (const record of records) {
      const official = JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest([record]))).resourceLogs[0].scopeLogs[0].logRecords[0];
      delete official.droppedAttributesCount;
      if (official.attributes?.length === 0) delete official.attributes;
      expect(canonical(toOtlpLogRecord(logEntryFromReadableLogRecord(record)))).toEqual(canonical(official));
    }
  });

  it('puts the routing attributes first in the resource, once, and sizes are exact', () => {
    const events = ['a', 'ü'.repeat(50), '😀 "x"', 'last'].map((body, i) => toServiceWatchEvent(entry({ body, attributes: { i } })));
    for (const event of events) expect(event.size).toBe(Buffer.byteLength(event.json));
    const body = createCustomLogEventsBody(destination, events);
    const parsed = JSON.parse(body);
    expect(parsed.resourceLogs).toHaveLength(1);
    expect(parsed.resourceLogs[0].resource.attributes).toEqual([
      { key: 'log_stream_value', value: { stringValue: 'stream' } },
      { key: 'log_group_value', value: { stringValue: 'group' } },
      { key: 'account_id', value: { stringValue: 'acc' } },
      { key: 'service.name', value: { stringValue: 'svc' } },
    ]);
    expect(parsed.resourceLogs[0].scopeLogs[0].logRecords.map((r: { body: { stringValue: string } }) => r.body.stringValue)).toEqual(['a', 'ü'.repeat(50), '😀 "x"', 'last']);
    expect(parsed.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano).toBe('1795357570872000001');
    // The body is a constant envelope plus each record and one comma between records.
    const envelope = Buffer.byteLength(createCustomLogEventsBody(destination, [events[0]!])) - events[0]!.size;
    expect(Buffer.byteLength(body)).toBe(envelope + events.reduce((sum, e) => sum + e.size, 0) + events.length - 1);
  });

  it('keeps records of different resources and scopes apart, each resource with the routing attributes', () => {
    const events = [
      toServiceWatchEvent(entry({ scope: { name: 's1' } })),
      toServiceWatchEvent(entry({ resource: { 'service.name': 'other' }, scope: { name: 's1' } })),
      toServiceWatchEvent(entry({ scope: { name: 's2', version: '2' } })),
    ];
    const parsed = JSON.parse(createCustomLogEventsBody(destination, events));
    expect(parsed.resourceLogs).toHaveLength(2);
    for (const resourceLogs of parsed.resourceLogs) expect(resourceLogs.resource.attributes.slice(0, 3).map((a: { key: string }) => a.key)).toEqual(['log_stream_value', 'log_group_value', 'account_id']);
    expect(parsed.resourceLogs[0].scopeLogs.map((s: { scope: unknown }) => s.scope)).toEqual([{ name: 's1' }, { name: 's2', version: '2' }]);
  });

  it('truncates at a UTF-8 boundary, JSON escapes included, with a visible marker', () => {
    const text = 'é😀"\n\u0001'.repeat(2_000);
    const event = toServiceWatchEvent(entry({ body: text, attributes: { k: 'v' } }));
    for (const max of [300, 301, 302, 303, 1_000, 4_097]) {
      const cut = truncateServiceWatchEvent(event, max)!;
      expect(cut.size).toBeLessThanOrEqual(max);
      expect(cut.size).toBeGreaterThan(max - 12);
      expect(cut.size).toBe(Buffer.byteLength(cut.json));
      const bodyText = (JSON.parse(cut.json) as { body: { stringValue: string } }).body.stringValue;
      expect(bodyText.endsWith(TRUNCATION_MARKER)).toBe(true);
      expect(text.startsWith(bodyText.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
    }
    const structured = truncateServiceWatchEvent(toServiceWatchEvent(entry({ body: { big: 'x'.repeat(5_000) } })), 500)!;
    expect(JSON.parse(structured.json).body.stringValue).toMatch(/^\{"big":"xxx.*…\[truncated\]$/);
    expect(truncateServiceWatchEvent(toServiceWatchEvent(entry({ attributes: { huge: 'x'.repeat(1_000) } })), 500)).toBeUndefined();
  });

  it('refuses incomplete or mixed destinations', () => {
    expect(() => toCreateCustomLogEventsBody([entry({ destination: { ...destination, accountId: '' } })])).toThrow(/account_id missing/);
    expect(() => toCreateCustomLogEventsBody([entry(), entry({ destination: { ...destination, logStream: 'other' } })])).toThrow(/several destinations/);
  });
});
