import { describe, expect, test } from 'vitest';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor, logEntriesFromOtlpJson } from '@otel-cloud-logs/core';
import { HOUR, MemoryExporter, smallLimits } from './support/memory-exporter.ts';
import { randomService, seeded } from './support/random-service.ts';
import { WorkerMemoryExporter } from './support/worker-memory-exporter.ts';

const fastRetry = { initialDelayMillis: 2, maxDelayMillis: 10, deadlineMillis: 5_000 };


describe('every record ends in exactly one fate', () => {
  test('a timestamp the SDK cannot represent (NaN, Infinity, an invalid Date) never throws into the application', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 })] });
    const logger = provider.getLogger('test');
    for (const timestamp of [Number.NaN, Number.POSITIVE_INFINITY, new Date('not a date')]) {
      expect(() => logger.emit({ body: `at ${String(timestamp)}`, timestamp })).not.toThrow();
    }
    await provider.shutdown();
    // The record's time is unusable, so the observed time stands in for it (as when no timestamp is given).
    expect(exporter.messages()).toEqual(['at NaN', 'at Infinity', 'at Invalid Date']);
    expect(exporter.requests[0]!.events.every((event) => Math.abs(event.timeMillis - Date.now()) < 60_000)).toBe(true);
  });

  test('add() after shutdown is counted as shutdown, not left in a buffer', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 });
    await processor.shutdown();
    const [entry] = logEntriesFromOtlpJson(
      { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'late' }, timeUnixNano: String(BigInt(Date.now()) * 1_000_000n) }] }] }] },
      { logGroup: 'g', logStream: 's' },
    );
    expect(processor.add(entry!)).toBe(false);
    expect(exporter.metrics.snapshot()).toMatchObject({ dropped: { shutdown: 1 }, queueBytes: 0, queueRecords: 0 });
  });

  test('a request that waited in the queue until its records left the time window is not sent; they are counted too_old', async () => {
    const exporter = new MemoryExporter(smallLimits({ maxAgeMillis: 300, timeWindowMarginMillis: 0 }));
    exporter.sendDelayMillis = 500;
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10, maxConcurrentExports: 1 })] });
    const logger = provider.getLogger('test');
    logger.emit({ body: 'first', attributes: { log_stream_value: 'a' } });
    logger.emit({ body: 'waits', attributes: { log_stream_value: 'b' } }); // queued behind 'first' for 500 ms
    await provider.shutdown();
    expect(exporter.messages()).toEqual(['first']);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 1, dropped: { too_old: 1 } });
  });

  test('the accepted part of a partially accepted request still counts when shutdown aborts the rest', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    exporter.sendDelayMillis = 300;
    exporter.behaviour = (destination, events) => {
      exporter.requests.push({ destination, events: events.slice(0, 2) });
      return { status: 'retry', error: new Error('partly accepted'), remaining: events.slice(2).map((_, i) => i + 2) };
    };
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10, shutdownTimeoutMillis: 100 })] });
    for (let i = 0; i < 5; i++) provider.getLogger('test').emit({ body: `m${i}` });
    await provider.shutdown();
    expect(exporter.messages()).toEqual(['m0', 'm1']);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 2, dropped: { shutdown: 3 }, queueRecords: 0 });
  });

  test('a record the exporter cannot read is counted under the stock BatchLogRecordProcessor too', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const good = { hrTime: [Math.floor(Date.now() / 1000), 0], hrTimeObserved: [0, 0], body: 'ok', attributes: {}, resource: { attributes: {} }, instrumentationScope: { name: 'x' } };
    const hostile = { ...good, get resource(): never { throw new Error('resource getter exploded'); } };
    const result = await new Promise<{ code: number }>((resolve) => exporter.export([good, hostile] as never, resolve));
    expect(result.code).toBe(0);
    expect(exporter.messages()).toEqual(['ok']);
    expect(exporter.metrics.snapshot().dropped).toEqual({ invalid_record: 1 });
    await exporter.shutdown();
  });
});

/** Emits a random mix of valid and invalid records to a few destinations, yielding now and then. */
async function emitRandom(processor: LogRecordProcessor, count: number, random: () => number): Promise<void> {
  const provider = new LoggerProvider({ processors: [processor] });
  const logger = provider.getLogger('fates');
  const now = Date.now();
  for (let id = 0; id < count; id++) {
    if (id % 100 === 0) await new Promise((resolve) => setTimeout(resolve, random() * 6));
    const r = random();
    const attributes = { log_stream_value: r < 0.01 ? 'bad*stream' : `s${Math.floor(random() * 4)}` };
    const t = random();
    const timestamp = t < 0.05 ? now - 20 * 24 * HOUR : t < 0.08 ? now + 3 * HOUR : now - Math.floor(random() * 48 * HOUR);
    const b = random();
    const body = b < 0.03 ? '' : b < 0.05 ? `#${id} ${'x'.repeat(2_500)}` : `#${id} ${'é'.repeat(Math.floor(random() * 300))}`;
    logger.emit({ body, timestamp, attributes });
  }
  await provider.shutdown();
}

describe('conservation under a randomly failing service', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('ConstraintAwareBatchProcessor, seed %i: exported + dropped + rejected = emitted, each arrival once', async (seed) => {
    const random = seeded(seed);
    const exporter = new MemoryExporter(smallLimits(), { retry: { ...fastRetry, deadlineMillis: 20 + Math.floor(random() * 200) } });
    exporter.sendDelayMillis = 1;
    randomService(exporter, random);
    const processor = new ConstraintAwareBatchProcessor({
      exporter,
      scheduledDelayMillis: 5 + Math.floor(random() * 30),
      maxQueueBytes: 10_000 + Math.floor(random() * 300_000),
      overflow: random() < 0.5 ? 'drop_newest' : 'drop_oldest',
      maxConcurrentExports: 1 + Math.floor(random() * 4),
      shutdownTimeoutMillis: 20 + Math.floor(random() * 400),
    });
    const emitted = 3_000;
    await emitRandom(processor, emitted, random);
    const snapshot = exporter.metrics.snapshot();
    expect(snapshot.exported + snapshot.droppedTotal + snapshot.rejectedTotal).toBe(emitted);
    const arrived = exporter.messages();
    expect(arrived).toHaveLength(snapshot.exported);
    expect(new Set(arrived).size).toBe(arrived.length);
    expect(snapshot).toMatchObject({ queueBytes: 0, queueRecords: 0 });
    expect(snapshot.rejected.export_error).toBeUndefined(); // the exporter never saw an invalid request
  });

  test.each([11, 12])("thread 'worker', seed %i: the same conservation, counted on the application's side", async (seed) => {
    const random = seeded(seed);
    const deadlineMillis = 20 + Math.floor(random() * 200);
    const exporter = new WorkerMemoryExporter({ limits: smallLimits(), retry: { ...fastRetry, deadlineMillis }, serviceSeed: seed });
    const processor = new ConstraintAwareBatchProcessor({
      exporter,
      thread: 'worker',
      scheduledDelayMillis: 5 + Math.floor(random() * 30),
      maxQueueBytes: 10_000 + Math.floor(random() * 300_000),
      overflow: random() < 0.5 ? 'drop_newest' : 'drop_oldest',
      shutdownTimeoutMillis: 20 + Math.floor(random() * 400),
    });
    const emitted = 3_000;
    await emitRandom(processor, emitted, random);
    const snapshot = exporter.metrics.snapshot();
    expect(snapshot.exported + snapshot.droppedTotal + snapshot.rejectedTotal).toBe(emitted);
    expect(snapshot.exported).toBeGreaterThan(0);
    expect(snapshot).toMatchObject({ queueBytes: 0, queueRecords: 0 });
    expect(snapshot.rejected.export_error).toBeUndefined();
  });

  test("thread 'worker' dying mid-flight: what it held is counted once, as worker_failed, never twice", async () => {
    let died = 0;
    for (const seed of [12, 13, 14]) {
      const random = seeded(seed);
      const exporter = new WorkerMemoryExporter({ limits: smallLimits(), retry: fastRetry, serviceSeed: seed, workerDiesAfterMillis: 60 });
      const processor = new ConstraintAwareBatchProcessor({ exporter, thread: 'worker', scheduledDelayMillis: 10, shutdownTimeoutMillis: 2_000 });
      const emitted = 2_000;
      await emitRandom(processor, emitted, random);
      const snapshot = exporter.metrics.snapshot();
      expect(snapshot.exported + snapshot.droppedTotal + snapshot.rejectedTotal, `seed ${seed}`).toBe(emitted);
      if ((snapshot.dropped.worker_failed ?? 0) > 0) died++;
    }
    expect(died).toBeGreaterThan(0);
  });

  test("thread 'worker' whose exporter cannot be built there: every record is counted as worker_failed, flush and shutdown return", async () => {
    const exporter = new WorkerMemoryExporter({ limits: smallLimits(), exportName: 'NoSuchExporter' });
    const processor = new ConstraintAwareBatchProcessor({ exporter, thread: 'worker', scheduledDelayMillis: 5 });
    const provider = new LoggerProvider({ processors: [processor] });
    for (let i = 0; i < 10; i++) provider.getLogger('test').emit({ body: `m${i}` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 5; i++) provider.getLogger('test').emit({ body: `late ${i}` });
    const report = await processor.flush(1_000);
    expect(report.complete).toBe(false);
    await provider.shutdown();
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 0, dropped: { worker_failed: 15 }, droppedTotal: 15 });
  });

  test.each([9, 10])('stock BatchLogRecordProcessor, seed %i: the same conservation', async (seed) => {
    const random = seeded(seed);
    const exporter = new MemoryExporter(smallLimits({ maxEventsPerRequest: 17 }), { retry: { ...fastRetry, deadlineMillis: 300 } });
    randomService(exporter, random);
    const emitted = 2_000;
    await emitRandom(new BatchLogRecordProcessor({ exporter, maxQueueSize: emitted, maxExportBatchSize: 300, scheduledDelayMillis: 5 }), emitted, random);
    const snapshot = exporter.metrics.snapshot();
    expect(snapshot.exported + snapshot.droppedTotal + snapshot.rejectedTotal).toBe(emitted);
    expect(exporter.messages()).toHaveLength(snapshot.exported);
    expect(snapshot.rejected.export_error).toBeUndefined();
  });
});
