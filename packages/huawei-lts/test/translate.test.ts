import type { LogEntry } from '@otel-cloud-logs/core';
import { describe, expect, it } from 'vitest';
import { checkLabels } from '../src/labels.ts';
import { escapedSize, PER_LINE_OVERHEAD_BYTES, requestBody, requestFrameBytes, translate, truncateEvent, TRUNCATION_MARKER, type LtsEvent } from '../src/translate.ts';

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
  it('puts body, severity, attributes (without routing ones), resource and trace context in a JSON line', () => {
    const event = translate(entry({ msg: 'hi "there"' }), json) as LtsEvent;
    expect(JSON.parse(event.line)).toEqual({
      body: { msg: 'hi "there"' },
      severity_text: 'INFO',
      severity_number: 9,
      attributes: { 'http.method': 'GET', n: 1 },
      resource: { 'service.name': 'svc' },
      scope: { name: 'scope', version: '1' },
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      trace_flags: 1,
    });
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
    for (const max of [1000, 1001, 1002, 5000]) {
      const cut = truncateEvent(big, max)!;
      expect(cut.size).toBeLessThanOrEqual(max);
      expect(cut.size).toBeGreaterThan(max - 12);
      const parsed = JSON.parse(cut.line) as { body: string; attributes: unknown };
      expect(parsed.body.endsWith(TRUNCATION_MARKER)).toBe(true);
      expect(parsed.attributes).toEqual({ 'http.method': 'GET', n: 1 });
      expect(parsed.body).not.toContain('\uFFFD');
    }
    // An envelope too large on its own: the whole line is cut as text.
    const huge = translate(entry('b', { attributes: { big: 'q"'.repeat(5000) } }), json) as LtsEvent;
    const cut = truncateEvent(huge, 300)!;
    expect(cut.size).toBeLessThanOrEqual(300);
    expect(cut.line.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(escapedSize(cut.line)).toBe(cut.size);
  });

  it('checks labels: at most 100, no reserved names, no double underscores', () => {
    expect(checkLabels({ env: 'prod' })).toBeUndefined();
    expect(checkLabels(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])))).toMatch(/at most 100/);
    expect(checkLabels({ hostName: 'x' })).toMatch(/reserved/);
    expect(checkLabels({ a__b: 'x' })).toMatch(/double underscore/);
    expect(checkLabels({ '1x': 'x' })).toMatch(/must start/);
  });
});
