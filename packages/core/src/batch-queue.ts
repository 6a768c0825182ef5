import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { Batcher } from './batcher.ts';
import { emptyEncodedRecord, type EncodedRecord } from './codec.ts';
import { deliver } from './delivery.ts';
import type { EncodedBatch } from './encoded-batch.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import type { DropReason } from './metrics.ts';
import type { Destination, LogEntry } from './model.ts';
import { checkTimeWindow, fitRecord } from './planner.ts';
import type { BatchQueueOptions, FlushReport, RecordQueue } from './record-queue.ts';
import { sleep } from './retry.ts';
import type { StoredFrame } from './spool/format.ts';
import { Spool, type SpoolSink } from './spool/spool.ts';

/** Where `placeFor` puts a record. */
const NO_ROOM = 0;
const IN_MEMORY = 1;
const ON_DISK = 2;
type Place = typeof NO_ROOM | typeof IN_MEMORY | typeof ON_DISK;

/** With a spool, records are read back from disk while memory is below this share of the bound. */
const SPOOL_READ_BELOW = 0.75;

/** A sealed request waiting for, or in, delivery. */
interface SealedRequest {
  /** Order of sealing: a flush waits for the requests sealed up to its call, not for later ones. */
  readonly seq: number;
  readonly destination: Destination;
  readonly batch: EncodedBatch;
  readonly records: number;
  /** Bytes it holds against the memory bound. */
  readonly queueBytes: number;
}

/**
 * Batching and delivery on the current thread: each record is encoded once, into the bytes of the request it
 * travels in (the `Batcher`); sealed requests wait in a byte-bounded queue and go out `maxConcurrentExports` at a
 * time, each through `deliver` (retries, deadline, fate counting).
 */
export class BatchQueue implements RecordQueue {
  private readonly exporter: ConstraintAwareExporter;
  private readonly options: BatchQueueOptions;
  private readonly batcher: Batcher;
  /** Reused for every record: encoding allocates nothing but the fragment string. */
  private readonly scratch = emptyEncodedRecord();
  private queueing = false;
  private readonly ready: SealedRequest[] = [];
  private inFlight = 0;
  /** Records of each sealed request not yet finished (delivered, refused or dropped), by seq. */
  private readonly unfinished = new Map<number, number>();
  private readonly flushWaiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private sealedCount = 0;
  private queueBytes = 0;
  private queueRecords = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly removeQueueSource: () => void;
  private readonly spool: Spool | undefined;
  /** Shutting down with records left: those stay in the spool for the next run (no acks from here on). */
  private keepingForNextRun = false;

  constructor(exporter: ConstraintAwareExporter, options: BatchQueueOptions) {
    this.exporter = exporter;
    this.options = options;
    this.batcher = new Batcher(exporter, (destination, batch) => this.onSealed(destination, batch));
    this.spool = options.spool ? new Spool(options.spool, exporter, this.spoolSink()) : undefined;
    this.removeQueueSource = exporter.metrics.addQueueSource(() => this.held);
  }

  get queueFill(): number {
    return this.queueBytes / this.options.maxQueueBytes;
  }

  /** Bytes and records held now (queued, open or in flight). */
  get held(): { readonly bytes: number; readonly records: number } {
    return { bytes: this.queueBytes, records: this.queueRecords + (this.spool?.backlogRecords ?? 0) };
  }

  /** Resolves once every record queued so far is in the spool's files (at once without a spool). */
  durable(): Promise<void> {
    return this.spool ? this.spool.durable() : Promise.resolve();
  }

  enqueueRecord(record: ReadableLogRecord): void {
    const entry = this.exporter.readRecord(record);
    if (entry) this.enqueueEntry(entry);
  }

  enqueueEntry(entry: LogEntry): boolean {
    // A diag report made while a record is queued can itself be logged (diag routed into OTel logs): that nested
    // record gets a scratch of its own, so that it cannot overwrite the one being queued.
    const nested = this.queueing;
    this.queueing = true;
    try {
      return this.queue(entry, nested ? emptyEncodedRecord() : this.scratch);
    } finally {
      this.queueing = nested;
    }
  }

  private queue(entry: LogEntry, record: EncodedRecord): boolean {
    const exporter = this.exporter;
    if (!exporter.encodeEntry(entry, record)) return false;
    const now = Date.now();
    const verdict = fitRecord(exporter, entry, record, now, exporter.mode);
    if (verdict !== 'ok' && verdict !== 'truncated') {
      this.drop(verdict, 1);
      return false;
    }
    const cost = record.fragmentBytes;
    const place = this.placeFor(cost);
    if (place === NO_ROOM) return false;
    const sequence = this.spool ? this.spool.append(entry, record, place === ON_DISK) : 0;
    if (place === IN_MEMORY) {
      this.hold(cost);
      this.batcher.add(entry, record, now, sequence);
    }
    this.accepted(record, verdict === 'truncated');
    this.placed(place);
    return true;
  }

  /**
   * Queues a record the application's thread encoded and fitted itself (see WorkerQueue): its fragment is `length`
   * bytes of `source` from `start`; the memory bound and the spool apply as to any record, and a truncated one is
   * counted here, once queued, as in `queue`.
   */
  enqueueEncoded(stored: StoredFrame, source: Buffer, start: number, length: number, size: number, timeMillis: number, truncated: boolean): boolean {
    const place = this.placeFor(length);
    if (place === NO_ROOM) return false;
    const sequence = this.spool ? this.spool.appendStored(stored, source, start, length, size, timeMillis, place === ON_DISK) : 0;
    if (place === IN_MEMORY) {
      this.hold(length);
      this.batcher.addStored(stored, source, start, length, size, timeMillis, sequence, Date.now());
    }
    if (truncated) this.exporter.recordTruncated(1);
    this.placed(place);
    return true;
  }

  /**
   * Where a record of `cost` bytes goes: into memory (making room with overflow 'drop_oldest'), or, with a spool
   * (the disk is then the bound), to disk only while memory is full or records wait there before it, in order; or
   * nowhere (counted queue_full).
   */
  private placeFor(cost: number): Place {
    const memoryFull = this.queueBytes + cost > this.options.maxQueueBytes;
    let place: Place = IN_MEMORY;
    if (this.spool) {
      if (!this.spool.hasRoomFor(cost)) place = NO_ROOM;
      else if (this.spool.backlogging || memoryFull) place = ON_DISK;
    } else if (memoryFull && !this.makeRoom(cost)) place = NO_ROOM;
    if (place === NO_ROOM) this.drop('queue_full', 1);
    return place;
  }

  private hold(cost: number): void {
    this.queueBytes += cost;
    this.queueRecords++;
  }

  /** A record was placed: one in memory gets sent, the spool reads one on disk back later. */
  private placed(place: Place): void {
    if (place === ON_DISK) {
      this.spool!.wake();
      return;
    }
    this.pump();
    this.armTimer();
  }

  private accepted(record: EncodedRecord, truncated: boolean): void {
    record.fragment = ''; // do not keep the last record's text alive
    // Counted only once queued: `truncated` counts shortened records that are still delivered.
    if (truncated) this.exporter.recordTruncated(1);
  }

  private spoolSink(): SpoolSink {
    return {
      hasRoom: () => this.queueBytes < this.options.maxQueueBytes * SPOOL_READ_BELOW,
      replay: (stored, fragment, size, timeMillis, sequence) => this.replay(stored, fragment, size, timeMillis, sequence),
      damaged: (count, message) => {
        this.exporter.metrics.recordDropped('spool_corrupt', count);
        this.exporter.problems.warn('drop:spool_corrupt', message);
      },
      problem: (level, key, message) => this.exporter.problems[level](key, message),
    };
  }

  /** A record read back from the spool: into its request, unless it fell out of the time window meanwhile. */
  private replay(stored: StoredFrame, fragment: Buffer, size: number, timeMillis: number, sequence: number): void {
    const now = Date.now();
    const verdict = checkTimeWindow(timeMillis, this.exporter.limits, now);
    if (verdict !== 'ok') {
      this.drop(verdict, 1);
      this.spool!.settleOne(sequence);
      return;
    }
    this.queueBytes += fragment.length;
    this.queueRecords++;
    this.batcher.addStored(stored, fragment, 0, fragment.length, size, timeMillis, sequence, now);
    this.pump();
    this.armTimer();
  }

  async flush(timeoutMillis: number): Promise<FlushReport> {
    const deadline = Date.now() + timeoutMillis;
    // Records waiting on disk are part of what a flush sends: read them back as memory frees up.
    while (this.spool?.backlogging && Date.now() < deadline) {
      this.batcher.sealAll();
      this.pump();
      this.spool.wake();
      await sleep(10);
    }
    this.batcher.sealAll();
    this.pump();
    const upTo = this.sealedCount;
    const complete = (await this.waitFor(upTo, Math.max(0, deadline - Date.now()))) && !this.spool?.backlogging;
    return { complete, undeliveredRecords: this.unfinishedRecords(upTo) + (this.spool?.backlogRecords ?? 0) };
  }

  async close(giveUp: boolean): Promise<void> {
    if (giveUp) {
      // Abort in-flight requests and drop the queued ones (counted as dropped 'shutdown'); with a spool they all
      // stay on disk for the next run instead.
      this.keepingForNextRun = this.spool !== undefined;
      this.abort.abort(new Error('shutdown deadline passed'));
      for (const request of this.ready.splice(0)) this.release(request, this.spool ? undefined : 'shutdown');
      await this.waitFor(this.sealedCount, 1_000);
    }
    clearTimeout(this.timer);
    this.removeQueueSource();
    if (this.spool) {
      const left = await this.spool.close();
      if (left > 0) {
        this.exporter.problems.warn(
          'spool_kept',
          `${left} log record(s) not delivered yet stay in the spool ${this.spool.directory}: they are sent when a processor next starts with the same spool directory`,
        );
      }
    }
  }

  private drop(reason: DropReason, count: number): void {
    this.exporter.recordDrop(reason, count);
  }

  /** With overflow 'drop_oldest', frees memory by dropping the oldest requests that are not in flight yet. */
  private makeRoom(cost: number): boolean {
    if (this.options.overflow !== 'drop_oldest') return false;
    while (this.queueBytes + cost > this.options.maxQueueBytes && this.ready.length > 0) {
      this.release(this.ready.shift()!, 'queue_full');
    }
    return this.queueBytes + cost <= this.options.maxQueueBytes;
  }

  private release(request: SealedRequest, dropReason?: DropReason): void {
    this.queueBytes -= request.queueBytes;
    this.queueRecords -= request.records;
    this.unfinished.delete(request.seq);
    if (this.spool && !this.keepingForNextRun) this.spool.settle(request.batch);
    request.batch.recycle(); // finished: its memory serves the next request
    if (dropReason) this.drop(dropReason, request.records);
    for (const wake of this.flushWaiters) wake();
    this.spool?.wake();
  }

  private onSealed(destination: Destination, batch: EncodedBatch): void {
    const seq = ++this.sealedCount;
    this.unfinished.set(seq, batch.length);
    this.ready.push({ seq, destination, batch, records: batch.length, queueBytes: batch.fragmentBytes });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxConcurrentExports && this.ready.length > 0) {
      const request = this.ready.shift()!;
      this.inFlight++;
      const deadlineAt = Date.now() + this.exporter.retry.deadlineMillis;
      void deliver(this.exporter, request.destination, request.batch, { deadlineAt, signal: this.abort.signal, keepOnAbort: this.spool !== undefined })
        .catch(() => false)
        .then(() => {
          this.inFlight--;
          this.release(request);
          this.pump();
        });
    }
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.onTimer(), this.options.scheduledDelayMillis);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = Date.now();
    const delay = this.options.scheduledDelayMillis;
    const earliestOpen = this.batcher.sealDue(now, delay);
    this.pump();
    if (earliestOpen !== Infinity) {
      this.timer = setTimeout(() => this.onTimer(), Math.max(1, earliestOpen + delay - now));
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
