import { describe, expect, test } from 'vitest';
import { renderAnyValue, fromOtlpAnyValue, logEntriesFromOtlpJson, toOtlpAnyValue, truncateUtf8, utf8ByteLength } from '@otel-cloud-logs/core';

describe('UTF-8 accounting', () => {
  test('counts bytes, not UTF-16 code units', () => {
    expect(utf8ByteLength('héllo')).toBe(6);
    expect(utf8ByteLength('日本語')).toBe(9);
    expect('😀'.length).toBe(2);
    expect(utf8ByteLength('😀')).toBe(4);
  });

  test('truncates at a code point boundary and never exceeds the budget', () => {
    const text = 'a日😀b'.repeat(100);
    for (let max = 0; max <= utf8ByteLength(text) + 2; max++) {
      const cut = truncateUtf8(text, max);
      expect(utf8ByteLength(cut)).toBeLessThanOrEqual(max);
      expect(text.startsWith(cut)).toBe(true);
      expect(cut).not.toMatch(/\uFFFD/);
      // Greedy: one more code point would not fit.
      const next = text.slice(cut.length).codePointAt(0);
      if (next !== undefined) expect(utf8ByteLength(cut + String.fromCodePoint(next))).toBeGreaterThan(max);
    }
  });
});

describe('AnyValue rendering', () => {
  test('renders like JSON.stringify: map keys in insertion order, bytes base64, bigint decimal', () => {
    expect(renderAnyValue({ b: 1, a: [true, null, 'x'] })).toBe('{"b":1,"a":[true,null,"x"]}');
    expect(renderAnyValue(new Uint8Array([1, 2, 255]))).toBe('"AQL/"');
    expect(renderAnyValue(2n ** 70n)).toBe('"1180591620717411303424"');
    expect(renderAnyValue('plain')).toBe('plain');
    expect(renderAnyValue(undefined)).toBe('');
    expect(renderAnyValue(Number.NaN)).toBe('"NaN"');
  });

  test('cuts cycles instead of throwing', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node.self = node;
    expect(renderAnyValue(node)).toBe('{"name":"n","self":"[Circular]"}');
  });

  test('OTLP/JSON AnyValue round-trips', () => {
    const value = { s: 'x', i: 42, d: 1.5, b: false, bytes: new Uint8Array([7]), list: [1, 'two'], map: { k: 'v' }, big: 2n ** 63n - 1n };
    expect(fromOtlpAnyValue(toOtlpAnyValue(value))).toEqual(value);
    expect(fromOtlpAnyValue({ intValue: '123' })).toBe(123);
  });
});

describe('OTLP/JSON decoding errors', () => {
  test('name the path of the bad value', () => {
    const request = {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: { stringValue: 'ok' } }, { timeUnixNano: '2', attributes: [{ key: 'n', value: { intValue: 'abc' } }] }] }] }],
    };
    expect(() => logEntriesFromOtlpJson(request)).toThrow('resourceLogs[0].scopeLogs[0].logRecords[1].attributes: intValue must be an integer, got "abc"');
    expect(() => logEntriesFromOtlpJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 'soon' }] }] }] })).toThrow(
      /logRecords\[0\]\.timeUnixNano must be an integer number of nanoseconds/,
    );
  });
});
