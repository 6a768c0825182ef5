import type { LogEntry } from '@otel-cloud-logs/core';
import { describe, expect, it } from 'vitest';
import { checkLabels } from '../src/labels.ts';
import { escapedSize, PER_LINE_OVERHEAD_BYTES, requestBody, requestFrameBytes, translate, truncateEvent, truncationMarker, type LtsEvent } from '../src/translate.ts';

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

const json = { lineFormat: 'json', includeResource: true } as const;

describe('translate', () => {
  it('puts body, severity, attributes (without routing ones), resource and trace context in a JSON line, with the CloudWatch field names', () => {
    const event = translate(entry({ msg: 'hi "there"' }, { eventName: 'user.login' }), json) as LtsEvent;
    expect(JSON.parse(event.line)).toEqual({
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
    expect(Object.keys(JSON.parse(event.line) as object)[0]).toBe('body');
    expect(event.timeUnixNano).toBe(now);
    expect(event.size).toBe(Buffer.byteLength(JSON.stringify(event.line)) - 2);
  });

  it('text lines carry the body only and refuse empty bodies', () => {
    expect((translate(entry('plain ü'), { lineFormat: 'text', includeResource: false }) as LtsEvent).line).toBe('plain ü');
    expect(translate(entry(''), { lineFormat: 'text', includeResource: false })).toMatchObject({ invalid: 'empty_message' });
  });

  it('counts request bytes exactly: frame + Σ(size + overhead) − 1 comma', () => {
    const labels = { env: 'prod', team: 'é' };
    const events = ['a', 'ü"\\\n', '中文😀', 'x'.repeat(500)].map((b) => translate(entry(b), json) as LtsEvent);
    const body = requestBody(events, labels);
    const counted = requestFrameBytes(labels) + events.reduce((sum, e) => sum + e.size + PER_LINE_OVERHEAD_BYTES, 0) - 1;
    expect(Buffer.byteLength(body)).toBe(counted);
    expect(JSON.parse(body).contents[1].log).toBe(events[1]!.line);
  });

  it('truncates the body inside a valid JSON envelope at a UTF-8 boundary, with a visible marker', () => {
    const big = translate(entry('日本語'.repeat(10_000)), json) as LtsEvent;
    const marker = truncationMarker(Buffer.byteLength(big.line));
    expect(marker).toBe(`…[truncated by otel-cloud-logs: ${Buffer.byteLength(big.line)} bytes]`);
    for (const max of [1000, 1001, 1002, 5000]) {
      const cut = truncateEvent(big, max)!;
      expect(cut.size).toBeLessThanOrEqual(max);
      expect(cut.size).toBeGreaterThan(max - 12);
      const parsed = JSON.parse(cut.line) as { body: string; attributes: unknown };
      expect(parsed.body.endsWith(marker)).toBe(true);
      expect(parsed.body.startsWith('日本語')).toBe(true);
      expect(parsed.attributes).toEqual({ 'http.method': 'GET', n: 1 });
      expect(parsed.body).not.toContain('\uFFFD');
    }
    // An envelope too large on its own: the whole line is cut as text.
    const huge = translate(entry('b', { attributes: { big: 'q"'.repeat(5000) } }), json) as LtsEvent;
    const cut = truncateEvent(huge, 300)!;
    expect(cut.size).toBeLessThanOrEqual(300);
    // Quotes weigh four escaped bytes here: the cut still keeps all the budget allows, not just the marker.
    expect(cut.size).toBeGreaterThan(300 - 6);
    expect(cut.line.startsWith('{"body":"b","severityText":"INFO"')).toBe(true);
    expect(cut.line.endsWith(truncationMarker(Buffer.byteLength(huge.line)))).toBe(true);
    expect(escapedSize(cut.line)).toBe(cut.size);
  });

  it('cuts as much as fits, never more, whatever the escaping weighs (quotes, backslashes, control characters, lone surrogates, emoji)', () => {
    const alphabet = ['a', '"', '\\', '\n', '\u0001', 'é', '中', '😀', '\ud800', ' '];
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      const body = Array.from({ length: 200 + Math.floor(next() * 3000) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const max = 150 + Math.floor(next() * 2000);
      for (const format of [json, { lineFormat: 'text', includeResource: false }] as const) {
        const original = translate(entry(body), format) as LtsEvent;
        if (original.size <= max) continue;
        const cut = truncateEvent(original, max)!;
        expect(cut.size, `${format.lineFormat} ${i}`).toBe(escapedSize(cut.line));
        expect(cut.size).toBeLessThanOrEqual(max);
        // The heaviest character escaped twice (\u0001 in a json body) weighs 7 bytes: anything less was room to spare.
        expect(cut.size, `${format.lineFormat} ${i}`).toBeGreaterThan(max - 7);
        // A json line whose envelope leaves room keeps it and cuts the body; otherwise the line is cut as text.
        const text = cut.envelope ? (JSON.parse(cut.line) as { body: string }).body : cut.line;
        const marker = truncationMarker(Buffer.byteLength(original.line));
        expect(text.endsWith(marker)).toBe(true);
        expect((cut.envelope ? body : original.line).startsWith(text.slice(0, -marker.length))).toBe(true);
        if (format.lineFormat === 'json' && max > 1000) expect(cut.envelope).toBeDefined();
      }
    }
  });

  it('checks labels: at most 100, no reserved names, no double underscores', () => {
    expect(checkLabels({ env: 'prod' })).toBeUndefined();
    expect(checkLabels(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])))).toMatch(/at most 100/);
    expect(checkLabels({ hostName: 'x' })).toMatch(/reserved/);
    expect(checkLabels({ a__b: 'x' })).toMatch(/double underscore/);
    expect(checkLabels({ '1x': 'x' })).toMatch(/must start/);
  });
});
