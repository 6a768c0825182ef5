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

describe('truncation of oversize records', () => {
  it('truncates the body at a UTF-8 boundary, JSON escapes included, with a visible marker', () => {
    const text = 'é😀"\n\u0001'.repeat(2_000);
    const marker = truncationMarker(Buffer.byteLength(text));
    expect(marker).toBe('…[truncated by otel-cloud-logs: 18000 bytes]');
    const logEntry = entry({ body: text, attributes: { k: 'v' } });
    for (const max of [300, 301, 302, 303, 1_000, 4_097]) {
      const { size, record } = cut(logEntry, max)!;
      expect(size).toBeLessThanOrEqual(max);
      expect(size).toBeGreaterThan(max - 12);
      expect(record.body.stringValue.endsWith(marker)).toBe(true);
      expect(text.startsWith(record.body.stringValue.slice(0, -marker.length))).toBe(true);
      expect(record.attributes).toEqual([{ key: 'k', value: { stringValue: 'v' } }]);
    }
    const structured = cut(entry({ body: { big: 'x'.repeat(5_000) } }), 500)!;
    expect(structured.record.body.stringValue).toMatch(/^\{"big":"xxx.*…\[truncated by otel-cloud-logs: 5010 bytes\]$/);
  });

  it('cuts huge attribute values too when the attributes alone are over the limit, keeping short values whole', () => {
    const huge = '값😀'.repeat(2_000); // 14,000 bytes, surrogate pairs included
    const list = Array.from({ length: 300 }, (_, i) => `item-${i}`);
    const { size, record } = cut(entry({ body: 'short message', attributes: { huge, list, user: 'kim', n: 42 } }), 2_000)!;
    expect(size).toBeLessThanOrEqual(2_000);
    expect(size).toBeGreaterThan(2_000 - 100);
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
    const listText = JSON.stringify(list);
    const listCut = attributes.list!.stringValue!;
    expect(listCut.endsWith(truncationMarker(Buffer.byteLength(listText)))).toBe(true);
    const listPrefix = listCut.slice(0, -truncationMarker(Buffer.byteLength(listText)).length);
    expect(listText.startsWith(listPrefix)).toBe(true);
    // Both cut to the same length (the emoji one may stop one unit short rather than split a surrogate pair).
    expect(listPrefix.length - hugePrefix.length).toBeGreaterThanOrEqual(0);
    expect(listPrefix.length - hugePrefix.length).toBeLessThanOrEqual(1);
  });

  it('cuts the body and every huge attribute to a common length, and gives up only when keys alone do not fit', () => {
    const { size, record } = cut(entry({ body: 'b'.repeat(50_000), attributes: { first: 'f'.repeat(30_000), second: 's'.repeat(90_000), tiny: 't' } }), 10_000)!;
    expect(size).toBeLessThanOrEqual(10_000);
    const kept = [record.body.stringValue, ...record.attributes.slice(0, 2).map((kv) => kv.value.stringValue!)].map((value) => value.split('…')[0]!.length);
    expect(new Set(kept).size).toBe(1);
    expect(kept[0]).toBeGreaterThan(3_000);
    expect(record.attributes[2]).toEqual({ key: 'tiny', value: { stringValue: 't' } });

    const manyKeys = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`attribute-key-${i}`, 'v']));
    expect(cut(entry({ attributes: manyKeys }), 1_000)).toBeUndefined();
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
