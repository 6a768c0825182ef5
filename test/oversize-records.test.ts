/**
 * Every provider's codec, on generated records of every shape, cuts an oversize record to a valid document within
 * the limit (as that service counts it), with the truncation marker: the property issue 11 asks for.
 */
import { describe, expect, test } from 'vitest';
import { emptyEncodedRecord, type EncodedRecord, type LogEntry } from '@otel-cloud-logs/core';
import { encodeCloudWatchEvent, encodeTruncatedCloudWatchEvent } from '@otel-cloud-logs/cloudwatch-logs';
import { encodeLtsRecord, encodeTruncatedLtsRecord, escapedSize } from '@otel-cloud-logs/huawei-lts';
import { encodeServiceWatchRecord, encodeTruncatedServiceWatchRecord } from '@otel-cloud-logs/scp-servicewatch';

const MARKER = '…[truncated by otel-cloud-logs: ';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function seeded(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

// Characters that weigh 1 to 7 bytes once (or twice) escaped, an emoji's surrogate pair and a lone surrogate.
const ALPHABET = ['a', 'Z', ' ', '"', '\\', '\n', '\t', '\u0001', '\u001f', 'é', '日本', '😀', '\u2028', '\ud800', '/', '<'];

/** A record of at most a few hundred KB: huge or empty strings and keys, many attributes, nested maps and arrays. */
function randomEntry(random: () => number): LogEntry {
  const int = (n: number) => Math.floor(random() * n);
  let budget = 300_000; // characters left to write
  const text = (): string => {
    const chunk = Array.from({ length: 1 + int(5) }, () => ALPHABET[int(ALPHABET.length)]).join('');
    const lengths = [0, 1 + int(10), 20 + int(300), budget > 60_000 ? 2_000 + int(40_000) : 3];
    const result = chunk.repeat(lengths[int(lengths.length)]!);
    budget -= result.length + 8;
    return result;
  };
  const map = (size: number, depth: number) =>
    Object.fromEntries(Array.from({ length: size }, (_, i) => [int(8) ? `${text().slice(0, 20)}.${i}` : `${text()}.${i}`, value(depth + 1)]));
  const value = (depth: number): unknown => {
    budget -= 8;
    const kind = depth > 5 || budget < 0 ? int(5) : int(9);
    if (kind <= 1) return text();
    if (kind === 2) return [int(1e6), -int(1e9) / 7, 2n ** 70n, true, null][int(5)];
    if (kind === 3) return new Uint8Array(Array.from({ length: int(3) ? 8 : 3_000 }, () => int(256)));
    if (kind === 4) return int(2) ? '' : undefined;
    const size = [0, 1 + int(6), 50 + int(2_000)][int(3)]!;
    if (kind <= 6) return Array.from({ length: size }, () => value(depth + 1));
    return map(size, depth);
  };
  const attributes = int(3) ? map([0, 1 + int(5), 100 + int(5_000)][int(3)]!, 0) : { ['k'.repeat(200_000)]: 1 };
  const nanos = 1_795_357_570_872_000_001n + BigInt(int(1e9));
  return {
    timeUnixNano: nanos,
    timeMillis: Number(nanos / 1_000_000n),
    body: value(0),
    severityText: int(2) ? 'ERROR' : undefined,
    severityNumber: int(2) ? 17 : undefined,
    eventName: int(4) ? undefined : text(),
    attributes,
    resource: { 'service.name': 'checkout', ...(int(4) ? {} : { 'host.tags': text() }) },
    scope: { name: 'scope', version: '1.0' },
    traceId: int(2) ? '5b8efff798038103d269b633813fc60c' : undefined,
    spanId: 'eee19b7ec3c1b174',
    traceFlags: 1,
    destination: { accountId: 'account', logGroup: 'group', logStream: 'stream' },
  };
}

interface Codec {
  readonly name: string;
  /** The record encoded whole: the size the service counts. */
  encode(entry: LogEntry, out: EncodedRecord): void;
  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean;
  /** The stored document of an encoded record and its size as the service counts it; throws when it is not JSON. */
  document(out: EncodedRecord): { text: string; size: number };
}

const MAX_REQUEST = 1_048_576;
const lts = { lineFormat: 'json', includeResource: true } as const;
const CODECS: readonly Codec[] = [
  {
    name: 'CloudWatch json message',
    encode: (entry, out) => encodeCloudWatchEvent(entry, 'json', out),
    truncate: (entry, maxSize, out) => encodeTruncatedCloudWatchEvent(entry, 'json', maxSize, out),
    document(out) {
      const { message } = JSON.parse(out.fragment) as { message: string };
      return { text: message, size: Buffer.byteLength(message) };
    },
  },
  {
    name: 'Huawei LTS json line',
    encode: (entry, out) => encodeLtsRecord(entry, lts, out),
    truncate: (entry, maxSize, out) => encodeTruncatedLtsRecord(entry, lts, maxSize, out),
    document(out) {
      const { log } = JSON.parse(out.fragment) as { log: string };
      return { text: log, size: escapedSize(log) };
    },
  },
  {
    name: 'SCP ServiceWatch OTLP/JSON record',
    encode: (entry, out) => encodeServiceWatchRecord(entry, { maxRequestBytes: MAX_REQUEST, maxEventBytes: Number.MAX_SAFE_INTEGER }, out),
    truncate: (entry, maxSize, out) => encodeTruncatedServiceWatchRecord(entry, maxSize, MAX_REQUEST, out),
    document: (out) => ({ text: out.fragment, size: Buffer.byteLength(out.fragment) }),
  },
];

const ANY_VALUE_KEYS = new Set(['stringValue', 'boolValue', 'intValue', 'doubleValue', 'bytesValue', 'arrayValue', 'kvlistValue']);

/** Throws unless `value` is an OTLP/JSON AnyValue all the way down (a cut must not break the service's schema). */
function checkAnyValue(value: unknown): void {
  if (value === null) return; // an array's hole
  const keys = Object.keys(value as object);
  if (keys.length === 0) return;
  expect(keys).toHaveLength(1);
  expect(ANY_VALUE_KEYS.has(keys[0]!)).toBe(true);
  const inner = (value as Record<string, unknown>)[keys[0]!];
  if (keys[0] === 'bytesValue') expect(Buffer.from(inner as string, 'base64').toString('base64')).toBe(inner);
  if (keys[0] === 'arrayValue') for (const item of (inner as { values: unknown[] }).values) checkAnyValue(item);
  if (keys[0] === 'kvlistValue') checkKeyValues((inner as { values: unknown[] }).values);
}

function checkKeyValues(keyValues: unknown[]): void {
  for (const keyValue of keyValues as Array<{ key: unknown; value: unknown }>) {
    expect(typeof keyValue.key).toBe('string');
    checkAnyValue(keyValue.value);
  }
}

let generated: LogEntry[] | undefined;
/** The same generated records for every codec. */
function generatedEntries(): LogEntry[] {
  const random = seeded(114);
  return (generated ??= Array.from({ length: 100 }, () => randomEntry(random)));
}

describe('oversize records: every codec writes a valid, marked document within the limit', () => {
  for (const codec of CODECS) {
    test(`${codec.name}: generated records`, () => {
      const random = seeded(codec.name.length);
      let cuts = 0;
      for (const [i, entry] of generatedEntries().entries()) {
        const whole = emptyEncodedRecord();
        codec.encode(entry, whole);
        const original = codec.document(whole);
        expect(original.size).toBe(whole.size);
        const maxSize = 300 + Math.floor(random() * Math.min(whole.size, 60_000));
        const out = emptyEncodedRecord();
        if (!codec.truncate(entry, maxSize, out)) {
          // Only a small limit can be too small for the record's own fields, its markers and its trace context.
          expect(maxSize, `${i}`).toBeLessThan(1_500);
          continue;
        }
        const { text, size } = codec.document(out);
        expect(size, `${i}`).toBe(out.size);
        expect(out.fragmentBytes).toBe(Buffer.byteLength(out.fragment));
        expect(size, `${i}`).toBeLessThanOrEqual(maxSize);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (whole.size <= maxSize) continue;
        cuts++;
        expect(text, `${i}`).toContain(MARKER);
        expect(parsed.traceId).toBe(entry.traceId);
        if (codec.name.startsWith('SCP')) {
          expect(parsed.timeUnixNano).toBe(String(entry.timeUnixNano));
          checkAnyValue(parsed.body);
          checkKeyValues((parsed.attributes as unknown[] | undefined) ?? []);
        }
      }
      expect(cuts).toBeGreaterThan(50);
    });
  }

  test('at the services\' limits: exactly at the limit a record is left alone, one byte over it is cut to fit', () => {
    for (const [codec, limit] of CODECS.map((codec, i) => [codec, [1_048_550, 1_000_000, 1_000_000][i]!] as const)) {
      const base: LogEntry = { ...randomEntry(seeded(5)), body: '', attributes: { user: 'kim', ['😀'.repeat(10)]: 'é' } };
      const probe = emptyEncodedRecord();
      codec.encode(base, probe);
      // A body of ASCII letters weighs one byte each, however the size is counted: this one is exactly at the limit.
      const exact = { ...base, body: 'x'.repeat(limit - probe.size) };
      const atLimit = emptyEncodedRecord();
      codec.encode(exact, atLimit);
      expect(atLimit.size, codec.name).toBe(limit);
      const over = { ...exact, body: `${exact.body as string}y` };
      const out = emptyEncodedRecord();
      expect(codec.truncate(over, limit, out), codec.name).toBe(true);
      const { text, size } = codec.document(out);
      expect(size).toBeLessThanOrEqual(limit);
      expect(size).toBeGreaterThan(limit - 3);
      expect(text).toContain(MARKER);
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });
});
