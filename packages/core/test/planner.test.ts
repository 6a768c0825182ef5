import { describe, expect, test } from 'vitest';
import { planRequests, utf8ByteLength, type Destination, type DropReason, type LogEntry, type OversizeMode, type ProviderLimits, type RecordCodec } from '@otel-cloud-logs/core';

/** A record whose service-counted size is given outright; its wire fragment is its id. */
interface TestEvent {
  readonly id: number;
  readonly timeMillis: number;
  readonly size: number;
}

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 22, 12);
const cloudWatchLike: ProviderLimits = {
  maxRequestBytes: 1_048_576,
  perEventOverheadBytes: 26,
  maxEventsPerRequest: 10_000,
  maxEventBytes: 1_048_550,
  maxSpanMillis: 24 * HOUR,
  chronological: true,
  maxAgeMillis: 14 * 24 * HOUR,
  maxFutureMillis: 2 * HOUR,
  timeWindowMarginMillis: 5 * 60_000,
};
const truncating: OversizeMode = 'truncate';
const dropping: OversizeMode = 'drop';
const destination: Destination = { logGroup: 'g', logStream: 's', accountId: '' };

function testCodec(limits: ProviderLimits): RecordCodec {
  return {
    limits,
    destinationDefaults: {},
    checkDestination: () => undefined,
    encode(entry, out) {
      const event = entry.body as TestEvent;
      out.fragment = String(event.id);
      out.fragmentBytes = utf8ByteLength(out.fragment);
      out.size = event.size;
      out.timeMillis = event.timeMillis;
      out.frameKey = '';
      return undefined;
    },
    truncate(entry, maxSize, out) {
      this.encode(entry, out);
      out.size = maxSize;
      return true;
    },
    frame: () => ({ head: Buffer.from('['), separator: Buffer.from(','), tail: Buffer.from(']'), maxRequestBytes: limits.maxRequestBytes }),
  };
}

/** Plans test events and reads each request back: the ids from the body as sent, sizes and times as planned. */
function plan(events: readonly TestEvent[], limits: ProviderLimits, now: number, mode: OversizeMode) {
  const codec = testCodec(limits);
  const entries = events.map((event): LogEntry => ({ timeUnixNano: BigInt(event.timeMillis) * 1_000_000n, timeMillis: event.timeMillis, body: event, attributes: {}, resource: {}, destination }));
  const result = planRequests(codec, entries, now, mode, (entry, out) => codec.encode(entry, out) === undefined);
  const requests = result.requests.map(({ batch }) => {
    const ids = JSON.parse(batch.body().toString('utf8')) as number[];
    return { bytes: batch.requestBytes, events: ids.map((id, i): TestEvent => ({ id, timeMillis: batch.timeAt(i), size: batch.sizeAt(i) })) };
  });
  return { requests, dropped: result.dropped as Partial<Record<DropReason, number>>, truncated: result.truncated };
}

let nextId = 0;
const ev = (timeMillis: number, size: number): TestEvent => ({ id: nextId++, timeMillis, size });

const huaweiLike: ProviderLimits = {
  maxRequestBytes: 512 * 1024,
  perEventOverheadBytes: 40,
  maxEventsPerRequest: 4_096,
  maxEventBytes: 1_000_000,
  chronological: false,
  maxAgeMillis: 24 * HOUR,
  maxFutureMillis: 24 * HOUR,
  timeWindowMarginMillis: 60_000,
};

/** Every property a request must have for the service to accept it whole. */
function assertValid(events: readonly TestEvent[], limits: ProviderLimits): void {
  expect(events.length).toBeGreaterThan(0);
  expect(events.length).toBeLessThanOrEqual(limits.maxEventsPerRequest);
  const bytes = events.reduce((sum, e) => sum + e.size + limits.perEventOverheadBytes, 0);
  // Over the fill target only as a lone event within the event limit.
  if (bytes > limits.maxRequestBytes) expect(events.length).toBe(1);
  if (limits.chronological) for (let i = 1; i < events.length; i++) expect(events[i]!.timeMillis).toBeGreaterThanOrEqual(events[i - 1]!.timeMillis);
  const times = events.map((e) => e.timeMillis);
  if (limits.maxSpanMillis !== undefined) expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(limits.maxSpanMillis);
  for (const e of events) {
    expect(e.size).toBeLessThanOrEqual(limits.maxEventBytes);
    expect(e.timeMillis).toBeGreaterThanOrEqual(NOW - limits.maxAgeMillis! + limits.timeWindowMarginMillis);
    expect(e.timeMillis).toBeLessThanOrEqual(NOW + limits.maxFutureMillis! - limits.timeWindowMarginMillis);
  }
}

describe('planRequests', () => {
  test('packs exactly up to the byte limit, counting the per-event overhead', () => {
    // 4 events of (262,118 + 26) bytes = 1,048,576 exactly: one request. A fifth of 1 byte must start another.
    const exact = [ev(NOW, 262_118), ev(NOW, 262_118), ev(NOW, 262_118), ev(NOW, 262_118)];
    const result = plan([...exact, ev(NOW, 1)], cloudWatchLike, NOW, truncating);
    expect(result.requests.map((r) => r.events.length)).toEqual([4, 1]);
    expect(result.requests[0]!.bytes).toBe(1_048_576);
  });

  test('an event larger than the request target but within the event limit travels alone', () => {
    const target: ProviderLimits = { ...cloudWatchLike, maxRequestBytes: 1_000, maxEventBytes: 5_000, maxSpanMillis: undefined, chronological: false };
    const result = plan([ev(NOW, 400), ev(NOW, 3_000), ev(NOW, 400), ev(NOW, 400), ev(NOW, 5_001)], target, NOW, dropping);
    expect(result.requests.map((r) => r.events.map((e) => e.size))).toEqual([[400], [3_000], [400, 400]]);
    expect(result.requests.map((r) => r.bytes)).toEqual([426, 3_026, 852]);
    expect(result.dropped).toEqual({ oversize: 1 });
  });

  test('splits at 10,000 events', () => {
    const events = Array.from({ length: 20_001 }, (_, i) => ev(NOW - i, 1));
    const result = plan(events, cloudWatchLike, NOW, truncating);
    expect(result.requests.map((r) => r.events.length)).toEqual([10_000, 10_000, 1]);
  });

  test('splits when the span would exceed 24 h, and keeps exactly 24 h together', () => {
    const start = NOW - 3 * 24 * HOUR;
    const result = plan([ev(start, 10), ev(start + 24 * HOUR, 10), ev(start + 24 * HOUR + 1, 10)], cloudWatchLike, NOW, truncating);
    expect(result.requests.map((r) => r.events.map((e) => e.timeMillis - start))).toEqual([[0, 24 * HOUR], [24 * HOUR + 1]]);
  });

  test('sorts by time, stable for equal timestamps', () => {
    const a = ev(NOW - 5, 1);
    const b = ev(NOW - 10, 1);
    const c = ev(NOW - 5, 1);
    const result = plan([a, b, c], cloudWatchLike, NOW, truncating);
    expect(result.requests[0]!.events.map((e) => e.id)).toEqual([b.id, a.id, c.id]);
  });

  test('drops events outside the window with the safety margin, by reason', () => {
    const margin = cloudWatchLike.timeWindowMarginMillis;
    const oldest = NOW - 14 * 24 * HOUR + margin;
    const newest = NOW + 2 * HOUR - margin;
    const result = plan([ev(oldest, 1), ev(oldest - 1, 1), ev(newest, 1), ev(newest + 1, 1)], cloudWatchLike, NOW, truncating);
    expect(result.dropped).toEqual({ too_old: 1, too_new: 1 });
    expect(result.requests.flatMap((r) => r.events.map((e) => e.timeMillis))).toEqual([oldest, newest]);
  });

  test('truncates or drops oversize events as configured; exactly-at-limit events pass untouched', () => {
    const events = [ev(NOW, 1_048_550), ev(NOW, 1_048_551)];
    const truncated = plan(events, cloudWatchLike, NOW, truncating);
    expect(truncated.truncated).toBe(1);
    expect(truncated.requests.flatMap((r) => r.events.map((e) => e.size))).toEqual([1_048_550, 1_048_550]);
    const dropped = plan(events, cloudWatchLike, NOW, dropping);
    expect(dropped.dropped).toEqual({ oversize: 1 });
    expect(dropped.requests.flatMap((r) => r.events.map((e) => e.size))).toEqual([1_048_550]);
  });

  test.each([
    ['CloudWatch-like limits', cloudWatchLike],
    ['a request target below the event limit (Huawei-like)', huaweiLike],
  ])('randomised with %s: every request is valid and every valid event is planned exactly once', (_name, limits) => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 15; round++) {
      const count = 1 + Math.floor(random() * 25_000);
      const events = Array.from({ length: count }, () => {
        const r = random();
        const size = r < 0.001 ? limits.maxEventBytes + 1 + Math.floor(random() * 10) : r < 0.01 ? Math.floor(random() * 600_000) : Math.floor(random() * 2_000);
        // Spread over the whole window plus some on both sides of it.
        const time = NOW - Math.floor(limits.maxAgeMillis! * 1.1) + Math.floor(random() * (limits.maxAgeMillis! * 1.1 + limits.maxFutureMillis! * 1.5));
        return ev(time, size);
      });
      const policy = random() < 0.5 ? truncating : dropping;
      const result = plan(events, limits, NOW, policy);
      const seen = new Map<number, number>();
      for (const request of result.requests) {
        assertValid(request.events, limits);
        for (const e of request.events) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      }
      const droppedTotal = Object.values(result.dropped).reduce((a, b) => a + b, 0);
      expect(seen.size + droppedTotal).toBe(count);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    }
  });
});
