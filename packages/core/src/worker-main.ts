// The worker of `thread: 'worker'`: builds the exporter's twin from its recipe, takes the application's record
// snapshots into the same BatchQueue as in-thread, and reports back what it counted and what it holds.
import { parentPort } from 'node:worker_threads';
import { BatchQueue } from './batch-queue.ts';
import type { ConstraintAwareExporter } from './exporter.ts';
import { SelfMetrics, type SelfMetricsCounts } from './metrics.ts';
import { EncodedChunkReader } from './encoded-chunk.ts';
import { SnapshotReader } from './snapshot.ts';
import { HELD_BYTES, HELD_RECORDS, INGESTED_SEQ, type FromWorker, type HeldCounts, type ToWorker } from './worker-protocol.ts';

const port = parentPort!;
const reader = new SnapshotReader();
const encodedReader = new EncodedChunkReader();
let exporter: ConstraintAwareExporter | undefined;
let queue: BatchQueue | undefined;
let ready: Promise<void> = Promise.resolve();
let reported: SelfMetricsCounts | undefined;
let progressTimer: NodeJS.Timeout | undefined;
let shared: Int32Array | undefined;

function post(message: FromWorker): void {
  port.postMessage(message);
}

/** What was counted since the last message. */
function countsSinceLastReport(): SelfMetricsCounts {
  const now = exporter!.metrics.counts();
  const delta = SelfMetrics.difference(now, reported!);
  reported = now;
  return delta;
}

function isEmpty(counts: SelfMetricsCounts): boolean {
  return (
    counts.exported === 0 &&
    counts.truncated === 0 &&
    counts.requests === 0 &&
    counts.retriedRequests === 0 &&
    counts.throttledRequests === 0 &&
    Object.keys(counts.dropped).length === 0 &&
    Object.keys(counts.rejected).length === 0
  );
}

/** What the queue holds, also published in shared memory for an application thread that waits for room. */
function held(): HeldCounts {
  const now = queue ? queue.held : { bytes: 0, records: 0 };
  if (shared) {
    Atomics.store(shared, HELD_BYTES, Math.min(now.bytes, 0x7fffffff));
    Atomics.store(shared, HELD_RECORDS, Math.min(now.records, 0x7fffffff));
  }
  return now;
}

/** A chunk's records left the message queue (they now count in the worker's queue, or were refused). */
function published(seq: number): void {
  if (!shared) return;
  Atomics.store(shared, INGESTED_SEQ, seq);
  Atomics.notify(shared, INGESTED_SEQ);
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const { recipe } = message;
  try {
    const module = (await import(recipe.moduleUrl)) as Record<string, new (options: unknown) => ConstraintAwareExporter>;
    const Exporter = module[recipe.exportName];
    if (typeof Exporter !== 'function') throw new TypeError(`${recipe.moduleUrl} exports no ${recipe.exportName}`);
    exporter = new Exporter(recipe.options);
    exporter.problems.redirect((level, text) => post({ type: 'problem', level, text }));
    reported = exporter.metrics.counts();
    queue = new BatchQueue(exporter, message.queue);
    // Deliveries finish between chunks: what they counted, and what the queue then holds, goes back this often
    // whenever either changed (a queue that just emptied included: the application's thread unrefs the worker on it).
    let postedHeld: HeldCounts = { bytes: 0, records: 0 };
    progressTimer = setInterval(() => {
      const holding = held();
      const delta = countsSinceLastReport();
      if (holding.bytes === postedHeld.bytes && holding.records === postedHeld.records && isEmpty(delta)) return;
      postedHeld = holding;
      post({ type: 'progress', held: holding, counts: delta });
    }, 50);
  } catch (error) {
    post({ type: 'fatal', message: `the exporter could not be built in the worker: ${(error as Error).message}` });
  }
}

function ingest(message: Extract<ToWorker, { type: 'chunk' | 'encoded' }>): void {
  if (!exporter || !queue) {
    published(message.seq);
    return;
  }
  const target = queue;
  try {
    if (message.type === 'chunk') reader.read(message.chunk, exporter.destinationDefaults, (entry) => target.enqueueEntry(entry));
    else encodedReader.read(message.chunk, (stored, source, start, length, size, time, truncated) => target.enqueueEncoded(stored, source, start, length, size, time, truncated));
  } catch (error) {
    exporter.recordDrop('invalid_record', message.chunk.records);
    exporter.problems.warn('invalid:snapshot', `dropping log records: a chunk of records handed over by the application's thread could not be read: ${(error as Error).message}`);
  }
  const holding = held();
  published(message.seq);
  post({ type: 'ingested', seq: message.seq, held: holding, counts: countsSinceLastReport() });
}

async function flush(message: Extract<ToWorker, { type: 'flush' }>): Promise<void> {
  const report = queue ? await queue.flush(message.timeoutMillis) : { complete: false, undeliveredRecords: 0 };
  post({ type: 'flushed', id: message.id, report, held: held(), counts: exporter ? countsSinceLastReport() : SelfMetrics.difference(EMPTY, EMPTY) });
}

async function close(giveUp: boolean): Promise<void> {
  clearInterval(progressTimer);
  if (queue && exporter) {
    await queue.close(giveUp);
    await exporter.shutdown();
    post({ type: 'closed', counts: countsSinceLastReport() });
  }
  port.close();
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const EMPTY: SelfMetricsCounts = new SelfMetrics('none').counts();

// Messages are handled in order, each after the exporter is built.
port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      shared = new Int32Array(message.shared);
      ready = init(message);
      return;
    case 'chunk':
    case 'encoded':
      // One chunk per event-loop turn: back-to-back chunks must not starve the HTTP answers that free the queue.
      ready = ready.then(nextTurn).then(() => ingest(message));
      return;
    case 'flush':
      void ready.then(() => flush(message));
      return;
    case 'durable':
      void ready
        .then(() => queue?.durable())
        .then(
          () => post({ type: 'durable', id: message.id }),
          (error: unknown) => post({ type: 'durable', id: message.id, error: (error as Error).message }),
        );
      return;
    case 'close':
      ready = ready.then(() => close(message.giveUp));
      return;
  }
});
