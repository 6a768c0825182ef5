import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogEntry } from './model.ts';
import type { SpoolOptions } from './spool/spool.ts';

/** Result of a flush: what was still undelivered when its deadline passed. */
export interface FlushReport {
  readonly complete: boolean;
  readonly undeliveredRecords: number;
}

/**
 * Where `ConstraintAwareBatchProcessor` puts records: batched and delivered on this thread (`BatchQueue`), or
 * snapshotted and handed to a worker thread that does the same there (`WorkerQueue`).
 */
export interface RecordQueue {
  /** Queues a record from the SDK (its resource's attributes have settled). Never throws. */
  enqueueRecord(record: ReadableLogRecord): void;
  /** Queues an entry from elsewhere; false when it was refused here (the exporter's metrics say why). */
  enqueueEntry(entry: LogEntry): boolean;
  /** Resolves once every record queued so far is in the spool's files (at once without a spool). */
  durable(): Promise<void>;
  /** How full the memory bound is, from 0 to 1. */
  readonly queueFill: number;
  /** Sends every open request and waits until those and all earlier ones are finished, or the timeout passes. */
  flush(timeoutMillis: number): Promise<FlushReport>;
  /** Stops: with `giveUp`, first aborts what is in flight and counts what is left as dropped ('shutdown'). */
  close(giveUp: boolean): Promise<void>;
}

/** How a queue batches and bounds its records (the processor's options, checked). */
export interface BatchQueueOptions {
  readonly scheduledDelayMillis: number;
  readonly maxQueueBytes: number;
  readonly overflow: 'drop_newest' | 'drop_oldest';
  readonly maxConcurrentExports: number;
  /** Records on disk until delivered (the directory is locked by the processor). */
  readonly spool?: SpoolOptions;
}
