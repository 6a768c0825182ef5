import { EncodedBatch, emptyEncodedRecord, type EncodedRecord, type LogEntry } from '@otel-cloud-logs/core';
import { describe, expect, it } from 'vitest';
import { checkLabels } from '../src/labels.ts';
import {
  encodeLtsRecord,
  encodeTruncatedLtsRecord,
  escapedSize,
  ltsRequestFrame,
  PER_LINE_OVERHEAD_BYTES,
  truncationMarker,
  type LineOptions,
} from '../src/translate.ts';

const now = BigInt(Date.now()) * 1_000_000n + 123_456n;

function entry(body: unknown, extra: Partial<LogEntry> = {}): LogEntry {
  return {
    timeUnixNano: now,
    timeMillis: Number(now / 1_000_000n),
    body,
    attributes: { 'http.method': 'GET', log_group_value: 'g', n: 1 },
    resource: { 'service.name': 'svc', account_id: 'p' },
    severityNumber: 9,
    severityText: 'INFO',
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: 1,
    scope: { name: 'scope', version: '1' },
    destination: { accountId: 'p', logGroup: 'g', logStream: 's' },
    ...extra,
  };
}

const json: LineOptions = { lineFormat: 'json', includeResource: true };
const text: LineOptions = { lineFormat: 'text', includeResource: false };

/** Encodes a record that must be valid. */
function encoded(record: LogEntry, options: LineOptions = json): EncodedRecord {
  const out = emptyEncodedRecord();
  expect(encodeLtsRecord(record, options, out)).toBeUndefined();
  return out;
}

/** The stored line inside a content object. */
function lineOf(record: EncodedRecord): string {
  return (JSON.parse(record.fragment) as { log: string }).log;
}

describe('encodeLtsRecord', () => {
  it('writes the content object with the exact log_time_ns, and core’s envelope as a JSON line (routing attributes left out)', () => {
    const out = encoded(entry({ msg: 'hi "there"' }, { eventName: 'user.login' }));
    // Checked as text: 19-digit nanoseconds do not survive JSON.parse into a number.
    expect(out.fragment.startsWith(`{"log_time_ns":${now},"log":"`)).toBe(true);
    expect(JSON.parse(lineOf(out))).toEqual({
      body: { msg: 'hi "there"' },
      severityText: 'INFO',
      severityNumber: 9,
      eventName: 'user.login',
      attributes: { 'http.method': 'GET', n: 1 },
      resource: { 'service.name': 'svc' },
      scope: { name: 'scope', version: '1' },
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: 1,
    });
    expect(Object.keys(JSON.parse(lineOf(out)) as object)[0]).toBe('body');
    expect(out.fragment).toBe(`{"log_time_ns":${now},"log":${JSON.stringify(lineOf(out))}}`);
    expect(out.fragmentBytes).toBe(Buffer.byteLength(out.fragment));
    expect(out.size).toBe(Buffer.byteLength(JSON.stringify(lineOf(out))) - 2);
    expect(out.timeMillis).toBe(Number(now / 1_000_000n));
    expect(out.frameKey).toBe('');
    expect(JSON.parse(lineOf(encoded(entry('x'), { lineFormat: 'json', includeResource: false })))).not.toHaveProperty('resource');
  });

  it('keeps a bodiless record as "body":null and an empty severityText (core’s shared envelope)', () => {
    const line = lineOf(encoded(entry(undefined, { severityText: '', attributes: {}, scope: undefined, traceId: undefined, spanId: undefined })));
    expect(line).toBe('{"body":null,"severityText":"","severityNumber":9,"resource":{"service.name":"svc"}}');
  });

  it('counts multibyte and escaped lines exactly (size and fragment bytes)', () => {
    for (const body of ['ü"\\\n', '中文😀', '\u0001\ud800', 'x'.repeat(500)]) {
      for (const options of [json, text]) {
        const out = encoded(entry(body), options);
        expect(out.fragmentBytes).toBe(Buffer.byteLength(out.fragment));
        expect(out.size).toBe(escapedSize(lineOf(out)));
        if (options === text) expect(lineOf(out)).toBe(body);
      }
    }
  });

  it('text lines carry the body only and refuse empty bodies', () => {
    expect(lineOf(encoded(entry('plain ü'), text))).toBe('plain ü');
    expect(lineOf(encoded(entry({ a: [true], b: 1 }), text))).toBe('{"a":[true],"b":1}');
    for (const body of ['', undefined, null]) expect(encodeLtsRecord(entry(body), text, emptyEncodedRecord())).toMatchObject({ invalid: 'empty_message' });
  });
});

describe('the request frame', () => {
  it('counts request bytes exactly: frame + Σ(size + overhead) − 1 comma, and the frame is taken off the budget', () => {
    const labels = { env: 'prod', team: 'é' };
    const frame = ltsRequestFrame(labels, 10_000);
    const frameBytes = frame.head.length + frame.tail.length;
    expect(frameBytes).toBe(Buffer.byteLength(JSON.stringify({ contents: [], labels })));
    expect(frame.maxRequestBytes).toBe(10_000 - frameBytes);
    const records = ['a', 'ü"\\\n', '中文😀', 'x'.repeat(500)].map((body) => encoded(entry(body)));
    const batch = new EncodedBatch(frame, PER_LINE_OVERHEAD_BYTES);
    for (const r of records) batch.append(r.fragment, r.fragmentBytes, r.size, r.timeMillis);
    const body = batch.body();
    expect(batch.requestBytes).toBe(records.reduce((sum, r) => sum + r.size + PER_LINE_OVERHEAD_BYTES, 0));
    expect(body.length).toBe(frameBytes + batch.requestBytes - 1);
    const parsed = JSON.parse(body.toString('utf8')) as { contents: Array<{ log: string }>; labels: unknown };
    expect(parsed.contents.map((c) => c.log)).toEqual(records.map(lineOf));
    expect(parsed.labels).toEqual(labels);
    expect(body.toString('utf8')).toContain(`{"log_time_ns":${now},"log":`);
  });
});

describe('encodeTruncatedLtsRecord', () => {
  it('cuts the body inside a valid JSON envelope at a character boundary, with a visible marker, sized as LTS counts it', () => {
    const body = '日本語'.repeat(10_000);
    const marker = truncationMarker(Buffer.byteLength(body));
    expect(marker).toBe('…[truncated by otel-cloud-logs: 90000 bytes]');
    const original = entry(body);
    for (const max of [1000, 1001, 1002, 5000]) {
      const cut = emptyEncodedRecord();
      expect(encodeTruncatedLtsRecord(original, json, max, cut)).toBe(true);
      expect(cut.size).toBeLessThanOrEqual(max);
      expect(cut.size).toBeGreaterThan(max - 3); // within one character
      expect(cut.size).toBe(escapedSize(lineOf(cut)));
      expect(cut.fragmentBytes).toBe(Buffer.byteLength(cut.fragment));
      expect(cut.timeMillis).toBe(original.timeMillis);
      const parsed = JSON.parse(lineOf(cut)) as { body: string; attributes: unknown; resource: unknown };
      expect(parsed.body.endsWith(marker)).toBe(true);
      expect(body.startsWith(parsed.body.slice(0, -marker.length))).toBe(true);
      expect(parsed.attributes).toEqual({ 'http.method': 'GET', n: 1 });
      expect(parsed.resource).toEqual({ 'service.name': 'svc' });
    }
  });

  it('an envelope too large beside its body stays JSON: the huge attribute is cut, with quotes weighing what escaping makes them', () => {
    const huge = entry('b', { attributes: { big: 'q"'.repeat(5000), ['k'.repeat(3000)]: 'v' } });
    const cut = emptyEncodedRecord();
    expect(encodeTruncatedLtsRecord(huge, json, 600, cut)).toBe(true);
    expect(cut.size).toBeLessThanOrEqual(600);
    expect(cut.size).toBeGreaterThan(600 - 4); // a quote in a json line weighs 4 bytes once the line is escaped
    const parsed = JSON.parse(lineOf(cut)) as { body: string; severityText: string; traceId: string; attributes: Record<string, string> };
    expect(parsed).toMatchObject({ body: 'b', severityText: 'INFO', traceId: 'a'.repeat(32) });
    const [big, key] = Object.keys(parsed.attributes);
    expect(big).toBe('big');
    expect(parsed.attributes.big).toMatch(/^(q")+q?…\[truncated by otel-cloud-logs: 10000 bytes\]$/);
    expect(key).toMatch(/^k+…\[truncated by otel-cloud-logs: 3000 bytes\]$/);
    // Not even the envelope's own fields fit.
    expect(encodeTruncatedLtsRecord(huge, json, 200, emptyEncodedRecord())).toBe(false);
  });

  it('cuts as much as fits, never more, whatever the escaping weighs (quotes, backslashes, control characters, lone surrogates, emoji)', () => {
    const alphabet = ['a', '"', '\\', '\n', '\u0001', 'é', '中', '😀', '\ud800', ' '];
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let cuts = 0;
    for (let i = 0; i < 200; i++) {
      const body = Array.from({ length: 200 + Math.floor(next() * 3000) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const max = 500 + Math.floor(next() * 2000);
      for (const format of [json, text]) {
        const record = entry(body);
        const original = encoded(record, format);
        if (original.size <= max) continue;
        const cut = emptyEncodedRecord();
        expect(encodeTruncatedLtsRecord(record, format, max, cut), `${format.lineFormat} ${i}`).toBe(true);
        const line = lineOf(cut);
        expect(cut.size, `${format.lineFormat} ${i}`).toBe(escapedSize(line));
        expect(cut.fragmentBytes).toBe(Buffer.byteLength(cut.fragment));
        expect(cut.size).toBeLessThanOrEqual(max);
        // The heaviest character escaped twice (\u0001 in a json body) weighs 7 bytes: anything less was room to spare.
        expect(cut.size, `${format.lineFormat} ${i}`).toBeGreaterThan(max - 7);
        // A json line stays JSON with its body cut; a text line is cut as text, its marker counting the line's bytes.
        const kept = format === json ? (JSON.parse(line) as { body: string }).body : line;
        const marker = truncationMarker(Buffer.byteLength(format === json ? body : lineOf(original)));
        expect(kept.endsWith(marker)).toBe(true);
        expect(body.startsWith(kept.slice(0, -marker.length))).toBe(true);
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(200);
  });
});

describe('checkLabels', () => {
  it('checks labels: at most 100, no reserved names, no double underscores', () => {
    expect(checkLabels({ env: 'prod' })).toBeUndefined();
    expect(checkLabels(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])))).toMatch(/at most 100/);
    expect(checkLabels({ hostName: 'x' })).toMatch(/reserved/);
    expect(checkLabels({ a__b: 'x' })).toMatch(/double underscore/);
    expect(checkLabels({ '1x': 'x' })).toMatch(/must start/);
  });
});
