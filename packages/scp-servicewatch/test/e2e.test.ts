import { SeverityNumber } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor, emptyEncodedRecord } from '@otel-cloud-logs/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { ServiceWatchLogsExporter } from '@otel-cloud-logs/scp-servicewatch';
import { ACCOUNT, FAST_RETRY, GROUP, exporterFor, startEmulator } from './helpers.ts';
import { mulberry32 } from '../../../test/support/prng.ts';

const STREAMS = ['stream-a', 'stream-b', 'stream-c', 'stream-d'];
const ALPHABET = ['a', 'Z', ' ', 'é', 'ß', '한', '글', '😀', '"', '\\', '\n', '\t'];
const DAY = 86_400_000;


function text(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

type Fate = 'valid' | 'oversize' | 'too_old' | 'invalid_destination';

/** The SDK record `emit` would produce (resource and scope are not part of a record's size), to measure it. */
function recordOf(record: { body: string; timestamp: number; attributes: Record<string, number> }): ReadableLogRecord {
  const memory = new InMemoryLogRecordExporter();
  const probe = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  probe.getLogger('t').emit(record);
  return memory.getFinishedLogRecords()[0]!;
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('ServiceWatch end to end through ConstraintAwareBatchProcessor', () => {
  it('delivers every valid record exactly once, intact, and counts every other one by reason, through faults', async () => {
    const { emulator, endpoint } = await startEmulator({ maxRequestBytes: 65_536, maxEventBytes: 8_000, maxAgeMillis: DAY, requestsPerSecondPerStream: 200 });
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, {
      accountId: ACCOUNT,
      logGroupValue: GROUP,
      // The streams' rate, as provisioning answers it: without it the emulator, like the service, throttles the bursts.
      requestsPerSecond: 200,
      oversizeEvents: 'drop',
      limits: { maxRequestBytes: 65_536, maxEventBytes: 8_000, maxAgeMillis: DAY },
    });
    emulator.injectFault({ kind: 'throttle', operation: 'CreateCustomLogEvents', times: 6, probability: 0.4, retryAfterSeconds: 0 });
    emulator.injectFault({ kind: 'unavailable', operation: 'CreateCustomLogEvents', times: 4, probability: 0.3 });
    emulator.injectFault({ kind: 'internal', times: 2, probability: 0.3 });
    emulator.injectFault({ kind: 'reset', times: 3, probability: 0.3 });
    emulator.injectFault({ kind: 'delay', times: 5, delayMillis: 30 });
    const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 50 });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'e2e', 'host.name': 'test-host' }), processors: [processor] });
    const logger = provider.getLogger('end-to-end', '1.0.0');

    const random = mulberry32(20261122);
    const now = Date.now();
    const expected = new Map<number, { body: string; millis: number; stream: string; severity: SeverityNumber }>();
    const fates: Record<Fate, number> = { valid: 0, oversize: 0, too_old: 0, invalid_destination: 0 };
    for (let seq = 0; seq < 20_000; seq++) {
      if (seq % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve)); // let exports run, as an app would
      const roll = random();
      const fate: Fate = roll < 0.02 ? 'oversize' : roll < 0.04 ? 'too_old' : roll < 0.06 ? 'invalid_destination' : 'valid';
      fates[fate]++;
      const length = fate === 'oversize' ? 8_000 : Math.floor(random() ** 3 * 2_500);
      const body = text(random, length);
      const millis = fate === 'too_old' ? now - 2 * DAY : now - Math.floor(random() * 3_600_000);
      const stream = STREAMS[seq % STREAMS.length]!;
      const severity = seq % 2 ? SeverityNumber.INFO : SeverityNumber.ERROR;
      const attributes: Record<string, unknown> = { seq, 'log.kind': fate, ratio: seq / 7, ok: seq % 3 === 0, tags: ['x', seq] };
      if (fate !== 'invalid_destination') attributes.log_stream_value = stream;
      logger.emit({ body, timestamp: millis, severityNumber: severity, severityText: severity === SeverityNumber.INFO ? 'INFO' : 'ERROR', attributes: attributes as never });
      if (fate === 'valid') expected.set(seq, { body, millis, stream, severity });
    }
    await provider.shutdown();

    const stored = emulator.records();
    const seen = new Map<number, number>();
    for (const record of stored) {
      const seq = record.attributes.seq as number;
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
      const want = expected.get(seq);
      expect(want, `record ${seq} should not have been delivered`).toBeDefined();
      expect(record.body).toBe(want!.body);
      expect(record.timeUnixNano).toBe(String(BigInt(want!.millis) * 1_000_000n));
      expect(record.severityNumber).toBe(want!.severity);
      expect(record.attributes).toMatchObject({ seq, ratio: seq / 7, ok: seq % 3 === 0, tags: ['x', seq] });
      // The routing attributes travel in the resource of the request, not in every record (as with the other providers).
      expect(record.attributes).not.toHaveProperty('log_stream_value');
      expect([record.accountId, record.logGroupValue, record.logStreamValue]).toEqual([ACCOUNT, GROUP, want!.stream]);
      expect(record.resource).toMatchObject({ 'service.name': 'e2e', 'host.name': 'test-host', account_id: ACCOUNT });
      expect(record.scope).toEqual({ name: 'end-to-end', version: '1.0.0' });
    }
    expect(seen.size).toBe(expected.size);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(emulator.destinations().map((d) => d.logStreamValue))).toEqual(new Set(STREAMS));

    const metrics = exporter.metrics.snapshot();
    expect(metrics.exported).toBe(fates.valid);
    expect(metrics.dropped).toEqual({ oversize: fates.oversize, too_old: fates.too_old, invalid_destination: fates.invalid_destination });
    expect(metrics.rejectedTotal).toBe(0);
    // Every retry is one injected fault ('delay' only slows a request down): none comes from the service's own rate limit.
    const { throttle, unavailable, internal, reset } = emulator.faults.injected;
    expect(emulator.logEventsRequests.filter((request) => request.status === 429)).toHaveLength(0);
    expect(metrics.retriedRequests).toBe(throttle + unavailable + internal + reset);
    expect(metrics.throttledRequests).toBe(throttle);
    expect(Object.values(fates).every((count) => count > 20)).toBe(true);
    // Every request the service took was within the limits, and requests ran full.
    const accepted = emulator.logEventsRequests.filter((request) => request.status === 202);
    expect(accepted.every((request) => request.bodyBytes <= 65_536 && request.destinations.length === 1)).toBe(true);
    expect(accepted.length).toBeLessThan(fates.valid / 20);
    expect(emulator.faults.injected.reset + emulator.faults.injected.throttle + emulator.faults.injected.unavailable).toBeGreaterThan(0);
  });

  it('keeps a record of exactly the event limit whole, shortens larger ones (huge body or huge attributes) instead of dropping them, sends bodiless ones', async () => {
    const limit = 2_000;
    const { emulator, endpoint } = await startEmulator({ maxEventBytes: limit });
    stop = () => emulator.stop();
    const defaults = { accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 'stream-t' };
    const exporter = exporterFor(endpoint, { ...defaults, limits: { maxEventBytes: limit } });
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 20 })] });
    const logger = provider.getLogger('t');
    const timestamp = Date.now();
    // Multibyte text padded with ASCII to make the serialized record exactly `limit` bytes.
    const out = emptyEncodedRecord();
    const sizeOf = (body: string) => {
      exporter.encode(exporter.readRecord(recordOf({ body, timestamp, attributes: { seq: 0 } }))!, out);
      return out.size;
    };
    const room = limit - sizeOf('');
    const exact = '한'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3);
    expect(sizeOf(exact)).toBe(limit);
    logger.emit({ body: exact, timestamp, attributes: { seq: 0 } });
    logger.emit({ body: `${exact}x`, timestamp, attributes: { seq: 1 } });
    const longBody = '가나다😀'.repeat(1_000);
    logger.emit({ body: longBody, timestamp, attributes: { seq: 2 } });
    const stack = 'at handler (/srv/app/src/orders.ts:42:7)\n'.repeat(500);
    logger.emit({ body: 'request failed', timestamp, attributes: { seq: 3, 'exception.stacktrace': stack, 'user.id': 'kim' } });
    logger.emit({ timestamp, attributes: { seq: 4, 'event.kind': 'no body' } });
    await provider.shutdown();

    const bySeq = new Map(emulator.records().map((record) => [record.attributes.seq as number, record]));
    expect(bySeq.get(0)!.body).toBe(exact);
    const cutBody = bySeq.get(1)!.body as string;
    expect(cutBody.endsWith(`…[truncated by otel-cloud-logs: ${Buffer.byteLength(exact) + 1} bytes]`)).toBe(true);
    expect(exact.startsWith(cutBody.slice(0, cutBody.indexOf('…[truncated')))).toBe(true);
    expect((bySeq.get(2)!.body as string).endsWith(`…[truncated by otel-cloud-logs: ${Buffer.byteLength(longBody)} bytes]`)).toBe(true);
    const withHugeAttribute = bySeq.get(3)!;
    expect(withHugeAttribute.body).toBe('request failed');
    expect(withHugeAttribute.attributes['user.id']).toBe('kim');
    const cutStack = withHugeAttribute.attributes['exception.stacktrace'] as string;
    expect(cutStack.endsWith(`…[truncated by otel-cloud-logs: ${Buffer.byteLength(stack)} bytes]`)).toBe(true);
    expect(stack.startsWith(cutStack.slice(0, cutStack.indexOf('…[truncated')))).toBe(true);
    expect(cutStack.length).toBeGreaterThan(1_000);
    expect(bySeq.get(4)).toMatchObject({ body: '', attributes: { 'event.kind': 'no body' } });
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 5, truncated: 3, droppedTotal: 0, rejectedTotal: 0 });
  });

  it('sends each resource and scope in requests of their own, never a body over the limit', async () => {
    const { emulator, endpoint } = await startEmulator({ maxRequestBytes: 4_096 });
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, { accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 's', limits: { maxRequestBytes: 4_096, maxEventBytes: 1_000 } });
    const nanos = BigInt(Date.now()) * 1_000_000n;
    // Records of the 12 resources interleave in time, so the planner meets them alternately.
    const resourceLogs = Array.from({ length: 12 }, (_, i) => ({
      resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: `${i}-${'r'.repeat(300)}` } }] },
      scopeLogs: [{ scope: { name: `scope-${i}` }, logRecords: [0, 1, 2].map((n) => ({ timeUnixNano: String(nanos + BigInt(n * 12 + i)), body: { stringValue: `from ${i}.${n}` } })) }],
    }));
    expect(await exporter.exportOtlpJson({ resourceLogs })).toBe(0);
    await exporter.shutdown();
    const stored = emulator.records();
    expect(stored.map((r) => r.body).sort()).toEqual(resourceLogs.flatMap((_, i) => [0, 1, 2].map((n) => `from ${i}.${n}`)).sort());
    for (const record of stored) {
      const origin = /^from (\d+)\./.exec(record.body as string)![1];
      expect(String(record.resource['service.instance.id']).startsWith(`${origin}-`)).toBe(true);
      expect(record.scope).toEqual({ name: `scope-${origin}` });
    }
    expect(emulator.logEventsRequests.map((r) => [r.status, r.records])).toEqual(Array(12).fill([202, 3]));
    expect(emulator.logEventsRequests.every((r) => r.bodyBytes <= 4_096)).toBe(true);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 36, droppedTotal: 0, rejectedTotal: 0 });
  });

  it("thread 'worker': the same records arrive once each, under throttling, counted on the application's side, the records the application encodes itself for the lagging worker included", async () => {
    const { emulator, endpoint } = await startEmulator();
    stop = () => emulator.stop();
    emulator.injectFault({ kind: 'throttle', operation: 'CreateCustomLogEvents', times: 3, probability: 0.5, retryAfterSeconds: 0 });
    const exporter = new ServiceWatchLogsExporter({ endpoint, ...ServiceWatchEmulator.DEFAULT_CREDENTIAL, retry: FAST_RETRY, accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 'stream-w' });
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, thread: 'worker', scheduledDelayMillis: 20 })] });
    const logger = provider.getLogger('w');
    // On the application's thread the exporter encodes only records it takes over from a lagging worker: ~9 MB
    // logged in one go leave the worker behind.
    const encodedHere = vi.spyOn(exporter, 'encode');
    for (let i = 0; i < 3_000; i++) logger.emit({ body: `record ${i} ${'ünïcödé'.repeat(200)}`, attributes: { seq: i } });
    expect(encodedHere.mock.calls.length).toBeGreaterThan(300); // 1,513 in three runs
    await provider.shutdown();
    const bodies = emulator.records().map((record) => record.body);
    expect(bodies).toHaveLength(3_000);
    expect(new Set(bodies).size).toBe(3_000);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 3_000, droppedTotal: 0, rejectedTotal: 0, queueRecords: 0 });
  });
});
