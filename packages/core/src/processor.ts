import type { Context, MeterProvider } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { BatchQueue } from './batch-queue.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import type { LogEntry } from './model.ts';
import type { FlushReport, RecordQueue } from './record-queue.ts';
import { ResourceSettling } from './resource-settling.ts';
import { SpoolLock } from './spool/directory.ts';
import { resolveSpoolOptions, type SpoolOptions } from './spool/options.ts';
import { WorkerQueue } from './worker-queue.ts';

export interface ConstraintAwareBatchProcessorOptions {
  /** A provider exporter (CloudWatch Logs, Huawei LTS, SCP ServiceWatch). */
  readonly exporter: ConstraintAwareExporter;
  /** Longest time a record waits for its request to fill up. Default 1,000 ms. */
  readonly scheduledDelayMillis?: number;
  /** Memory bound: bytes of encoded records queued, waiting or in flight. Default 64 MiB. */
  readonly maxQueueBytes?: number;
  /** When the queue is full: drop the new record (default) or the oldest request not yet sent. */
  readonly overflow?: 'drop_newest' | 'drop_oldest';
  /** Requests in flight at once, across destinations. Default 8. */
  readonly maxConcurrentExports?: number;
  /** How long `shutdown()` waits for queued records before giving up on them. Default 30,000 ms. */
  readonly shutdownTimeoutMillis?: number;
  /**
   * Where encoding, batching, signing, HTTP and retries run: `'main'` (default) on the application's thread, or
   * `'worker'` in a `worker_threads` worker; the application's thread then only snapshots each record and hands
   * the snapshots over in chunks (one message per chunk, buffers transferred). The exporter's options must then
   * be copyable to a thread (no credentials function).
   */
  readonly thread?: 'main' | 'worker';
  /**
   * A durable spool: every accepted record is appended to segment files in `spool.directory` before it counts
   * as queued, and deleted once delivered (or counted as dropped); a restart with the same directory sends what
   * was left first. Records that do not fit in `maxQueueBytes` wait on disk (up to `spool.maxBytes`) instead of
   * being dropped. A SIGKILL loses at most the last `commitIntervalMillis` of records.
   */
  readonly spool?: SpoolOptions;
  /** Publishes the self-metrics through this MeterProvider (once, if the exporter already does). */
  readonly meterProvider?: MeterProvider;
}

export type { FlushReport } from './record-queue.ts';

export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/**
 * A `LogRecordProcessor` that batches per destination within the exporter's limits: each record is encoded once,
 * into the bytes of the request it travels in; a request is sealed the moment the next record would not fit (so
 * requests run full under load) or after `scheduledDelayMillis`; queued memory is bounded in bytes; and several
 * requests are in flight at once. With `thread: 'worker'` all of that runs in a worker thread.
 */
export class ConstraintAwareBatchProcessor implements LogRecordProcessor {
  readonly exporter: ConstraintAwareExporter;
  /** The memory bound in bytes. */
  readonly maxQueueBytes: number;
  private readonly shutdownTimeoutMillis: number;
  private readonly queue: RecordQueue;
  private readonly resources: ResourceSettling;
  private readonly spoolLock: SpoolLock | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: ConstraintAwareBatchProcessorOptions) {
    if (!options?.exporter) throw new TypeError('ConstraintAwareBatchProcessor: options.exporter is required (e.g. new CloudWatchLogsExporter({...}))');
    this.exporter = options.exporter;
    const scheduledDelayMillis = positive('scheduledDelayMillis', options.scheduledDelayMillis ?? 1_000);
    this.maxQueueBytes = positive('maxQueueBytes', options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES);
    const maxConcurrentExports = positive('maxConcurrentExports', options.maxConcurrentExports ?? 8);
    this.shutdownTimeoutMillis = positive('shutdownTimeoutMillis', options.shutdownTimeoutMillis ?? 30_000);
    const overflow = options.overflow ?? 'drop_newest';
    if (overflow !== 'drop_newest' && overflow !== 'drop_oldest') {
      throw new TypeError(`ConstraintAwareBatchProcessor: overflow must be 'drop_newest' or 'drop_oldest', got ${JSON.stringify(overflow)}`);
    }
    const thread = options.thread ?? 'main';
    if (thread !== 'main' && thread !== 'worker') throw new TypeError(`ConstraintAwareBatchProcessor: thread must be 'main' or 'worker', got ${JSON.stringify(thread)}`);
    const smallest = this.exporter.limits.maxEventBytes + this.exporter.limits.perEventOverheadBytes;
    if (this.maxQueueBytes < smallest) {
      throw new RangeError(`ConstraintAwareBatchProcessor: maxQueueBytes (${this.maxQueueBytes}) must hold at least one largest event (${smallest} bytes)`);
    }
    const spool = options.spool === undefined ? undefined : resolveSpoolOptions(options.spool, smallest);
    this.spoolLock = spool ? SpoolLock.acquire(spool.directory) : undefined;
    const queueOptions = { scheduledDelayMillis, maxQueueBytes: this.maxQueueBytes, overflow, maxConcurrentExports, spool };
    try {
      this.queue = thread === 'worker' ? WorkerQueue.create(this.exporter, queueOptions) : new BatchQueue(this.exporter, queueOptions);
    } catch (error) {
      this.spoolLock?.release();
      throw error;
    }
    this.resources = new ResourceSettling((record) => this.queue.enqueueRecord(record));
    if (options.meterProvider) this.exporter.metrics.bindMeterProvider(options.meterProvider);
  }

  /** The exporter's self-metrics, including this processor's queue. */
  get metrics() {
    return this.exporter.metrics;
  }

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    if (this.shutdownPromise) {
      this.exporter.recordDrop('shutdown', 1);
      return;
    }
    if (ResourceSettling.mustWait(record)) {
      if (!this.resources.hold(record)) this.exporter.recordDrop('queue_full', 1);
      return;
    }
    this.queue.enqueueRecord(record);
  }

  /**
   * Queues an entry that did not come from the SDK (e.g. decoded OTLP/JSON). Returns false when the record was
   * not queued (invalid, outside the time window, queue full, shut down): the exporter's metrics say why.
   */
  add(entry: LogEntry): boolean {
    if (this.shutdownPromise) {
      this.exporter.recordDrop('shutdown', 1);
      return false;
    }
    return this.queue.enqueueEntry(entry);
  }

  /**
   * Resolves once every record queued so far is in the spool's files (a killed process keeps them); at once
   * without a spool. A gateway answers a request only after this.
   */
  durable(): Promise<void> {
    return this.queue.durable();
  }

  /** How full the memory bound is, from 0 to 1: a gateway answers 429 above a threshold rather than queue more. */
  get queueFill(): number {
    return this.queue.queueFill;
  }

  forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    return this.flush(options?.timeoutMillis ?? this.shutdownTimeoutMillis).then(() => undefined);
  }

  /**
   * Seals every open request and waits until those and all earlier ones are finished, or `timeoutMillis` passes.
   * Records emitted meanwhile do not hold it up, so a flush under steady load still returns.
   */
  async flush(timeoutMillis: number): Promise<FlushReport> {
    const deadline = Date.now() + timeoutMillis;
    await this.resources.wait(timeoutMillis);
    const report = await this.queue.flush(Math.max(0, deadline - Date.now()));
    const complete = report.complete && this.resources.count === 0;
    const undeliveredRecords = report.undeliveredRecords + this.resources.count;
    if (!complete) {
      this.exporter.problems.warn('flush_timeout', `flush did not complete within ${timeoutMillis} ms: ${undeliveredRecords} log record(s) still queued or in flight`);
    }
    return { complete, undeliveredRecords };
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.stop();
    return this.shutdownPromise;
  }

  private async stop(): Promise<void> {
    const report = await this.flush(this.shutdownTimeoutMillis);
    if (!report.complete) {
      const abandoned = this.resources.abandon();
      if (abandoned > 0) this.exporter.recordDrop('shutdown', abandoned);
    }
    await this.queue.close(!report.complete);
    this.spoolLock?.release();
    if (!report.complete) {
      this.exporter.problems.error('shutdown_incomplete', `shutdown gave up on ${report.undeliveredRecords} log record(s) after ${this.shutdownTimeoutMillis} ms`);
    }
    await this.exporter.shutdown();
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`ConstraintAwareBatchProcessor: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}
