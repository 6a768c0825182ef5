import {
  ConstraintAwareBatchProcessor,
  resolveDestination,
  type ConstraintAwareBatchProcessorOptions,
  type ConstraintAwareExporter,
  type FlushReport,
  type LogEntry,
  type SelfMetricsSnapshot,
} from '@otel-cloud-logs/core';

/** Any provider exporter (CloudWatch Logs, Huawei LTS, SCP ServiceWatch). */
export type AnyExporter = ConstraintAwareExporter;

/** How each exporter batches and queues (the options of core's `ConstraintAwareBatchProcessor`). */
export type BatchingOptions = Omit<ConstraintAwareBatchProcessorOptions, 'exporter'>;

/**
 * One exporter behind its own constraint-aware batch processor: records are handed over synchronously into a
 * bounded queue, so a slow or failing exporter only fills its own queue and never holds up the others.
 */
export class ExporterSink {
  readonly name: string;
  readonly exporter: AnyExporter;
  readonly batch: ConstraintAwareBatchProcessor;
  private closed = false;

  constructor(name: string, exporter: AnyExporter, batching: BatchingOptions = {}) {
    this.name = name;
    this.exporter = exporter;
    this.batch = new ConstraintAwareBatchProcessor({ ...batching, exporter });
  }

  /**
   * Queues the entry for this exporter with the destination re-resolved against the exporter's own defaults.
   * Returns false when the exporter refused it (invalid destination or record, outside the time window, queue
   * full): the exporter counted why.
   */
  offer(entry: LogEntry): boolean {
    if (this.closed) {
      this.exporter.metrics.recordDropped('shutdown');
      return false;
    }
    return this.batch.add({ ...entry, destination: resolveDestination(entry.attributes, entry.resource, this.exporter.destinationDefaults) });
  }

  /** Resolves once every record queued so far is in the durable queue's files (at once without one). */
  durable(): Promise<void> {
    return this.batch.durable();
  }

  /** How full the queue is, from 0 to 1. */
  queueFill(): number {
    return this.batch.queueFill;
  }

  metrics(): SelfMetricsSnapshot {
    return this.exporter.metrics.snapshot();
  }

  flush(timeoutMillis: number): Promise<FlushReport> {
    return this.batch.flush(timeoutMillis);
  }

  /** Refuses new records, delivers what is queued within the batch processor's shutdown timeout, and stops the exporter. */
  shutdown(): Promise<void> {
    this.closed = true;
    return this.batch.shutdown();
  }
}
