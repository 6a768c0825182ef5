import { isMainThread } from 'node:worker_threads';
import { workerRecipe, type ConstraintAwareExporterOptions, type EncodedRecord, type InvalidEvent, type LogEntry, type ProviderLimits } from '@otel-cloud-logs/core';
import { MemoryExporter } from './memory-exporter.ts';
import { randomService, seeded } from './random-service.ts';

export interface WorkerMemoryExporterOptions extends Pick<ConstraintAwareExporterOptions, 'retry'> {
  readonly limits: ProviderLimits;
  /** Answer like `randomService` with this seed. */
  readonly serviceSeed?: number;
  /** The export the worker looks for (a wrong one makes building the twin fail). */
  readonly exportName?: string;
  /** The twin ends its worker thread this long after it was built (a crash mid-flight). */
  readonly workerDiesAfterMillis?: number;
  /** The twin blocks its worker thread this long on the first record it encodes (a worker that lags behind). */
  readonly workerStallsMillis?: number;
  /** The twin's service answers 503 for this long after the twin was built (nothing is acknowledged meanwhile). */
  readonly workerServiceDownMillis?: number;
}

/** A MemoryExporter whose twin can be built in a worker thread from plain options (`thread: 'worker'` tests). */
export class WorkerMemoryExporter extends MemoryExporter {
  constructor(options: WorkerMemoryExporterOptions) {
    super(options.limits, { retry: options.retry });
    this.sendDelayMillis = 1;
    if (options.serviceSeed !== undefined) randomService(this, seeded(options.serviceSeed));
    this.workerRecipe = workerRecipe(import.meta.url, options.exportName ?? 'WorkerMemoryExporter', options);
    if (!isMainThread && options.workerDiesAfterMillis !== undefined) setTimeout(() => process.exit(3), options.workerDiesAfterMillis);
    if (!isMainThread) this.stallMillis = options.workerStallsMillis ?? 0;
    if (!isMainThread && options.workerServiceDownMillis !== undefined) {
      const downUntil = Date.now() + options.workerServiceDownMillis;
      this.behaviour = () => (Date.now() < downUntil ? { status: 'retry', error: new Error('503 Service Unavailable') } : undefined);
    }
  }

  private stallMillis = 0;

  override encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    if (this.stallMillis > 0) {
      // Busy, not asleep: the thread takes in no message meanwhile.
      const until = performance.now() + this.stallMillis;
      this.stallMillis = 0;
      while (performance.now() < until);
    }
    return super.encode(entry, out);
  }
}
