import { describe, expect, test, vi } from 'vitest';
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { HOUR, MemoryExporter, smallLimits } from './support/memory-exporter.ts';

const fastRetry = { initialDelayMillis: 5, maxDelayMillis: 20, deadlineMillis: 5_000 };

function setup(exporter: MemoryExporter, options: Partial<ConstructorParameters<typeof ConstraintAwareBatchProcessor>[0]> = {}) {
  const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 50, ...options });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'test' }), processors: [processor] });
  return { processor, provider, logger: provider.getLogger('test') };
}

describe('ConstraintAwareBatchProcessor', () => {
  test('sends full requests as soon as the next record would not fit', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const { provider, logger } = setup(exporter, { scheduledDelayMillis: 60_000 });
    // 74 bytes + 26 overhead = 100 bytes per record: exactly 100 per 10,000-byte request.
    for (let i = 0; i < 250; i++) logger.emit({ body: `record ${String(i).padStart(3, '0')} `.padEnd(74, 'x') });
    // Long before the 60 s delay: a request goes as soon as it is full.
    await vi.waitFor(() => expect(exporter.requests.map((r) => r.events.length)).toEqual([100, 100]), { timeout: 5_000 });
    await provider.shutdown();
    expect(exporter.requests.map((r) => r.events.length)).toEqual([100, 100, 50]);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 250, droppedTotal: 0, requests: 3, queueBytes: 0 });
  });

  test('sends a partial request after scheduledDelayMillis', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const { provider, logger } = setup(exporter, { scheduledDelayMillis: 30 });
    logger.emit({ body: 'lonely' });
    await vi.waitFor(() => expect(exporter.messages()).toEqual(['lonely']), { timeout: 5_000 });
    await provider.shutdown();
  });

  test('keeps destinations apart: record attribute, then resource attribute, then default', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const processor = new ConstraintAwareBatchProcessor({ exporter });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ log_group_value: 'resource-group' }),
      processors: [processor],
    });
    const logger = provider.getLogger('test');
    logger.emit({ body: 'a', attributes: { log_group_value: 'g1', log_stream_value: 's1' } });
    logger.emit({ body: 'b', attributes: { log_stream_value: 's2' } });
    logger.emit({ body: 'c' });
    await provider.shutdown();
    expect(exporter.messages({ logGroup: 'g1', logStream: 's1' })).toEqual(['a']);
    expect(exporter.messages({ logGroup: 'resource-group', logStream: 's2' })).toEqual(['b']);
    expect(exporter.messages({ logGroup: 'resource-group', logStream: 'default-stream' })).toEqual(['c']);
  });

  test('counts every record it does not send, by reason', async () => {
    const exporter = new MemoryExporter(smallLimits(), { oversizeEvents: 'drop' });
    const { provider, logger } = setup(exporter);
    const now = Date.now();
    logger.emit({ body: 'ok' });
    logger.emit({ body: 'old', timestamp: now - 15 * 24 * HOUR });
    logger.emit({ body: 'future', timestamp: now + 3 * HOUR });
    logger.emit({ body: 'x'.repeat(2_001) });
    logger.emit({ body: '' });
    logger.emit({ body: 'bad', attributes: { log_stream_value: 'a*b' } });
    await provider.shutdown();
    expect(exporter.messages()).toEqual(['ok']);
    expect(exporter.metrics.snapshot().dropped).toEqual({ too_old: 1, too_new: 1, oversize: 1, empty_message: 1, invalid_destination: 1 });
  });

  test('a record the exporter cannot encode is counted, never thrown into the application', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const { provider, logger } = setup(exporter);
    const hostile = { toJSON: () => undefined, get boom(): string { throw new Error('getter exploded'); } };
    expect(() => logger.emit({ body: hostile })).not.toThrow();
    logger.emit({ body: 'fine' });
    await provider.shutdown();
    expect(exporter.messages()).toEqual(['fine']);
    expect(exporter.metrics.snapshot().dropped).toEqual({ invalid_record: 1 });
  });

  test('truncates oversize records by default and counts them', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const { provider, logger } = setup(exporter);
    logger.emit({ body: '日'.repeat(1_000) }); // 3,000 bytes
    await provider.shutdown();
    const [message] = exporter.messages();
    expect(Buffer.byteLength(message!)).toBe(1_998); // 666 whole characters: 2,000 would split one
    expect(exporter.metrics.snapshot().truncated).toBe(1);
  });

  test('bounds memory: drop_newest keeps the oldest records, drop_oldest the newest', async () => {
    for (const overflow of ['drop_newest', 'drop_oldest'] as const) {
      const exporter = new MemoryExporter(smallLimits({ maxEventsPerRequest: 10 }));
      exporter.sendDelayMillis = 200;
      const { provider, logger } = setup(exporter, { maxQueueBytes: 3_000, maxConcurrentExports: 1, overflow });
      // Each record costs 100 bytes: 30 fit in the queue, the other 70 are dropped.
      for (let i = 0; i < 100; i++) logger.emit({ body: String(i).padStart(74, '0') });
      expect(exporter.metrics.snapshot().queueBytes).toBeLessThanOrEqual(3_000);
      await provider.shutdown();
      const snapshot = exporter.metrics.snapshot();
      expect(snapshot.exported + snapshot.dropped.queue_full!).toBe(100);
      const sent = exporter.messages().map(Number);
      if (overflow === 'drop_newest') expect(sent).toEqual(Array.from({ length: 30 }, (_, i) => i));
      else expect(sent).toContain(99);
    }
  });

  test('exports several destinations concurrently, up to the limit', async () => {
    const exporter = new MemoryExporter(smallLimits());
    exporter.sendDelayMillis = 50;
    const { provider, logger } = setup(exporter, { maxConcurrentExports: 3 });
    for (let d = 0; d < 8; d++) logger.emit({ body: `d${d}`, attributes: { log_stream_value: `s${d}` } });
    await provider.shutdown();
    expect(exporter.maxInFlight).toBe(3);
    expect(exporter.messages().sort()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']);
  });

  test('retries throttled requests with backoff and resends only the part that failed', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    exporter.behaviour = (_destination, events, attempt) => {
      if (attempt === 0) return { status: 'retry', error: new Error('throttled'), throttled: true };
      if (attempt === 1) {
        exporter.requests.push({ destination: _destination, events: events.slice(0, 2) });
        return { status: 'retry', error: new Error('partial'), remaining: [2, 3, 4] };
      }
      return undefined;
    };
    const { provider, logger } = setup(exporter);
    for (let i = 0; i < 5; i++) logger.emit({ body: `m${i}` });
    await provider.shutdown();
    expect(exporter.messages()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 5, retriedRequests: 2, throttledRequests: 1 });
  });

  test('honours Retry-After over the backoff delay', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    let firstAt = 0;
    let secondAt = 0;
    exporter.behaviour = (_d, _e, attempt) => {
      if (attempt === 0) {
        firstAt = Date.now();
        return { status: 'retry', error: new Error('slow down'), throttled: true, retryAfterMillis: 300 };
      }
      secondAt = Date.now();
      return undefined;
    };
    const { provider, logger } = setup(exporter);
    logger.emit({ body: 'x' });
    await provider.shutdown();
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(290);
  });

  test('does not retry permanent failures and counts them as rejected by reason', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    let calls = 0;
    exporter.behaviour = () => (calls++, { status: 'failed', error: new Error('bad'), reason: 'InvalidParameterException' });
    const { provider, logger } = setup(exporter);
    logger.emit({ body: 'a' });
    logger.emit({ body: 'b' });
    await provider.shutdown();
    expect(calls).toBe(1);
    expect(exporter.metrics.snapshot().rejected).toEqual({ InvalidParameterException: 2 });
  });

  test('gives up at the retry deadline and counts the records', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: { ...fastRetry, deadlineMillis: 100 } });
    exporter.behaviour = () => ({ status: 'retry', error: new Error('503') });
    const { provider, logger } = setup(exporter);
    logger.emit({ body: 'a' });
    await provider.shutdown();
    expect(exporter.metrics.snapshot().dropped).toEqual({ retry_deadline_exceeded: 1 });
  });

  test('shutdown waits for in-flight requests, and gives up on them at its deadline', async () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: { ...fastRetry, deadlineMillis: 60_000 } });
    exporter.behaviour = () => ({ status: 'retry', error: new Error('down') });
    const { provider, logger } = setup(exporter, { shutdownTimeoutMillis: 200 });
    for (let i = 0; i < 3; i++) logger.emit({ body: `m${i}` });
    const started = Date.now();
    await provider.shutdown();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(exporter.metrics.snapshot().dropped).toEqual({ shutdown: 3 });
    expect(exporter.metrics.snapshot().queueRecords).toBe(0);
  });

  test('forceFlush delivers everything queued', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const { processor, provider, logger } = setup(exporter, { scheduledDelayMillis: 60_000 });
    logger.emit({ body: 'a' });
    await processor.forceFlush();
    expect(exporter.messages()).toEqual(['a']);
    await provider.shutdown();
  });

  test('forceFlush under steady load returns once what was queued at the call is delivered', async () => {
    const exporter = new MemoryExporter(smallLimits());
    exporter.sendDelayMillis = 30;
    const { processor, provider, logger } = setup(exporter, { scheduledDelayMillis: 20 });
    for (let i = 0; i < 50; i++) logger.emit({ body: `before ${i}` });
    let n = 0;
    const steady = setInterval(() => logger.emit({ body: `during ${n++}` }), 1);
    try {
      const started = Date.now();
      await processor.forceFlush({ timeoutMillis: 10_000 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(exporter.messages().filter((m) => m.startsWith('before'))).toHaveLength(50);
    } finally {
      clearInterval(steady);
    }
    await provider.shutdown();
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 50 + n, droppedTotal: 0 });
  });

  test('waits for async resource attributes (detectors) before reading records, without reading them early', async () => {
    class ResourceAwareExporter extends MemoryExporter {
      override encode(entry: Parameters<MemoryExporter['encode']>[0], out: Parameters<MemoryExporter['encode']>[1]) {
        return super.encode({ ...entry, body: `${String(entry.resource['host.id'])} ${String(entry.body)}` }, out);
      }
    }
    const exporter = new ResourceAwareExporter(smallLimits());
    const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 });
    let settle!: (hostId: string) => void;
    const resource = resourceFromAttributes({ 'service.name': 'test', 'host.id': new Promise<string>((resolve) => (settle = resolve)) });
    const provider = new LoggerProvider({ resource, processors: [processor] });
    const { diag, DiagLogLevel } = await import('@opentelemetry/api');
    const complaints: string[] = [];
    diag.setLogger({ error: (m) => complaints.push(m), warn: (m) => complaints.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    try {
      provider.getLogger('test').emit({ body: 'early' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exporter.messages()).toEqual([]); // held, not sent without its attributes
      settle('host-7');
      provider.getLogger('test').emit({ body: 'also early' });
      await processor.forceFlush();
      expect(exporter.messages()).toEqual(['host-7 early', 'host-7 also early']);
      expect(complaints.filter((m) => m.includes('async attributes'))).toEqual([]);
    } finally {
      diag.disable();
    }
    await provider.shutdown();
  });

  test('shutdown gives up on records whose resource never settles, and counts them', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const processor = new ConstraintAwareBatchProcessor({ exporter, shutdownTimeoutMillis: 100 });
    const resource = resourceFromAttributes({ 'host.id': new Promise<string>(() => {}) });
    const provider = new LoggerProvider({ resource, processors: [processor] });
    provider.getLogger('test').emit({ body: 'stuck' });
    await provider.shutdown();
    expect(exporter.metrics.snapshot().dropped).toEqual({ shutdown: 1 });
  });

  test('rejects bad options with a clear message', () => {
    const exporter = new MemoryExporter(smallLimits());
    expect(() => new ConstraintAwareBatchProcessor({ exporter, maxQueueBytes: 100 })).toThrow(/maxQueueBytes .* at least one largest event/);
    expect(() => new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: -1 })).toThrow(/scheduledDelayMillis must be a positive number/);
    expect(() => new ConstraintAwareBatchProcessor({ exporter, overflow: 'block' as never })).toThrow(/overflow must be/);
    expect(() => new MemoryExporter(smallLimits(), { retry: { jitter: 2 } })).toThrow(/retry.jitter must be between 0 and 1/);
  });

  test('a retry option given as undefined keeps its default', () => {
    const exporter = new MemoryExporter(smallLimits(), { retry: { deadlineMillis: undefined, initialDelayMillis: 7 } });
    expect(exporter.retry).toMatchObject({ deadlineMillis: 60_000, initialDelayMillis: 7 });
  });
});

describe('provider exporter under the stock BatchLogRecordProcessor', () => {
  test('splits whatever batch it is given into valid requests', async () => {
    const exporter = new MemoryExporter(smallLimits({ maxEventsPerRequest: 7 }));
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 10 })] });
    const logger = provider.getLogger('test');
    const now = Date.now();
    for (let i = 0; i < 600; i++) logger.emit({ body: `m${i}`, timestamp: now - ((i * 7919) % 1000) });
    await provider.shutdown();
    expect(exporter.messages().length).toBe(600);
    expect(Math.max(...exporter.requests.map((r) => r.events.length))).toBe(7);
  });

  test('a diag report logged back into the same provider while a record is being queued corrupts nothing', async () => {
    const exporter = new MemoryExporter(smallLimits());
    const { provider, logger } = setup(exporter);
    const { diag, DiagLogLevel } = await import('@opentelemetry/api');
    const report = (message: string) => logger.emit({ body: `diag: ${message}` });
    diag.setLogger({ error: report, warn: report, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    try {
      logger.emit({ body: 'x'.repeat(5_000) }); // truncated: the processor reports it while queueing the record
      logger.emit({ body: 'after' });
      await provider.forceFlush();
    } finally {
      diag.disable();
    }
    const messages = exporter.messages();
    expect(messages).toHaveLength(3);
    expect(messages.some((m) => m.startsWith('diag: ') && m.includes('truncated'))).toBe(true);
    expect(messages).toContain('after');
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 3, truncated: 1, droppedTotal: 0, rejectedTotal: 0, queueBytes: 0, queueRecords: 0 });
    await provider.shutdown();
  });
});
