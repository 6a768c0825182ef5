import type { BatchQueueOptions } from './record-queue.ts';
import type { SelfMetricsCounts } from './metrics.ts';
import type { ProblemLevel } from './problems.ts';
import type { FlushReport } from './record-queue.ts';
import type { SnapshotChunk } from './snapshot.ts';
import type { EncodedChunk } from './encoded-chunk.ts';

/** How to build the same exporter in a worker thread: the module that exports its class, the export's name, options. */
export interface WorkerRecipe {
  readonly moduleUrl: string;
  readonly exportName: string;
  /** Copied to the worker with structured cloning: no functions, no class instances. */
  readonly options: unknown;
}

/**
 * State the worker publishes in shared memory (Int32 slots), readable while the application's thread waits for it:
 * the last chunk taken into its queue, and what its queue holds.
 */
export const SHARED_SLOTS = 3;
export const INGESTED_SEQ = 0;
export const HELD_BYTES = 1;
export const HELD_RECORDS = 2;

/** What the worker's queue holds now (queued, open or in flight), for the memory bound and the queue gauge. */
export interface HeldCounts {
  readonly bytes: number;
  readonly records: number;
}

/** Messages from the application's thread to the worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly recipe: WorkerRecipe; readonly queue: BatchQueueOptions; readonly shared: SharedArrayBuffer }
  | { readonly type: 'chunk'; readonly seq: number; readonly chunk: SnapshotChunk }
  /** Records this thread encoded itself while the worker lagged behind; numbered in the same sequence as chunks. */
  | { readonly type: 'encoded'; readonly seq: number; readonly chunk: EncodedChunk }
  | { readonly type: 'flush'; readonly id: number; readonly timeoutMillis: number }
  /** Answer once every record of the chunks before this message is in the spool's files. */
  | { readonly type: 'durable'; readonly id: number }
  | { readonly type: 'close'; readonly giveUp: boolean };

/** Messages from the worker; `counts` is what the worker counted since its previous message. */
export type FromWorker =
  | { readonly type: 'ingested'; readonly seq: number; readonly held: HeldCounts; readonly counts: SelfMetricsCounts }
  | { readonly type: 'progress'; readonly held: HeldCounts; readonly counts: SelfMetricsCounts }
  | { readonly type: 'flushed'; readonly id: number; readonly report: FlushReport; readonly held: HeldCounts; readonly counts: SelfMetricsCounts }
  | { readonly type: 'durable'; readonly id: number; readonly error?: string }
  | { readonly type: 'problem'; readonly level: ProblemLevel; readonly text: string }
  /** The exporter could not be built in the worker. */
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'closed'; readonly counts: SelfMetricsCounts };

/**
 * A recipe for `options`, or undefined when they cannot be copied to a thread (a credentials function, a custom
 * object). `meterProvider` stays behind: the worker's counts are handed back and published from the app's thread.
 */
export function workerRecipe(moduleUrl: string, exportName: string, options: object): WorkerRecipe | undefined {
  const { meterProvider: _meterProvider, ...copyable } = options as { meterProvider?: unknown };
  if (!isPlainData(copyable)) return undefined;
  return { moduleUrl, exportName, options: copyable };
}

/** JSON-like data (plain objects, arrays, primitives, URLs as strings are fine): what structured cloning keeps whole. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 20) return false;
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value as Record<string, unknown>).every((item) => isPlainData(item, depth + 1));
}
