import { emptyEncodedRecord, type LogEntry } from '@otel-cloud-logs/core';
import { createCustomLogEventsFrame, encodeTruncatedServiceWatchRecord, truncationMarker } from '@otel-cloud-logs/scp-servicewatch';
import { describe, expect, it } from 'vitest';
import { DESTINATION, entry } from './helpers.ts';

const MAX_BODY = 1_048_576;

/** The entry cut to `maxSize`, as the planner has it cut; undefined when it cannot be. */
function cut(logEntry: LogEntry, maxSize: number, maxRequestBytes = MAX_BODY) {
  const out = emptyEncodedRecord();
  if (!encodeTruncatedServiceWatchRecord(logEntry, maxSize, maxRequestBytes, out)) return undefined;
  expect(out.size).toBe(Buffer.byteLength(out.fragment));
  expect(out.fragmentBytes).toBe(out.size);
  return { size: out.size, record: JSON.parse(out.fragment) as { body: { stringValue: string }; attributes: Array<{ key: string; value: { stringValue?: string } }> } };
}

type KeyValue = { key: string; value: { stringValue?: string; intValue?: number; arrayValue?: { values: Array<{ stringValue?: string; intValue?: number }> } } };

describe('truncation of oversize records', () => {
  it('truncates the body at a UTF-8 boundary, JSON escapes included, with a visible marker', () => {
    const text = 'é😀"\n\u0001'.repeat(2_000);
    const marker = truncationMarker(Buffer.byteLength(text));
    expect(marker).toBe('…[truncated by otel-cloud-logs: 18000 bytes]');
    const logEntry = entry({ body: text, attributes: { k: 'v' } });
    for (const max of [300, 301, 302, 303, 1_000, 4_097]) {
      const { size, record } = cut(logEntry, max)!;
      expect(size).toBeLessThanOrEqual(max);
      expect(size).toBeGreaterThan(max - 6);
      expect(record.body.stringValue.endsWith(marker)).toBe(true);
      expect(text.startsWith(record.body.stringValue.slice(0, -marker.length))).toBe(true);
      expect(record.attributes).toEqual([{ key: 'k', value: { stringValue: 'v' } }]);
    }
    // A structured body keeps its OTLP structure: its string values are cut.
    const structured = cut(entry({ body: { big: 'x'.repeat(5_000) } }), 500)!.record as unknown as { body: { kvlistValue: { values: KeyValue[] } } };
    expect(structured.body.kvlistValue.values[0]!.key).toBe('big');
    expect(structured.body.kvlistValue.values[0]!.value.stringValue).toMatch(/^x+…\[truncated by otel-cloud-logs: 5000 bytes\]$/);
  });

  it('cuts huge attribute values and keys too, keeping short values whole and lists as lists', () => {
    const huge = '값😀'.repeat(2_000); // 14,000 bytes, surrogate pairs included
    const list = Array.from({ length: 300 }, (_, i) => `item-${i}`);
    const { size, record } = cut(entry({ body: 'short message', attributes: { huge, list, user: 'kim', n: 42, ['key'.repeat(2_000)]: 1 } }), 2_000)!;
    expect(size).toBeLessThanOrEqual(2_000);
    expect(size).toBeGreaterThan(2_000 - 100);
    expect(record.body).toEqual({ stringValue: 'short message' });
    const attributes = Object.fromEntries((record.attributes as KeyValue[]).map((kv) => [kv.key, kv.value]));
    expect(attributes.user).toEqual({ stringValue: 'kim' });
    expect(attributes.n).toEqual({ intValue: 42 });
    const hugeCut = attributes.huge!.stringValue!;
    expect(hugeCut.endsWith(truncationMarker(14_000))).toBe(true);
    const hugePrefix = hugeCut.slice(0, -truncationMarker(14_000).length);
    expect(huge.startsWith(hugePrefix)).toBe(true);
    expect(Buffer.from(hugePrefix).toString()).toBe(hugePrefix); // no half surrogate pair
    const cutKey = Object.keys(attributes).find((key) => key.startsWith('key'))!;
    expect(cutKey).toMatch(/^(key)+k?e?…\[truncated by otel-cloud-logs: 6000 bytes\]$/);
    // The list stays an arrayValue: its first items, then one stringValue counting the ones dropped.
    const items = attributes.list!.arrayValue!.values;
    expect(items.slice(0, 2)).toEqual([{ stringValue: 'item-0' }, { stringValue: 'item-1' }]);
    expect(items.at(-1)).toEqual({ stringValue: `…[truncated by otel-cloud-logs: ${301 - items.length} entries dropped]` });
  });

  it('cuts the body and every huge attribute to a common length; many attributes are dropped for one counting them', () => {
    const { size, record } = cut(entry({ body: 'b'.repeat(50_000), attributes: { first: 'f'.repeat(30_000), second: 's'.repeat(90_000), tiny: 't' } }), 10_000)!;
    expect(size).toBeLessThanOrEqual(10_000);
    const kept = [record.body.stringValue, ...record.attributes.slice(0, 2).map((kv) => kv.value.stringValue!)].map((value) => value.split('…')[0]!.length);
    expect(Math.max(...kept) - Math.min(...kept)).toBeLessThan(10);
    expect(kept[0]).toBeGreaterThan(3_000);
    expect(record.attributes[2]).toEqual({ key: 'tiny', value: { stringValue: 't' } });

    const manyKeys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`attribute-key-${i}`, 'v']));
    const many = cut(entry({ attributes: manyKeys }), 1_000)!;
    expect(many.size).toBeLessThanOrEqual(1_000);
    const last = many.record.attributes.at(-1)!;
    expect(last.key).toBe('otel_cloud_logs.truncated');
    expect(last.value.stringValue).toBe(`…[truncated by otel-cloud-logs: ${201 - many.record.attributes.length} entries dropped]`);
    expect(cut(entry({ attributes: manyKeys }), 150)).toBeUndefined(); // not even the record's own fields fit
  });

  it('cuts a record to what its request leaves beside a large resource, not only to the event limit', () => {
    const logEntry = entry({ body: 'b'.repeat(20_000), resource: { 'service.name': 'svc', 'host.tags': 'h'.repeat(3_000) } });
    const frame = createCustomLogEventsFrame(DESTINATION, logEntry, 0);
    const envelope = frame.head.length + frame.tail.length;
    const maxRequestBytes = envelope + 1_500;
    const { size, record } = cut(logEntry, 10_000, maxRequestBytes)!;
    expect(size).toBeLessThanOrEqual(1_500);
    expect(size).toBeGreaterThan(1_500 - 12);
    expect(record.body.stringValue.endsWith(truncationMarker(20_000))).toBe(true);
    expect(cut(logEntry, 10_000, envelope + 50)).toBeUndefined();
  });
});
