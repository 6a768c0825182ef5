import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { logEntryFromReadableLogRecord, logEntriesFromOtlpJson, type LogEntry } from '@otel-cloud-logs/core';
import {
  createCustomLogEventsBody,
  toCreateCustomLogEventsBody,
  toOtlpLogRecord,
  toServiceWatchEvent,
  truncateServiceWatchEvent,
  truncationMarker,
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

  it('truncates the body at a UTF-8 boundary, JSON escapes included, with a visible marker', () => {
    const text = 'é😀"\n\u0001'.repeat(2_000);
    const marker = truncationMarker(Buffer.byteLength(text));
    expect(marker).toBe('…[truncated by otel-cloud-logs: 18000 bytes]');
    const event = toServiceWatchEvent(entry({ body: text, attributes: { k: 'v' } }));
    for (const max of [300, 301, 302, 303, 1_000, 4_097]) {
      const cut = truncateServiceWatchEvent(event, max)!;
      expect(cut.size).toBeLessThanOrEqual(max);
      expect(cut.size).toBeGreaterThan(max - 12);
      expect(cut.size).toBe(Buffer.byteLength(cut.json));
      const parsed = JSON.parse(cut.json) as { body: { stringValue: string }; attributes: unknown };
      expect(parsed.body.stringValue.endsWith(marker)).toBe(true);
      expect(text.startsWith(parsed.body.stringValue.slice(0, -marker.length))).toBe(true);
      expect(parsed.attributes).toEqual([{ key: 'k', value: { stringValue: 'v' } }]);
    }
    const structured = truncateServiceWatchEvent(toServiceWatchEvent(entry({ body: { big: 'x'.repeat(5_000) } })), 500)!;
    expect(JSON.parse(structured.json).body.stringValue).toMatch(/^\{"big":"xxx.*…\[truncated by otel-cloud-logs: 5010 bytes\]$/);
  });

  it('cuts huge attribute values too when the attributes alone are over the limit, keeping short values whole', () => {
    const huge = '값😀'.repeat(2_000); // 14,000 bytes, surrogate pairs included
    const event = toServiceWatchEvent(entry({ body: 'short message', attributes: { huge, list: Array.from({ length: 300 }, (_, i) => `item-${i}`), user: 'kim', n: 42 } }));
    const cut = truncateServiceWatchEvent(event, 2_000)!;
    expect(cut.size).toBeLessThanOrEqual(2_000);
    expect(cut.size).toBeGreaterThan(2_000 - 100);
    expect(cut.size).toBe(Buffer.byteLength(cut.json));
    const record = JSON.parse(cut.json) as { body: unknown; attributes: Array<{ key: string; value: { stringValue?: string } }> };
    expect(record.body).toEqual({ stringValue: 'short message' });
    const attributes = Object.fromEntries(record.attributes.map((kv) => [kv.key, kv.value]));
    expect(attributes.user).toEqual({ stringValue: 'kim' });
    expect(attributes.n).toEqual({ intValue: 42 });
    const hugeCut = attributes.huge!.stringValue!;
    expect(hugeCut.endsWith(truncationMarker(14_000))).toBe(true);
    const hugePrefix = hugeCut.slice(0, -truncationMarker(14_000).length);
    expect(huge.startsWith(hugePrefix)).toBe(true);
    expect(Buffer.from(hugePrefix).toString()).toBe(hugePrefix); // no half surrogate pair
    // A non-string value is cut from its JSON text, like a structured body.
    const listText = JSON.stringify(Array.from({ length: 300 }, (_, i) => `item-${i}`));
    const listCut = attributes.list!.stringValue!;
    expect(listCut.endsWith(truncationMarker(Buffer.byteLength(listText)))).toBe(true);
    const listPrefix = listCut.slice(0, -truncationMarker(Buffer.byteLength(listText)).length);
    expect(listText.startsWith(listPrefix)).toBe(true);
    // Both cut to the same length (the emoji one may stop one unit short rather than split a surrogate pair).
    expect(listPrefix.length - hugePrefix.length).toBeGreaterThanOrEqual(0);
    expect(listPrefix.length - hugePrefix.length).toBeLessThanOrEqual(1);
  });

  it('cuts the body and every huge attribute to a common length, and gives up only when keys alone do not fit', () => {
    const body = 'b'.repeat(50_000);
    const event = toServiceWatchEvent(entry({ body, attributes: { first: 'f'.repeat(30_000), second: 's'.repeat(90_000), tiny: 't' } }));
    const cut = truncateServiceWatchEvent(event, 10_000)!;
    expect(cut.size).toBeLessThanOrEqual(10_000);
    const record = JSON.parse(cut.json) as { body: { stringValue: string }; attributes: Array<{ key: string; value: { stringValue: string } }> };
    const kept = [record.body.stringValue, ...record.attributes.slice(0, 2).map((kv) => kv.value.stringValue)].map((value) => value.split('…')[0]!.length);
    expect(new Set(kept).size).toBe(1);
    expect(kept[0]).toBeGreaterThan(3_000);
    expect(record.attributes[2]).toEqual({ key: 'tiny', value: { stringValue: 't' } });

    const manyKeys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`attribute-key-${i}`, 'v']));
    expect(truncateServiceWatchEvent(toServiceWatchEvent(entry({ attributes: manyKeys })), 1_000)).toBeUndefined();
  });

  it('gives a record without a body an empty string body, as the documented shape has', () => {
    for (const body of [undefined, null]) {
      expect(toOtlpLogRecord(entry({ body }))).toEqual({ timeUnixNano: '1795357570872000001', body: { stringValue: '' } });
    }
    expect(toOtlpLogRecord(entry({ body: '' })).body).toEqual({ stringValue: '' });
  });

  it('refuses incomplete or mixed destinations', () => {
    expect(() => toCreateCustomLogEventsBody([entry({ destination: { ...destination, accountId: '' } })])).toThrow(/account_id missing/);
    expect(() => toCreateCustomLogEventsBody([entry(), entry({ destination: { ...destination, logStream: 'other' } })])).toThrow(/several destinations/);
  });
});
