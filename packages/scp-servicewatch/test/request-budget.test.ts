import { DiagLogLevel, diag } from '@opentelemetry/api';
import { emptyEncodedRecord, type LogEntry } from '@otel-cloud-logs/core';
import { createCustomLogEventsFrame, encodeServiceWatchRecord, truncationMarker } from '@otel-cloud-logs/scp-servicewatch';
import { afterEach, describe, expect, it } from 'vitest';
import { DESTINATION, entry, exporterFor, planBodies, startEmulator } from './helpers.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
  diag.disable();
});

const MAX_BODY = 8_192;
const LIMITS = { maxRequestBytes: MAX_BODY, maxEventBytes: 6_000 };
const now = () => ({ timeMillis: Date.now(), timeUnixNano: BigInt(Date.now()) * 1_000_000n });

/** Records whose body, as one request, is exactly `MAX_BODY + extra` bytes (multibyte text included). */
function entriesFilling(extra: number): LogEntry[] {
  const resource = { 'service.name': 'budget' };
  const scope = { name: 'budget-scope' };
  const make = (body: string, seq: number) => entry({ ...now(), body, resource, scope, attributes: { seq } });
  const frame = createCustomLogEventsFrame(DESTINATION, make('', 0), MAX_BODY);
  const first = [make('가나다'.repeat(400), 1), make('a'.repeat(2_000), 2)];
  const out = emptyEncodedRecord();
  const size = (logEntry: LogEntry) => (encodeServiceWatchRecord(logEntry, LIMITS, out), out.size);
  // Two commas between three records.
  const room = MAX_BODY + extra - frame.head.length - frame.tail.length - 2 - first.reduce((sum, logEntry) => sum + size(logEntry), 0) - size(make('', 3));
  return [...first, make('😀'.repeat(Math.floor(room / 4)) + 'z'.repeat(room % 4), 3)];
}

function captureDiag(): string[] {
  const messages: string[] = [];
  const record = (message: string) => void messages.push(message);
  diag.setLogger({ error: record, warn: record, info: record, debug: record, verbose: record }, DiagLogLevel.WARN);
  return messages;
}

describe('the request budget', () => {
  it('fills a request to exactly the body limit, which the service takes, and splits one byte more', async () => {
    const limits = LIMITS;
    const exact = planBodies(exporterFor('http://127.0.0.1:1', { limits }), entriesFilling(0)).bodies;
    expect(exact.map((body) => Buffer.byteLength(body))).toEqual([MAX_BODY]);
    const parsed = JSON.parse(exact[0]!) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> };
    expect(parsed.resourceLogs).toHaveLength(1);
    expect(parsed.resourceLogs[0]!.scopeLogs[0]!.logRecords).toHaveLength(3);
    const over = planBodies(exporterFor('http://127.0.0.1:1', { limits }), entriesFilling(1)).bodies;
    expect(over).toHaveLength(2);
    expect(over.every((body) => Buffer.byteLength(body) <= MAX_BODY)).toBe(true);

    const { emulator, endpoint } = await startEmulator({ maxRequestBytes: MAX_BODY });
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, { limits });
    expect(await exporter.exportEntries(entriesFilling(0))).toBe(0);
    await exporter.shutdown();
    expect(emulator.logEventsRequests.map((r) => [r.status, r.bodyBytes, r.records])).toEqual([[202, MAX_BODY, 3]]);
  });

  it('drops, naming the resource as the cause, records that a resource leaves no room for; sends nothing', async () => {
    const messages = captureDiag();
    const { emulator, endpoint } = await startEmulator();
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, { limits: { maxRequestBytes: 4_096, maxEventBytes: 1_000 } });
    const resource = { 'service.name': 'svc', 'host.tags': 'r'.repeat(5_000) };
    const entries = [entry({ ...now(), resource, body: 'small' }), entry({ ...now(), resource, body: 'big'.repeat(1_000) })];
    expect(await exporter.exportEntries(entries)).toBe(0);
    await exporter.shutdown();
    expect(emulator.logEventsRequests).toHaveLength(0);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 0, dropped: { oversize: 2 }, rejectedTotal: 0 });
    expect(messages.some((message) => /log record does not fit in one request with its resource and scope .*shorten the resource attributes/.test(message))).toBe(true);
  });

  it('cuts an oversize record to what its request leaves beside a large resource; drops one that is within the event limit but not within that room', async () => {
    const { emulator, endpoint } = await startEmulator({ maxRequestBytes: 4_096 });
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, { limits: { maxRequestBytes: 4_096, maxEventBytes: 3_000 } });
    const resource = { 'service.name': 'svc', 'host.tags': 'r'.repeat(2_000) };
    const longBody = 'ü'.repeat(2_500);
    const entries = [entry({ ...now(), resource, body: longBody, attributes: { seq: 1 } }), entry({ ...now(), resource, body: 'm'.repeat(2_500), attributes: { seq: 2 } })];
    expect(await exporter.exportEntries(entries)).toBe(0);
    await exporter.shutdown();
    const stored = emulator.records();
    expect(stored.map((record) => record.attributes.seq)).toEqual([1]);
    expect((stored[0]!.body as string).endsWith(truncationMarker(Buffer.byteLength(longBody)))).toBe(true);
    expect(emulator.logEventsRequests.map((r) => r.status)).toEqual([202]);
    expect(emulator.logEventsRequests[0]!.bodyBytes).toBeGreaterThan(4_096 - 10);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 1, truncated: 1, dropped: { oversize: 1 }, rejectedTotal: 0 });
  });
});
