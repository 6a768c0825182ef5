import type { Context, MeterProvider } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { Batcher } from './batcher.ts';
import { emptyEncodedRecord } from './codec.ts';
import { InThreadDispatcher, type Dispatcher, type SealedRequest } from './dispatch.ts';
import type { EncodedBatch } from './encoded-batch.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import type { DropReason } from './metrics.ts';
import type { Destination, LogEntry } from './model.ts';
import { fitRecord } from './planner.ts';
import { ResourceSettling } from './resource-settling.ts';
import { WorkerDispatcher } from './worker-dispatcher.ts';

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
   * Where signing, HTTP and retries run: `'main'` (default) on the application's thread, or `'worker'` in a
   * `worker_threads` worker, to which sealed requests are handed as transferred bytes (one message per request).
   * Records are encoded on the application's thread either way.
   */
  readonly thread?: 'main' | 'worker';
  /** Publishes the self-metrics through this MeterProvider (once, if the exporter already does). */
  readonly meterProvider?: MeterProvider;
}

/** Result of the last `forceFlush()`/`shutdown()`: what was still undelivered when its deadline passed. */
export interface FlushReport {
  readonly complete: boolean;
  readonly undeliveredRecords: number;
}

export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/**
 * A `LogRecordProcessor` that batches per destination within the exporter's limits: each record is encoded once,
 * into the bytes of the request it travels in; a request is sealed the moment the next record would not fit (so
 * requests run full under load) or after `scheduledDelayMillis`; queued memory is bounded in bytes; and several
 * requests are in flight at once.
 */
export class ConstraintAwareBatchProcessor implements LogRecordProcessor {
  readonly exporter: ConstraintAwareExporter;
  private readonly scheduledDelayMillis: number;
  /** The memory bound in bytes. */
  readonly maxQueueBytes: number;
  private readonly overflow: 'drop_newest' | 'drop_oldest';
  private readonly maxConcurrentExports: number;
  private readonly shutdownTimeoutMillis: number;
  private readonly batcher: Batcher;
  private readonly dispatcher: Dispatcher;
  private readonly resources: ResourceSettling;
  /** Reused for every record: encoding allocates nothing but the fragment string. */
  private readonly scratch = emptyEncodedRecord();
  private readonly ready: SealedRequest[] = [];
  private inFlight = 0;
  /** Records of each sealed request not yet finished (delivered, refused or dropped), by seq. */
  private readonly unfinished = new Map<number, number>();
  private readonly flushWaiters = new Set<() => void>();
  private sealedCount = 0;
  private queueBytes = 0;
  private queueRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private readonly removeQueueSource: () => void;

  constructor(options: ConstraintAwareBatchProcessorOptions) {
    if (!options?.exporter) throw new TypeError('ConstraintAwareBatchProcessor: options.exporter is required (e.g. new CloudWatchLogsExporter({...}))');
    this.exporter = options.exporter;
    this.scheduledDelayMillis = positive('scheduledDelayMillis', options.scheduledDelayMillis ?? 1_000);
    this.maxQueueBytes = positive('maxQueueBytes', options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES);
    this.maxConcurrentExports = positive('maxConcurrentExports', options.maxConcurrentExports ?? 8);
    this.shutdownTimeoutMillis = positive('shutdownTimeoutMillis', options.shutdownTimeoutMillis ?? 30_000);
    this.overflow = options.overflow ?? 'drop_newest';
    if (this.overflow !== 'drop_newest' && this.overflow !== 'drop_oldest') {
      throw new TypeError(`ConstraintAwareBatchProcessor: overflow must be 'drop_newest' or 'drop_oldest', got ${JSON.stringify(this.overflow)}`);
    }
    const thread = options.thread ?? 'main';
    if (thread !== 'main' && thread !== 'worker') throw new TypeError(`ConstraintAwareBatchProcessor: thread must be 'main' or 'worker', got ${JSON.stringify(thread)}`);
    const smallest = this.exporter.limits.maxEventBytes + this.exporter.limits.perEventOverheadBytes;
    if (this.maxQueueBytes < smallest) {
      throw new RangeError(`ConstraintAwareBatchProcessor: maxQueueBytes (${this.maxQueueBytes}) must hold at least one largest event (${smallest} bytes)`);
    }
    this.dispatcher = thread === 'worker' ? WorkerDispatcher.forExporter(this.exporter) : new InThreadDispatcher(this.exporter);
    this.batcher = new Batcher(this.exporter, (destination, batch) => this.onSealed(destination, batch));
    this.resources = new ResourceSettling((record) => {
      const entry = this.exporter.readRecord(record);
      if (entry) this.enqueue(entry);
    });
    if (options.meterProvider) this.exporter.metrics.bindMeterProvider(options.meterProvider);
    this.removeQueueSource = this.exporter.metrics.addQueueSource(() => ({ bytes: this.queueBytes, records: this.queueRecords }));
  }

  /** The exporter's self-metrics, including this processor's queue. */
  get metrics() {
    return this.exporter.metrics;
  }

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    if (this.shutdownPromise) {
      this.drop('shutdown', 1);
      return;
    }
    if (ResourceSettling.mustWait(record)) {
      if (!this.resources.hold(record)) this.drop('queue_full', 1);
      return;
    }
    const entry = this.exporter.readRecord(record);
    if (entry) this.enqueue(entry);
  }

  /**
   * Queues an entry that did not come from the SDK (e.g. decoded OTLP/JSON). Returns false when the record was
   * not queued (invalid, outside the time window, queue full, shut down): the exporter's metrics say why.
   */
  add(entry: LogEntry): boolean {
    if (this.shutdownPromise) {
      this.drop('shutdown', 1);
      return false;
    }
    return this.enqueue(entry);
  }

  private enqueue(entry: LogEntry): boolean {
    const exporter = this.exporter;
    const record = this.scratch;
    if (!exporter.encodeEntry(entry, record)) return false;
    const now = Date.now();
    const verdict = fitRecord(exporter, entry, record, now, exporter.mode);
    if (verdict !== 'ok' && verdict !== 'truncated') {
      this.drop(verdict, 1);
      return false;
    }
    const cost = record.fragmentBytes;
    if (this.queueBytes + cost > this.maxQueueBytes && !this.makeRoom(cost)) {
      this.drop('queue_full', 1);
      return false;
    }
    // Counted only once queued: `truncated` counts shortened records that are still delivered.
    if (verdict === 'truncated') exporter.recordTruncated(1);
    this.queueBytes += cost;
    this.queueRecords++;
    this.batcher.add(entry, record, now);
    record.fragment = ''; // do not keep the last record's text alive
    this.pump();
    this.armTimer();
    return true;
  }

  /** How full the memory bound is, from 0 to 1: a gateway answers 429 above a threshold rather than queue more. */
  get queueFill(): number {
    return this.queueBytes / this.maxQueueBytes;
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
    this.batcher.sealAll();
    this.pump();
    const upTo = this.sealedCount;
    const complete = (await this.waitFor(upTo, Math.max(0, deadline - Date.now()))) && this.resources.count === 0;
    const undeliveredRecords = this.unfinishedRecords(upTo) + this.resources.count;
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
      // Give up on what is left: abort in-flight requests (counted as dropped 'shutdown' by delivery) and queued ones.
      this.dispatcher.abort(new Error('shutdown deadline passed'));
      for (const request of this.ready.splice(0)) this.release(request, 'shutdown');
      const abandoned = this.resources.abandon();
      if (abandoned > 0) this.drop('shutdown', abandoned);
      await this.waitFor(this.sealedCount, 1_000);
      this.exporter.problems.error('shutdown_incomplete', `shutdown gave up on ${report.undeliveredRecords} log record(s) after ${this.shutdownTimeoutMillis} ms`);
    }
    clearTimeout(this.timer);
    this.removeQueueSource();
    await this.dispatcher.close();
    await this.exporter.shutdown();
  }

  private drop(reason: DropReason, count: number): void {
    this.exporter.recordDrop(reason, count);
  }

  /** With overflow 'drop_oldest', frees memory by dropping the oldest requests that are not in flight yet. */
  private makeRoom(cost: number): boolean {
    if (this.overflow !== 'drop_oldest') return false;
    while (this.queueBytes + cost > this.maxQueueBytes && this.ready.length > 0) {
      this.release(this.ready.shift()!, 'queue_full');
    }
    return this.queueBytes + cost <= this.maxQueueBytes;
  }

  private release(request: SealedRequest, dropReason?: DropReason): void {
    this.queueBytes -= request.queueBytes;
    this.queueRecords -= request.records;
    this.unfinished.delete(request.seq);
    if (dropReason) this.drop(dropReason, request.records);
    for (const wake of this.flushWaiters) wake();
  }

  private onSealed(destination: Destination, batch: EncodedBatch): void {
    const seq = ++this.sealedCount;
    this.unfinished.set(seq, batch.length);
    this.ready.push({ seq, destination, batch, records: batch.length, queueBytes: batch.fragmentBytes });
  }

  private pump(): void {
    while (this.inFlight < this.maxConcurrentExports && this.ready.length > 0) {
      const request = this.ready.shift()!;
      this.inFlight++;
      void this.dispatcher.dispatch(request, Date.now() + this.exporter.retry.deadlineMillis).then(() => {
        this.inFlight--;
        this.release(request);
        this.pump();
      });
    }
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.onTimer(), this.scheduledDelayMillis);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = Date.now();
    const earliestOpen = this.batcher.sealDue(now, this.scheduledDelayMillis);
    this.pump();
    if (earliestOpen !== Infinity) {
      this.timer = setTimeout(() => this.onTimer(), Math.max(1, earliestOpen + this.scheduledDelayMillis - now));
      this.timer.unref();
    }
  }

  private unfinishedRecords(upTo: number): number {
    let records = 0;
    for (const [seq, count] of this.unfinished) if (seq <= upTo) records += count;
    return records;
  }

  /** Resolves true once every request sealed up to `upTo` is finished, false at the timeout. */
  private waitFor(upTo: number, timeoutMillis: number): Promise<boolean> {
    // Seqs are inserted in ascending order and a Map keeps insertion order: the first key is the oldest.
    const finished = () => {
      const oldest = this.unfinished.keys().next().value;
      return oldest === undefined || oldest > upTo;
    };
    if (finished()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (complete: boolean) => {
        clearTimeout(timer);
        this.flushWaiters.delete(check);
        resolve(complete);
      };
      const check = () => {
        if (finished()) done(true);
      };
      const timer = setTimeout(() => done(finished()), timeoutMillis);
      this.flushWaiters.add(check);
    });
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`ConstraintAwareBatchProcessor: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}
