import type { Context, MeterProvider } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { BatchBuilder, type WireEvent } from './batch.ts';
import { deliver } from './delivery.ts';
import { describeDrop, type ConstraintAwareExporter } from './exporter.ts';
import type { DropReason } from './metrics.ts';
import { destinationKey, type Destination, type LogEntry } from './model.ts';
import { fitEvent } from './planner.ts';

export interface ConstraintAwareBatchProcessorOptions<E extends WireEvent> {
  /** A provider exporter (CloudWatch Logs, Huawei LTS, SCP ServiceWatch). */
  readonly exporter: ConstraintAwareExporter<E>;
  /** Longest time a record waits for its request to fill up. Default 1,000 ms. */
  readonly scheduledDelayMillis?: number;
  /** Memory bound: bytes of records queued, waiting or in flight. Default 64 MiB. */
  readonly maxQueueBytes?: number;
  /** When the queue is full: drop the new record (default) or the oldest request not yet sent. */
  readonly overflow?: 'drop_newest' | 'drop_oldest';
  /** Requests in flight at once, across destinations. Default 8. */
  readonly maxConcurrentExports?: number;
  /** How long `shutdown()` waits for queued records before giving up on them. Default 30,000 ms. */
  readonly shutdownTimeoutMillis?: number;
  /** Publishes the self-metrics through this MeterProvider (once, if the exporter already does). */
  readonly meterProvider?: MeterProvider;
}

interface ReadyRequest<E> {
  /** Order of sealing: a flush waits for the requests sealed up to its call, not for later ones. */
  readonly seq: number;
  readonly destination: Destination;
  readonly events: E[];
  readonly queueBytes: number;
}

interface DestinationBuffer<E extends WireEvent> {
  readonly destination: Destination;
  readonly builder: BatchBuilder<E>;
  openedAt: number;
}

/** Result of the last `forceFlush()`/`shutdown()`: what was still undelivered when its deadline passed. */
export interface FlushReport {
  readonly complete: boolean;
  readonly undeliveredRecords: number;
}

export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/** Records held while their resource's async attributes settle (usually milliseconds after start-up). */
const MAX_HELD_RECORDS = 10_000;

/**
 * A `LogRecordProcessor` that batches per destination within the exporter's limits: a request is sealed
 * the moment the next record would not fit (so requests run full under load) or after
 * `scheduledDelayMillis`, queued memory is bounded in bytes, and several requests are in flight at once.
 */
export class ConstraintAwareBatchProcessor<E extends WireEvent> implements LogRecordProcessor {
  readonly exporter: ConstraintAwareExporter<E>;
  private readonly scheduledDelayMillis: number;
  /** The memory bound in bytes. */
  readonly maxQueueBytes: number;
  private readonly overflow: 'drop_newest' | 'drop_oldest';
  private readonly maxConcurrentExports: number;
  private readonly shutdownTimeoutMillis: number;
  private readonly buffers = new Map<string, DestinationBuffer<E>>();
  private readonly ready: ReadyRequest<E>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Records waiting for their resource's async attributes, by resource; bounded by MAX_HELD_RECORDS. */
  private readonly held = new Map<ReadWriteLogRecord['resource'], ReadWriteLogRecord[]>();
  private heldRecords = 0;
  private readonly settling = new Set<Promise<void>>();
  /** Records of each sealed request not yet finished (delivered, refused or dropped), by seq. */
  private readonly unfinished = new Map<number, number>();
  private readonly flushWaiters = new Set<() => void>();
  private sealedCount = 0;
  private readonly abort = new AbortController();
  private queueBytes = 0;
  private queueRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private readonly removeQueueSource: () => void;

  constructor(options: ConstraintAwareBatchProcessorOptions<E>) {
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
    const smallest = this.exporter.limits.maxEventBytes + this.exporter.limits.perEventOverheadBytes;
    if (this.maxQueueBytes < smallest) {
      throw new RangeError(`ConstraintAwareBatchProcessor: maxQueueBytes (${this.maxQueueBytes}) must hold at least one largest event (${smallest} bytes)`);
    }
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
    // Resource detectors (host, process, cloud) may still be resolving: reading the attributes now would lose them.
    if (record.resource.asyncAttributesPending && record.resource.waitForAsyncAttributes) {
      this.holdUntilResourceSettles(record);
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
    const encoded = exporter.encodeEntry(entry);
    if (!encoded) return false;
    const fit = fitEvent(encoded, exporter.limits, Date.now(), exporter);
    if (!fit.ok) {
      this.drop(fit.reason, 1);
      return false;
    }
    const event = fit.event;
    const cost = event.size + exporter.limits.perEventOverheadBytes;
    if (this.queueBytes + cost > this.maxQueueBytes && !this.makeRoom(cost)) {
      this.drop('queue_full', 1);
      return false;
    }
    // Counted only once queued: `truncated` counts shortened records that are still delivered.
    if (fit.truncated) exporter.recordTruncated(1);
    const key = this.bufferKey(entry, event);
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { destination: entry.destination, builder: new BatchBuilder<E>(exporter.limits), openedAt: Date.now() };
      this.buffers.set(key, buffer);
    }
    if (!buffer.builder.fits(event)) this.seal(buffer);
    if (buffer.builder.length === 0) buffer.openedAt = Date.now();
    buffer.builder.add(event);
    this.queueBytes += cost;
    this.queueRecords++;
    if (buffer.builder.length >= exporter.limits.maxEventsPerRequest || buffer.builder.requestBytes >= exporter.limits.maxRequestBytes) this.seal(buffer);
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
    if (this.settling.size > 0) await this.waitForResources(timeoutMillis);
    for (const buffer of this.buffers.values()) this.seal(buffer);
    this.pump();
    const upTo = this.sealedCount;
    const complete = (await this.waitFor(upTo, Math.max(0, deadline - Date.now()))) && this.heldRecords === 0;
    const undeliveredRecords = this.unfinishedRecords(upTo) + this.heldRecords;
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
      this.abort.abort(new Error('shutdown deadline passed'));
      for (const request of this.ready.splice(0)) this.release(request, 'shutdown');
      if (this.heldRecords > 0) this.drop('shutdown', this.heldRecords);
      this.held.clear();
      this.heldRecords = 0;
      await this.waitFor(this.sealedCount, 1_000);
      this.exporter.problems.error('shutdown_incomplete', `shutdown gave up on ${report.undeliveredRecords} log record(s) after ${this.shutdownTimeoutMillis} ms`);
    }
    clearTimeout(this.timer);
    this.removeQueueSource();
    await this.exporter.shutdown();
  }

  /**
   * Keeps a record until its resource's async attributes settle (once per resource), then queues it as usual,
   * as the stock BatchLogRecordProcessor waits before it exports. Held records are bounded in number.
   */
  private holdUntilResourceSettles(record: ReadWriteLogRecord): void {
    if (this.heldRecords >= MAX_HELD_RECORDS) {
      this.drop('queue_full', 1);
      return;
    }
    const resource = record.resource;
    let records = this.held.get(resource);
    if (!records) {
      const waiting: ReadWriteLogRecord[] = (records = []);
      this.held.set(resource, waiting);
      const settled = Promise.resolve(resource.waitForAsyncAttributes!())
        .catch(() => undefined) // a failed detector leaves the attributes it has: still send the records
        .then(() => {
          if (this.held.get(resource) !== waiting) return; // given up on at shutdown
          this.held.delete(resource);
          this.heldRecords -= waiting.length;
          for (const held of waiting) {
            const entry = this.exporter.readRecord(held);
            if (entry) this.enqueue(entry);
          }
        });
      this.settling.add(settled);
      void settled.finally(() => this.settling.delete(settled));
    }
    records.push(record);
    this.heldRecords++;
  }

  private async waitForResources(timeoutMillis: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMillis)));
    await Promise.race([Promise.all([...this.settling]), timeout]);
    clearTimeout(timer);
  }

  /**
   * One open request per destination and, when the provider limits the time span, per span-wide time slot:
   * records with shuffled timestamps then still fill requests instead of sealing one at every span break.
   */
  private bufferKey(entry: LogEntry, event: E): string {
    const span = this.exporter.limits.maxSpanMillis;
    const slot = span === undefined || span === 0 ? 0 : Math.floor(event.timeMillis / span);
    return `${destinationKey(entry.destination)}\u0001${slot}`;
  }

  private drop(reason: DropReason, count: number): void {
    this.exporter.metrics.recordDropped(reason, count);
    this.exporter.problems.warn(`drop:${reason}`, describeDrop(reason, this.exporter.limits));
  }

  /** With overflow 'drop_oldest', frees memory by dropping the oldest requests that are not in flight yet. */
  private makeRoom(cost: number): boolean {
    if (this.overflow !== 'drop_oldest') return false;
    while (this.queueBytes + cost > this.maxQueueBytes && this.ready.length > 0) {
      this.release(this.ready.shift()!, 'queue_full');
    }
    return this.queueBytes + cost <= this.maxQueueBytes;
  }

  private release(request: ReadyRequest<E>, dropReason?: DropReason): void {
    this.queueBytes -= request.queueBytes;
    this.queueRecords -= request.events.length;
    this.unfinished.delete(request.seq);
    if (dropReason) this.drop(dropReason, request.events.length);
    for (const wake of this.flushWaiters) wake();
  }

  private seal(buffer: DestinationBuffer<E>): void {
    if (buffer.builder.length === 0) return;
    const queueBytes = buffer.builder.requestBytes;
    const seq = ++this.sealedCount;
    const events = buffer.builder.take();
    this.unfinished.set(seq, events.length);
    this.ready.push({ seq, destination: buffer.destination, events, queueBytes });
  }

  private pump(): void {
    while (this.inFlight.size < this.maxConcurrentExports && this.ready.length > 0) {
      const request = this.ready.shift()!;
      const task = deliver(this.exporter, request.destination, request.events, {
        deadlineAt: Date.now() + this.exporter.retry.deadlineMillis,
        signal: this.abort.signal,
      }).then(
        () => undefined,
        () => undefined,
      );
      this.inFlight.add(task);
      void task.then(() => {
        this.inFlight.delete(task);
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
    let earliestOpen = Infinity;
    for (const [key, buffer] of this.buffers) {
      if (buffer.builder.length === 0) {
        this.buffers.delete(key); // forget idle destinations so the map stays small
      } else if (now - buffer.openedAt >= this.scheduledDelayMillis) {
        this.seal(buffer);
      } else {
        earliestOpen = Math.min(earliestOpen, buffer.openedAt);
      }
    }
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
