import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { Worker } from 'node:worker_threads';
import type { BatchQueueOptions } from './record-queue.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import type { SelfMetricsCounts } from './metrics.ts';
import type { LogEntry } from './model.ts';
import { emitProblem } from './problems.ts';
import type { FlushReport, RecordQueue } from './record-queue.ts';
import { emptyEncodedRecord } from './codec.ts';
import { EncodedChunkWriter, type EncodedChunk } from './encoded-chunk.ts';
import { SnapshotWriter, type SnapshotChunk } from './snapshot.ts';
import { HELD_BYTES, HELD_RECORDS, INGESTED_SEQ, SHARED_SLOTS, type FromWorker, type HeldCounts, type ToWorker, type WorkerRecipe } from './worker-protocol.ts';

/** Running from TypeScript sources (the workspace): the worker must resolve the packages to their sources too. */
const fromSources = import.meta.url.endsWith('.ts');
/** Longest time a snapshot waits on the application's thread before it is handed over. */
const HAND_OVER_MILLIS = 5;
/**
 * Longest time a record waits for the worker to take earlier chunks in when the worker lags far behind (the memory
 * bound or the help window below is reached; in-thread the application would have spent that time encoding).
 * After one such wait in vain this thread waits no more, dropping what exceeds the bound, until the backlog has halved.
 */
const MAX_WAIT_FOR_WORKER_MILLIS = 1_000;
/**
 * How far the application snapshots records ahead of the worker. Beyond it the worker lags, and this thread
 * encodes records itself (the worker only batches, signs and sends them: nothing copied value by value or rebuilt),
 * so both threads share the work. Interleaved bench runs, CloudWatch: 2.9–3.6× stock OTLP/JSON's records/s against
 * 2.4–2.8× waiting. Encoding every record here kept the records/s and cut CPU and peak RSS (×0.44–0.52 of stock's
 * above the floor, 200–240 MiB, against ×0.54–0.64, 275–300) but cost this thread 1.0–2.2 µs/record: not done.
 */
const TRANSIT_WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * Beyond this in transit (encoded chunks included) this thread waits for the worker, as for the memory bound:
 * chunks in transit sit in memory twice over (the message, then what the worker rebuilds from it) until the worker
 * takes them in. Bounding transit cut the worker rows' peak RSS from ~367 to 256–305 MiB in one bench run.
 */
const HELP_WINDOW_BYTES = 2 * TRANSIT_WINDOW_BYTES;
const SEQUENCE_MASK = 0x7fffffff;

/** What `admit` decided for a record. */
const REFUSED = 0;
const SNAPSHOT = 1;
const ENCODE_HERE = 2;
type Admission = typeof REFUSED | typeof SNAPSHOT | typeof ENCODE_HERE;

/** Whether chunk `seq` is at or before `published`, for sequence numbers that wrap at 2^31. */
function sequenceReached(seq: number, published: number): boolean {
  return ((published - seq) & SEQUENCE_MASK) < 0x40000000;
}

/** Records whose fate a worker's counts report (delivered, dropped or refused). */
function settled(counts: SelfMetricsCounts): number {
  let total = counts.exported;
  for (const value of Object.values(counts.dropped)) total += value;
  for (const value of Object.values(counts.rejected)) total += value;
  return total;
}

/**
 * `thread: 'worker'`: the application's thread only snapshots each record (a few references and numbers) and
 * hands them over in chunks, one message per chunk with its buffers transferred; a worker thread runs a twin of
 * the exporter behind the same `BatchQueue` as in-thread, so encoding, batching, signing, HTTP and retries cost
 * the application nothing while the worker keeps up; when it lags behind, this thread encodes records itself
 * rather than wait (see TRANSIT_WINDOW_BYTES). The worker hands back what it counted and what it holds, so
 * self-metrics, drops, `forceFlush`, shutdown and the memory bound read as in-thread.
 */
export class WorkerQueue implements RecordQueue {
  private readonly exporter: ConstraintAwareExporter;
  private readonly options: BatchQueueOptions;
  private readonly worker: Worker;
  private readonly writer = new SnapshotWriter();
  /** Records encoded on this thread while the worker lags behind (see `admit`). */
  private readonly encoded = new EncodedChunkWriter();
  private readonly scratch = emptyEncodedRecord();
  private encoding = false;
  private chunkSeq = 0;
  /** The worker's published sequence number as last read from shared memory. */
  private ingestedSeen = 0;
  /** Serialised chunks handed over but not yet taken into the worker's queue. */
  private readonly transit = new Map<number, { readonly bytes: number; readonly records: number }>();
  private transitBytes = 0;
  private transitRecords = 0;
  private held: HeldCounts = { bytes: 0, records: 0 };
  /** Records handed to the worker, and those whose fate it has reported: the difference is what it holds. */
  private handedOver = 0;
  private settledByWorker = 0;
  /** Published by the worker (see worker-protocol): readable while this thread waits in `Atomics.wait`. */
  private readonly shared = new Int32Array(new SharedArrayBuffer(SHARED_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private overloaded = false;
  private readonly flushes = new Map<number, (report: FlushReport) => void>();
  private flushSeq = 0;
  private readonly durables = new Map<number, (error: string | undefined) => void>();
  private durableSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private failure: string | undefined;
  private closed: (() => void) | undefined;
  private closing = false;
  private readonly removeQueueSource: () => void;

  /** Throws a clear error when the exporter cannot be rebuilt in a worker (e.g. a credentials function). */
  static create(exporter: ConstraintAwareExporter, options: BatchQueueOptions): WorkerQueue {
    const recipe = exporter.recipeForWorker();
    if (typeof recipe === 'string') throw new TypeError(`ConstraintAwareBatchProcessor: thread 'worker' is not possible: ${recipe}; use thread 'main'`);
    return new WorkerQueue(exporter, options, recipe);
  }

  private constructor(exporter: ConstraintAwareExporter, options: BatchQueueOptions, recipe: WorkerRecipe) {
    this.exporter = exporter;
    this.options = options;
    const script = new URL(fromSources ? './worker-main.ts' : './worker-main.js', import.meta.url);
    const execArgv = fromSources ? [...process.execArgv, '--conditions=@otel-cloud-logs/source'] : undefined;
    this.worker = new Worker(script, { execArgv, name: `otel-cloud-logs ${exporter.name}` });
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error.message));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(`the worker exited with code ${code}`);
      this.closed?.();
    });
    // As in-thread, logging alone does not keep the process alive; pending work does (see `busy`).
    this.worker.unref();
    this.post({ type: 'init', recipe, queue: options, shared: this.shared.buffer as SharedArrayBuffer });
    this.removeQueueSource = exporter.metrics.addQueueSource(() => ({
      bytes: this.transitBytes + this.held.bytes,
      records: this.writer.length + this.encoded.length + this.transitRecords + this.held.records,
    }));
  }

  get queueFill(): number {
    return (this.transitBytes + this.held.bytes) / this.options.maxQueueBytes;
  }

  enqueueRecord(record: ReadableLogRecord): void {
    const admitted = this.admit();
    if (admitted === REFUSED) return;
    if (admitted === ENCODE_HERE) {
      const entry = this.exporter.readRecord(record);
      if (entry) this.encodeHere(entry);
      return;
    }
    if (this.encoded.length > 0) this.handOver();
    try {
      this.writer.addRecord(record);
    } catch (error) {
      this.exporter.recordDrop('invalid_record', 1);
      this.exporter.problems.warn('invalid:invalid_record', `dropping log records: a log record could not be read: ${(error as Error).message}`);
      return;
    }
    this.scheduleHandOver();
  }

  enqueueEntry(entry: LogEntry): boolean {
    const admitted = this.admit();
    if (admitted === REFUSED) return false;
    if (admitted === ENCODE_HERE) return this.encodeHere(entry);
    if (this.encoded.length > 0) this.handOver();
    this.writer.addEntry(entry);
    this.scheduleHandOver();
    return true;
  }

  async flush(timeoutMillis: number): Promise<FlushReport> {
    this.handOver();
    if (this.failure !== undefined) return { complete: false, undeliveredRecords: 0 };
    const id = ++this.flushSeq;
    const answer = new Promise<FlushReport>((resolve) => this.flushes.set(id, resolve));
    this.busy();
    this.post({ type: 'flush', id, timeoutMillis });
    return answer;
  }

  durable(): Promise<void> {
    if (!this.options.spool) return Promise.resolve();
    this.handOver();
    if (this.failure !== undefined) return Promise.reject(new Error(`the delivery worker thread failed: ${this.failure}`));
    const id = ++this.durableSeq;
    const answer = new Promise<void>((resolve, reject) => this.durables.set(id, (error) => (error === undefined ? resolve() : reject(new Error(error)))));
    this.busy();
    this.post({ type: 'durable', id });
    return answer;
  }

  close(giveUp: boolean): Promise<void> {
    this.handOver();
    this.closing = true;
    clearTimeout(this.timer);
    this.removeQueueSource();
    if (this.failure !== undefined) return this.worker.terminate().then(() => undefined);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate(), 10_000);
      this.closed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.worker.ref();
      this.post({ type: 'close', giveUp });
    });
  }

  /**
   * The memory bound, checked before a record is taken: chunks in transit plus what the worker holds. Past the
   * transit window this thread encodes the record itself; past the help window, or when transit fills the bound, it
   * waits for the worker; when the worker's own queue is full (the service is slow), it drops the record at once.
   */
  private admit(): Admission {
    if (this.failure !== undefined) {
      this.exporter.recordDrop('worker_failed', 1);
      return REFUSED;
    }
    const max = this.options.maxQueueBytes;
    if (this.lagging(max)) {
      this.readShared();
      if (this.lagging(max) && !this.helping(max)) this.waitForWorker(max);
    }
    if (this.transitBytes + this.held.bytes >= max) {
      this.exporter.recordDrop('queue_full', 1);
      return REFUSED;
    }
    if (this.overloaded && this.transitBytes < TRANSIT_WINDOW_BYTES / 2 && this.transitBytes + this.held.bytes < max / 2) this.overloaded = false;
    // A diag report made while encoding here can itself be logged: that record is snapshotted instead.
    return this.transitBytes >= TRANSIT_WINDOW_BYTES && !this.encoding ? ENCODE_HERE : SNAPSHOT;
  }

  /** Whether this thread encodes records itself now rather than wait: past the transit window, within the help window. */
  private helping(max: number): boolean {
    return this.transitBytes < HELP_WINDOW_BYTES && this.transitBytes + this.held.bytes < max;
  }

  /**
   * Encodes and fits a record on this thread, as the worker would have (drops counted here, a truncation by the
   * worker once queued), for the worker to add to its requests as it is; false when it was dropped.
   */
  private encodeHere(entry: LogEntry): boolean {
    if (this.writer.length > 0) this.handOver(); // records keep their order
    this.encoding = true;
    const added = this.encoded.encode(this.exporter, entry, this.scratch); // counts what it cannot add, never throws
    this.encoding = false;
    if (added) this.scheduleHandOver();
    return added;
  }

  /** Whether chunks in transit exceed the window, or together with what the worker holds reach the memory bound. */
  private lagging(max: number): boolean {
    return this.transitBytes >= TRANSIT_WINDOW_BYTES || this.transitBytes + this.held.bytes >= max;
  }

  private waitForWorker(max: number): void {
    let seen = this.readShared();
    if (this.overloaded || this.held.bytes >= max || this.transit.size === 0) return;
    const deadline = Date.now() + MAX_WAIT_FOR_WORKER_MILLIS;
    while (this.lagging(max) && !this.helping(max) && this.transit.size > 0 && this.failure === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.overloaded = true;
        return;
      }
      // Waits only if the worker has published nothing since `seen` was read (else it returns at once).
      Atomics.wait(this.shared, INGESTED_SEQ, seen, left);
      seen = this.readShared();
    }
  }

  /**
   * Takes in what the worker published: chunks it has taken into its queue, and what that queue holds. Returns
   * the published chunk sequence number as read.
   */
  private readShared(): number {
    const ingested = Atomics.load(this.shared, INGESTED_SEQ);
    // Called for every record while the worker lags: the transit map is walked only when the worker took a chunk in.
    if (ingested !== this.ingestedSeen) {
      this.ingestedSeen = ingested;
      this.leaveTransit(ingested);
    }
    const bytes = Atomics.load(this.shared, HELD_BYTES);
    const records = Atomics.load(this.shared, HELD_RECORDS);
    if (bytes !== this.held.bytes || records !== this.held.records) this.held = { bytes, records };
    return ingested;
  }

  private scheduleHandOver(): void {
    if (this.writer.full || this.encoded.full) this.handOver();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.handOver(), HAND_OVER_MILLIS);
      this.timer.unref();
    }
  }

  /**
   * Sends what the writers hold, each as one chunk (one message, its buffers transferred), snapshots first: both hold
   * records only when one was logged (a diag report) while this thread was encoding another, which then comes after it.
   */
  private handOver(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const snapshots = this.writer.take();
    if (snapshots) this.send('chunk', snapshots, SnapshotWriter.transferList(snapshots));
    const encoded = this.encoded.take();
    if (encoded) this.send('encoded', encoded, EncodedChunkWriter.transferList(encoded));
  }

  private send(type: 'chunk' | 'encoded', chunk: SnapshotChunk | EncodedChunk, transfer: ArrayBuffer[]): void {
    if (this.failure !== undefined) {
      this.exporter.recordDrop('worker_failed', chunk.records);
      return;
    }
    // Kept within an Int32 (the shared slot), wrapping: `sequenceReached` compares across the wrap.
    const seq = (this.chunkSeq = (this.chunkSeq + 1) & SEQUENCE_MASK);
    this.handedOver += chunk.records;
    const bytes = chunk.bytes;
    this.transit.set(seq, { bytes, records: chunk.records });
    this.transitBytes += bytes;
    this.transitRecords += chunk.records;
    this.busy();
    this.post(type === 'chunk' ? { type, seq, chunk: chunk as SnapshotChunk } : { type, seq, chunk: chunk as EncodedChunk }, transfer);
  }

  private post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'ingested':
        this.leaveTransit(message.seq);
        this.progress(message.held, message.counts);
        return;
      case 'progress':
        this.progress(message.held, message.counts);
        return;
      case 'flushed': {
        this.progress(message.held, message.counts);
        const resolve = this.flushes.get(message.id);
        this.flushes.delete(message.id);
        resolve?.(message.report);
        return;
      }
      case 'durable': {
        const settle = this.durables.get(message.id);
        this.durables.delete(message.id);
        settle?.(message.error);
        return;
      }
      case 'problem':
        emitProblem(undefined, message.level, message.text);
        return;
      case 'fatal':
        this.fail(message.message);
        return;
      case 'closed':
        this.takeCounts(message.counts);
        return;
    }
  }

  private progress(held: HeldCounts, counts: SelfMetricsCounts): void {
    this.held = held;
    this.takeCounts(counts);
    if (this.transit.size === 0 && held.records === 0 && this.flushes.size === 0 && this.durables.size === 0 && !this.closing) this.worker.unref();
  }

  /** Adds what the worker counted to the exporter's metrics (and to the fates it has settled). */
  private takeCounts(counts: SelfMetricsCounts): void {
    this.exporter.metrics.add(counts);
    this.settledByWorker += settled(counts);
  }

  /** Chunks are taken in order: every chunk up to `published` has left transit. */
  private leaveTransit(published: number): void {
    for (const [seq, chunk] of this.transit) {
      if (!sequenceReached(seq, published)) break;
      this.transit.delete(seq);
      this.transitBytes -= chunk.bytes;
      this.transitRecords -= chunk.records;
    }
  }

  /** Keeps the process alive while the worker has records or answers to give, as pending HTTP would in-thread. */
  private busy(): void {
    this.worker.ref();
  }

  /** The worker is gone: what it held is counted as dropped, and later records are counted instead of queued. */
  private fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    this.exporter.problems.error('worker_failed', `the delivery worker thread failed (${message}); the log records it held are counted as dropped (worker_failed)`);
    // Every record handed over whose fate the worker has not reported, and those not handed over yet.
    const pending = (this.writer.take()?.records ?? 0) + (this.encoded.take()?.records ?? 0);
    const lost = this.handedOver - this.settledByWorker + pending;
    if (lost > 0) this.exporter.recordDrop('worker_failed', lost);
    this.transit.clear();
    this.transitBytes = this.transitRecords = 0;
    this.held = { bytes: 0, records: 0 };
    for (const resolve of this.flushes.values()) resolve({ complete: false, undeliveredRecords: lost });
    this.flushes.clear();
    for (const settle of this.durables.values()) settle(`the delivery worker thread failed: ${message}`);
    this.durables.clear();
    this.worker.unref();
  }
}
