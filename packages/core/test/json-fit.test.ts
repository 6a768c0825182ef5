import { describe, expect, test } from 'vitest';
import { DROPPED_ENTRIES_KEY, fitJson, plainJsonNode, truncateJsonText, truncationMarker, type JsonSizeMeasure } from '@otel-cloud-logs/core';

const MARKER = '…[truncated by otel-cloud-logs: ';
const MEASURES: readonly JsonSizeMeasure[] = ['utf8', 'escaped'];

/** Size of JSON text as each measure counts it. */
function sizeOf(json: string, measure: JsonSizeMeasure): number {
  return measure === 'utf8' ? Buffer.byteLength(json) : Buffer.byteLength(JSON.stringify(json)) - 2;
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function seeded(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

// Characters that weigh 1 to 7 bytes once (or twice) escaped, and an emoji's surrogate pair.
const ALPHABET = ['a', 'Z', ' ', '"', '\\', '\n', '\u0001', '\u007f', 'é', '日本', '😀', '\u2028', '\ud800', '/'];

/** A document of some 100 KB at most: huge and short strings and keys, long and nested lists, in any mix. */
function randomDocument(random: () => number): Record<string, unknown> {
  const int = (n: number) => Math.floor(random() * n);
  let budget = 100_000; // characters left to write
  const text = (): string => {
    const chunk = Array.from({ length: 1 + int(6) }, () => ALPHABET[int(ALPHABET.length)]).join('');
    const lengths = [0, 1 + int(8), 20 + int(200), budget > 30_000 ? 500 + int(5_000) : 0];
    const result = chunk.repeat(lengths[int(lengths.length)]!);
    budget -= result.length + 4;
    return result;
  };
  const value = (depth: number): unknown => {
    budget -= 8;
    const kind = depth > 6 || budget < 0 ? int(4) : int(7);
    if (kind === 0) return text();
    if (kind === 1) return int(3) === 0 ? -int(1e9) / 7 : int(1e6);
    if (kind === 2) return [true, false, null][int(3)];
    if (kind === 3) return text();
    const size = [0, 1 + int(5), 20 + int(300)][int(3)]!;
    if (kind === 4) return Array.from({ length: size }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: size }, (_, i) => [`${text().slice(0, int(3) ? 12 : 30_000)}#${i}`, value(depth + 1)]));
  };
  const document: Record<string, unknown> = { body: value(0) };
  if (int(2)) document.severityText = 'INFO';
  if (int(2)) document.attributes = value(5);
  if (int(2)) document.traceId = '5b8efff798038103d269b633813fc60c';
  return document;
}

describe('fitJson: a JSON document cut to a size stays valid JSON', () => {
  test('generated documents: every cut parses, fits exactly-or-under and carries the marker, for both measures', () => {
    const random = seeded(20_240_611);
    let cuts = 0;
    for (let i = 0; i < 300; i++) {
      const document = randomDocument(random);
      const json = JSON.stringify(document);
      for (const measure of MEASURES) {
        const size = sizeOf(json, measure);
        const maxSize = 150 + Math.floor(random() * Math.min(size, 30_000));
        const cut = truncateJsonText(json, maxSize, measure);
        if (size <= maxSize) {
          expect(cut).toBe(json);
          continue;
        }
        if (cut === undefined) continue; // the fixed fields alone are over the limit
        cuts++;
        expect(() => JSON.parse(cut), `${i} ${measure}`).not.toThrow();
        expect(sizeOf(cut, measure), `${i} ${measure}`).toBeLessThanOrEqual(maxSize);
        expect(cut).toContain(MARKER);
        // Where only strings were cut, they fill the limit to within one character (7 bytes at most, escaped twice).
        if (!cut.includes('entries dropped]')) expect(sizeOf(cut, measure), `${i} ${measure}`).toBeGreaterThan(maxSize - 7);
        const parsed = JSON.parse(cut) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual(Object.keys(document)); // a document's own fields are all kept
        expect(parsed.severityText).toBe(document.severityText);
        expect(parsed.traceId).toBe(document.traceId);
      }
    }
    expect(cuts).toBeGreaterThan(200);
  });

  test('exactly at the limit a document is written whole, byte for byte; one byte over, it is cut to fit', () => {
    for (const measure of MEASURES) {
      const json = JSON.stringify({ body: 'é"\n😀'.repeat(500), attributes: { k: [1, 2.5, null, true, 'x'], 'ü': { nested: '日本' } } });
      const size = sizeOf(json, measure);
      expect(truncateJsonText(json, size, measure)).toBe(json);
      const cut = truncateJsonText(json, size - 1, measure)!;
      expect(sizeOf(cut, measure)).toBeLessThanOrEqual(size - 1);
      expect(sizeOf(cut, measure)).toBeGreaterThan(size - 1 - 7);
      const parsed = JSON.parse(cut) as { body: string; attributes: unknown };
      expect(parsed.body.endsWith(truncationMarker(Buffer.byteLength('é"\n😀'.repeat(500))))).toBe(true);
      expect(parsed.attributes).toEqual({ k: [1, 2.5, null, true, 'x'], 'ü': { nested: '日本' } });
    }
  });

  test('a string is cut between characters, never inside an escape or a surrogate pair, and as long as fits', () => {
    const body = 'a"\\\n\u0001é日😀\ud800'.repeat(300);
    const marker = truncationMarker(Buffer.byteLength(body));
    for (const measure of MEASURES) {
      const json = JSON.stringify({ body });
      for (let maxSize = 100; maxSize < 400; maxSize++) {
        const cut = truncateJsonText(json, maxSize, measure)!;
        const kept = (JSON.parse(cut) as { body: string }).body;
        expect(kept.endsWith(marker)).toBe(true);
        const prefix = kept.slice(0, -marker.length);
        expect(body.startsWith(prefix)).toBe(true);
        expect(prefix.at(-1)).not.toBe('\ud83d'); // never half an emoji
        // The heaviest character ('\u0001' escaped twice) weighs 7: any less is room that could not be used.
        expect(sizeOf(cut, measure)).toBeLessThanOrEqual(maxSize);
        expect(sizeOf(cut, measure), `${measure} ${maxSize}`).toBeGreaterThan(maxSize - 7);
      }
    }
  });

  test('keys are cut like values; the largest strings are cut first, short ones stay whole', () => {
    const json = JSON.stringify({ body: 'hk', attributes: { ['k'.repeat(2e6)]: 1, user: 'kim', trace: 'x'.repeat(300_000) } });
    const cut = truncateJsonText(json, 100_000, 'utf8')!;
    expect(Buffer.byteLength(cut)).toBeGreaterThan(100_000 - 7);
    const { body, attributes } = JSON.parse(cut) as { body: string; attributes: Record<string, unknown> };
    expect(body).toBe('hk');
    const [key, user, trace] = Object.keys(attributes);
    expect(key).toMatch(/^k+…\[truncated by otel-cloud-logs: 2000000 bytes\]$/);
    expect(user).toBe('user');
    expect(attributes.user).toBe('kim');
    expect(trace).toBe('trace');
    expect(attributes[key!]).toBe(1);
    expect(attributes.trace).toMatch(/^x+…\[truncated by otel-cloud-logs: 300000 bytes\]$/);
    // Both cut to one length (water-filling), so neither takes all the room.
    expect(Math.abs(key!.length - (attributes.trace as string).length)).toBeLessThan(10);
  });

  test('entries that cannot fit are dropped for one saying how many; the first ones are kept, in order', () => {
    const attributes = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`attribute.${i}`, i]));
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const cut = truncateJsonText(JSON.stringify({ body: items, attributes }), 5_000, 'utf8')!;
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(5_000);
    const parsed = JSON.parse(cut) as { body: unknown[]; attributes: Record<string, unknown> };
    const keptItems = parsed.body.slice(0, -1);
    expect(keptItems).toEqual(items.slice(0, keptItems.length));
    expect(parsed.body.at(-1)).toBe(`…[truncated by otel-cloud-logs: ${10_000 - keptItems.length} entries dropped]`);
    const keys = Object.keys(parsed.attributes);
    expect(keys.at(-1)).toBe(DROPPED_ENTRIES_KEY);
    expect(keys.slice(0, -1)).toEqual(Object.keys(attributes).slice(0, keys.length - 1));
    expect(parsed.attributes[DROPPED_ENTRIES_KEY]).toBe(`…[truncated by otel-cloud-logs: ${10_001 - keys.length} entries dropped]`);
    // Neither list takes all the room.
    expect(keptItems.length).toBeGreaterThan(100);
    expect(keys.length).toBeGreaterThan(100);
  });

  test('deep nesting is cut too; undefined only when the fixed parts alone are over the limit', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1_000; i++) deep = i % 2 ? [deep] : { level: deep };
    const cut = truncateJsonText(JSON.stringify({ body: deep }), 2_000, 'escaped')!;
    expect(sizeOf(cut, 'escaped')).toBeLessThanOrEqual(2_000);
    expect(() => JSON.parse(cut)).not.toThrow();
    expect(cut).toContain(MARKER);

    const fixed = { kind: 'list', open: '{', close: '}', member: ['', ':', ''], keepAll: true, entries: [{ key: 'n', value: { kind: 'fixed', json: '1'.repeat(500) } }] } as const;
    expect(fitJson(fixed, 506, 'utf8')).toBe(`{"n":${'1'.repeat(500)}}`);
    expect(fitJson(fixed, 505, 'utf8')).toBeUndefined();
    expect(truncateJsonText(JSON.stringify({ body: 'x'.repeat(1_000) }), 40, 'utf8')).toBeUndefined();
  });

  test('a tree within the limit is written exactly as JSON.stringify writes it', () => {
    const random = seeded(7);
    for (let i = 0; i < 100; i++) {
      const document = randomDocument(random);
      const json = JSON.stringify(document);
      expect(fitJson(plainJsonNode(document, 0, true), Number.MAX_SAFE_INTEGER, 'utf8')).toBe(json);
    }
  });
});
