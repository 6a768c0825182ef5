import { emptyEncodedRecord, logEntriesFromOtlpJson, type LogEntry } from '@otel-cloud-logs/core';
import { MIN_FRAME_BYTES, createCustomLogEventsFrame, encodeServiceWatchRecord, toCreateCustomLogEventsBody } from '@otel-cloud-logs/scp-servicewatch';
import { describe, expect, it } from 'vitest';
import { DESTINATION, entry } from './helpers.ts';
import { SEED_000_REQUEST } from './seed.ts';

const LIMITS = { maxRequestBytes: 1_048_576, maxEventBytes: 1_000_000 };
type Parsed = { resourceLogs: Array<{ resource: { attributes: Array<{ key: string; value: unknown }> }; scopeLogs: Array<{ scope?: unknown; logRecords: unknown[] }> }> };

function encoded(logEntry: LogEntry, limits = LIMITS) {
  const out = emptyEncodedRecord();
  const invalid = encodeServiceWatchRecord(logEntry, limits, out);
  return { ...out, invalid };
}

describe('translation to CreateCustomLogEvents', () => {
  it('turns the seed request into exactly the same body', () => {
    const body = toCreateCustomLogEventsBody(logEntriesFromOtlpJson(SEED_000_REQUEST));
    expect(JSON.parse(body)).toEqual(SEED_000_REQUEST);
  });

  it('frames records with one resourceLogs and one scopeLogs, routing attributes first, and an exact byte budget', () => {
    const resource = { 'service.name': 'svc', log_stream_value: 'from-resource' };
    const scope = { name: 'scope', version: '1.0' };
    const entries = ['a', 'ü'.repeat(50), '😀 "x"', 'last'].map((body, i) => entry({ body, attributes: { i }, resource, scope }));
    const records = entries.map((logEntry) => encoded(logEntry));
    for (const record of records) expect(record.size).toBe(Buffer.byteLength(record.fragment));
    const frame = createCustomLogEventsFrame(DESTINATION, entries[0]!, 10_000);
    expect(frame.head.toString()).toBe(
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"log_stream_value","value":{"stringValue":"stream"}},{"key":"log_group_value","value":{"stringValue":"group"}},' +
        '{"key":"account_id","value":{"stringValue":"acc"}},{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeLogs":[{"scope":{"name":"scope","version":"1.0"},"logRecords":[',
    );
    expect([frame.separator.toString(), frame.tail.toString()]).toEqual([',', ']}]}]}']);
    const body = Buffer.concat([frame.head, Buffer.from(records.map((record) => record.fragment).join(',')), frame.tail]);
    const parsed = JSON.parse(body.toString()) as Parsed;
    expect(parsed.resourceLogs).toHaveLength(1);
    expect(parsed.resourceLogs[0]!.scopeLogs).toHaveLength(1);
    expect(parsed.resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => (r as { body: { stringValue: string } }).body.stringValue)).toEqual(['a', 'ü'.repeat(50), '😀 "x"', 'last']);
    // The body is the frame plus each record and one comma between records; the budget counts a comma per record.
    const sizes = records.reduce((sum, record) => sum + record.size, 0);
    expect(body.length).toBe(frame.head.length + frame.tail.length + sizes + records.length - 1);
    expect(frame.maxRequestBytes).toBe(10_000 - frame.head.length - frame.tail.length + 1);
    const unscoped = createCustomLogEventsFrame(DESTINATION, entry({ resource: {} }), 10_000);
    expect(unscoped.head.length + unscoped.tail.length).toBe(MIN_FRAME_BYTES + 'streamgroupacc'.length);
  });

  it('gives records the same frame key exactly when their resource (routing attributes aside) and scope are the same', () => {
    const key = (overrides: Partial<LogEntry>) => encoded(entry(overrides)).frameKey;
    const base = key({ resource: { 'service.name': 'svc' }, scope: { name: 's' } });
    // Equal content in other objects (e.g. parsed from another OTLP request), or other routing values: same requests.
    expect(key({ resource: { 'service.name': 'svc' }, scope: { name: 's' } })).toBe(base);
    expect(key({ resource: { 'service.name': 'svc', log_group_value: 'g', account_id: 'x' }, scope: { name: 's' }, attributes: { k: 1 } })).toBe(base);
    expect(key({ resource: { 'service.name': 'other' }, scope: { name: 's' } })).not.toBe(base);
    expect(key({ resource: { 'service.name': 'svc' }, scope: { name: 's', version: '2' } })).not.toBe(base);
    expect(key({ resource: { 'service.name': 'svc' }, scope: undefined })).not.toBe(base);
  });

  it('serializes a resource once, however many records and scopes share it', () => {
    let reads = 0;
    const resource = Object.defineProperty({}, 'service.name', { enumerable: true, get: () => (reads++, 'counted') }) as Record<string, unknown>;
    const scopes = [{ name: 'a' }, { name: 'b' }];
    const keys = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const logEntry = entry({ resource, scope: scopes[i % 2], body: `r${i}` });
      keys.add(encoded(logEntry).frameKey);
      createCustomLogEventsFrame(DESTINATION, logEntry, 10_000);
    }
    expect(reads).toBe(1);
    expect(keys.size).toBe(2);
  });

  it('assembles one resourceLogs per resource and scope in the public body helper, each with the routing attributes first', () => {
    const entries = [
      entry({ scope: { name: 's1' }, body: 'one' }),
      entry({ resource: { 'service.name': 'other' }, scope: { name: 's1' }, body: 'two' }),
      entry({ scope: { name: 's2', version: '2' }, body: 'three' }),
      entry({ scope: { name: 's1' }, body: 'four' }),
    ];
    const parsed = JSON.parse(toCreateCustomLogEventsBody(entries)) as Parsed;
    expect(parsed.resourceLogs).toHaveLength(3);
    for (const resourceLogs of parsed.resourceLogs) {
      expect(resourceLogs.resource.attributes.slice(0, 3)).toEqual([
        { key: 'log_stream_value', value: { stringValue: 'stream' } },
        { key: 'log_group_value', value: { stringValue: 'group' } },
        { key: 'account_id', value: { stringValue: 'acc' } },
      ]);
      expect(resourceLogs.scopeLogs).toHaveLength(1);
    }
    const summary = parsed.resourceLogs.map((r) => [r.resource.attributes[3]!.value, r.scopeLogs[0]!.scope, r.scopeLogs[0]!.logRecords.length]);
    expect(summary).toEqual([
      [{ stringValue: 'svc' }, { name: 's1' }, 2],
      [{ stringValue: 'other' }, { name: 's1' }, 1],
      [{ stringValue: 'svc' }, { name: 's2', version: '2' }, 1],
    ]);
  });

  it('refuses a record within the event limit that cannot fit in one request with its resource and scope', () => {
    const resource = { 'service.name': 'svc', 'k8s.pod.annotations': 'a'.repeat(5_000) };
    const small = entry({ resource, body: 'x' });
    const envelope = createCustomLogEventsFrame(DESTINATION, small, 0);
    const envelopeBytes = envelope.head.length + envelope.tail.length;
    const fits = encoded(small, { maxRequestBytes: envelopeBytes + encoded(small).size, maxEventBytes: 1_000 });
    expect(fits.invalid).toBeUndefined();
    const refused = encoded(small, { maxRequestBytes: envelopeBytes + fits.size - 1, maxEventBytes: 1_000 });
    expect(refused.invalid).toEqual({ invalid: 'oversize', message: expect.stringMatching(new RegExp(`${fits.size}-byte log record .* \\(${envelopeBytes} bytes of envelope; limits.maxRequestBytes is ${envelopeBytes + fits.size - 1}\\); shorten the resource`)) });
    // Over the event limit it is left to the planner, which cuts it (to what fits its request) or drops it.
    expect(encoded(entry({ resource, body: 'x'.repeat(2_000) }), { maxRequestBytes: envelopeBytes + 100, maxEventBytes: 1_000 }).invalid).toBeUndefined();
  });

  it('refuses incomplete or mixed destinations', () => {
    expect(() => toCreateCustomLogEventsBody([entry({ destination: { ...DESTINATION, accountId: '' } })])).toThrow(/account_id missing/);
    expect(() => toCreateCustomLogEventsBody([entry(), entry({ destination: { ...DESTINATION, logStream: 'other' } })])).toThrow(/several destinations/);
    expect(() => toCreateCustomLogEventsBody([])).toThrow(/no log entries/);
  });
});
