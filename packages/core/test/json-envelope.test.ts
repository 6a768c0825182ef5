import { describe, expect, test } from 'vitest';
import { QuotedEnvelopeWriter, attributesJson, envelopeJson, jsonOf, logEntriesFromOtlpJson, resourceAttributesJson, toJsonValue, type LogEntry } from '@otel-cloud-logs/core';

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** Random record values: plain JSON most of the time, and every kind the fast path must hand to the exact one. */
function randomValue(random: () => number, depth = 0): unknown {
  const r = random();
  const text = () => ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\ttab', '注文 ✓ 🚀', 'lone \ud800 surrogate', '\u2028'][Math.floor(random() * 7)]!;
  if (depth > 3 || r < 0.3) return text();
  if (r < 0.4) return Math.floor(random() * 1e6) - 5e5;
  if (r < 0.45) return random() * 10;
  if (r < 0.5) return random() < 0.5;
  if (r < 0.53) return null;
  if (r < 0.55) return [Number.NaN, Number.POSITIVE_INFINITY, -0, undefined, 2n ** 64n][Math.floor(random() * 5)];
  if (r < 0.57) return new Uint8Array([1, 2, 250]);
  if (r < 0.58) return new Date(1_700_000_000_000);
  if (r < 0.59) return new Error('boom');
  if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) object[text() + i] = randomValue(random, depth + 1);
  return object;
}

describe('jsonOf', () => {
  test('is exactly JSON.stringify(toJsonValue(value)) for any value (fast native path or not)', () => {
    const random = seeded(7);
    for (let i = 0; i < 5_000; i++) {
      const value = randomValue(random);
      expect(jsonOf(value)).toBe(JSON.stringify(toJsonValue(value)));
    }
  });

  test('a toJSON method (own, even non-enumerable, or on an array) is ignored, as toJsonValue ignores it', () => {
    const hidden = { a: 1 };
    Object.defineProperty(hidden, 'toJSON', { value: () => 'HIDDEN', enumerable: false });
    const array = Object.assign([1, 2], { toJSON: () => 'ARR' });
    expect(jsonOf(hidden)).toBe('{"a":1}');
    expect(jsonOf(array)).toBe('[1,2]');
  });

  test('cycles and deep nesting take the exact path', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node.self = node;
    expect(jsonOf(node)).toBe('{"name":"n","self":"[Circular]"}');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(JSON.parse(jsonOf(deep))).toEqual(toJsonValue(deep));
  });
});

describe('the shared envelope', () => {
  const [entry] = logEntriesFromOtlpJson({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }, { key: 'log_group_value', value: { stringValue: 'g' } }] },
        scopeLogs: [
          {
            scope: { name: 'app', version: '1.0' },
            logRecords: [
              {
                timeUnixNano: '1700000000000000000',
                severityText: 'WARN',
                severityNumber: 13,
                body: { stringValue: 'payment "failed"' },
                attributes: [
                  { key: 'order', value: { intValue: '7' } },
                  { key: 'log_stream_value', value: { stringValue: 's' } },
                ],
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                flags: 1,
              },
            ],
          },
        ],
      },
    ],
  });

  test('has the documented fields in order, routing attributes left out, and parses back', () => {
    const json = envelopeJson(entry!, { resource: true, scope: true });
    expect(json).toBe(
      '{"body":"payment \\"failed\\"","severityText":"WARN","severityNumber":13,"attributes":{"order":7},"resource":{"service.name":"orders"},"scope":{"name":"app","version":"1.0"},"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","traceFlags":1}',
    );
    expect(envelopeJson(entry!, { resource: false, scope: false })).toBe(
      '{"body":"payment \\"failed\\"","severityText":"WARN","severityNumber":13,"attributes":{"order":7},"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","traceFlags":1}',
    );
  });

  test('a bodiless record without attributes stores body null and nothing else', () => {
    const bare: LogEntry = { timeUnixNano: 0n, timeMillis: 0, body: undefined, attributes: { log_stream_value: 's' }, resource: {}, destination: entry!.destination };
    expect(envelopeJson(bare, { resource: true, scope: true })).toBe('{"body":null}');
    expect(attributesJson({ account_id: '1' })).toBe('');
  });

  test('resource attributes are written once per resource object', () => {
    const resource = { 'service.name': 'a', log_stream_value: 's' };
    expect(resourceAttributesJson(resource)).toBe('{"service.name":"a"}');
    (resource as Record<string, string>)['service.name'] = 'changed';
    expect(resourceAttributesJson(resource)).toBe('{"service.name":"a"}'); // cached: resources are immutable in the SDK
  });
});

describe('QuotedEnvelopeWriter', () => {
  const destination = { logGroup: 'g', logStream: 's', accountId: '' };
  const texts = ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\ttab', '注文 ✓ 🚀', 'lone \ud800 surrogate', '\u2028', 'INFO'];

  /** Random records: every field present or not, any value kind in the body and attributes, shared or fresh resources and scopes. */
  function randomEntry(random: () => number, resources: Array<Record<string, unknown>>, scopes: Array<LogEntry['scope']>): LogEntry {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const attributes: Record<string, unknown> = {};
    for (let i = Math.floor(random() * 4); i > 0; i--) attributes[pick(texts) + i] = randomValue(random);
    if (random() < 0.5) attributes.log_stream_value = 's';
    const traced = random() < 0.3;
    return {
      timeUnixNano: 1n,
      timeMillis: 0,
      body: randomValue(random) as LogEntry['body'],
      severityText: random() < 0.8 ? (random() < 0.05 ? `level ${random()}` : pick(texts)) : undefined,
      severityNumber: random() < 0.8 ? (pick([9, 13, 17, Number.NaN, 2.5]) as number) : undefined,
      eventName: random() < 0.2 ? pick(texts) : undefined,
      attributes: attributes as LogEntry['attributes'],
      resource: (random() < 0.1 ? { 'service.name': pick(texts), log_group_value: 'g' } : pick(resources)) as LogEntry['resource'],
      scope: random() < 0.1 ? { name: pick(texts), version: random() < 0.5 ? pick(texts) : undefined } : pick(scopes),
      traceId: traced ? pick(['5b8efff798038103d269b633813fc60c', 'x"y']) : undefined,
      spanId: traced && random() < 0.9 ? 'eee19b7ec3c1b174' : undefined,
      traceFlags: random() < 0.5 ? 1 : undefined,
      destination,
    };
  }

  test('writes exactly JSON.stringify(envelopeJson(entry)) and counts the JSON text, for any record, resource or scope', () => {
    const random = seeded(11);
    const resources = [{}, { 'service.name': 'orders', 'host.name': 'h "1"' }, { log_group_value: 'g' }];
    const scopes: Array<LogEntry['scope']> = [undefined, { name: 'app' }, { name: 'app', version: '1.0' }, { name: '' }];
    for (const options of [
      { resource: true, scope: true },
      { resource: false, scope: true },
      { resource: true, scope: false },
      { resource: false, scope: false },
    ]) {
      const writer = new QuotedEnvelopeWriter(options);
      for (let i = 0; i < 3_000; i++) {
        const entry = randomEntry(random, resources, scopes);
        const text = envelopeJson(entry, options);
        expect(writer.write(entry)).toBe(JSON.stringify(text));
        expect(writer.textLength).toBe(text.length);
      }
    }
  });

  test('more distinct severity texts than it caches are still written right', () => {
    const writer = new QuotedEnvelopeWriter({ resource: false, scope: false });
    for (let i = 0; i < 200; i++) {
      const entry: LogEntry = { timeUnixNano: 1n, timeMillis: 0, body: 'b', severityText: `lvl"${i}`, attributes: {}, resource: {}, destination };
      expect(writer.write(entry)).toBe(JSON.stringify(envelopeJson(entry, { resource: false, scope: false })));
      expect(writer.write(entry)).toBe(JSON.stringify(envelopeJson(entry, { resource: false, scope: false })));
    }
  });
});
