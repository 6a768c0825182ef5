import type { MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { EncodedRecord, InvalidEvent, RecordCodec, RequestSender, SendContext, SendOutcome } from './codec.ts';
import { deliver, type DeliveryTarget } from './delivery.ts';
import { describeDrop } from './drops.ts';
import type { EncodedBatch, RequestFrame } from './encoded-batch.ts';
import { HttpTransport } from './http.ts';
import { validateLimits, type ProviderLimits } from './limits.ts';
import { SelfMetrics, type DropReason } from './metrics.ts';
import { logEntryFromReadableLogRecord, type Destination, type DestinationDefaults, type LogEntry } from './model.ts';
import { planRequests, type OversizeMode } from './planner.ts';
import { ProblemReporter } from './problems.ts';
import { resolveRetryOptions, type RetryEvent, type RetryOptions } from './retry.ts';
import { secretScrubber } from './scrub.ts';
import type { WorkerRecipe } from './worker-protocol.ts';

/** Options every provider exporter shares. */
export interface ConstraintAwareExporterOptions {
  /** What to do with an event over the provider's event size limit: cut it at a UTF-8 boundary with a marker (default) or drop it. */
  readonly oversizeEvents?: 'truncate' | 'drop';
  /** Timeout of one HTTP request. Default 10,000 ms. */
  readonly requestTimeoutMillis?: number;
  /** Backoff and total deadline for retries of throttled, 5xx and network-failed requests. */
  readonly retry?: Partial<RetryOptions>;
  /** Publishes the self-metrics (`otel_cloud_logs.*`) through this MeterProvider. */
  readonly meterProvider?: MeterProvider;
}

/**
 * The base of every provider exporter. A provider gives its codec (limits, how a record becomes its wire fragment,
 * how an oversize one is cut, the request frame) and its sender (sign, send, classify one valid request); this
 * class does the rest, the same way under the stock `BatchLogRecordProcessor` (`export()`) and under
 * `ConstraintAwareBatchProcessor`.
 */
export abstract class ConstraintAwareExporter implements LogRecordExporter, RecordCodec, RequestSender, DeliveryTarget {
  abstract readonly limits: ProviderLimits;
  readonly metrics: SelfMetrics;
  readonly problems: ProblemReporter;
  readonly mode: OversizeMode;
  readonly retry: RetryOptions;
  readonly requestTimeoutMillis: number;
  protected readonly http = new HttpTransport();
  /** Set by providers whose options can be copied to a worker thread. */
  protected workerRecipe: WorkerRecipe | undefined;
  private readonly destinationProblems = new WeakMap<Destination, string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  protected constructor(name: string, options: ConstraintAwareExporterOptions) {
    this.metrics = new SelfMetrics(name);
    this.problems = new ProblemReporter(`@otel-cloud-logs/${name}`);
    if (options.oversizeEvents !== undefined && options.oversizeEvents !== 'truncate' && options.oversizeEvents !== 'drop') {
      throw new TypeError(`${name}: oversizeEvents must be 'truncate' or 'drop', got ${JSON.stringify(options.oversizeEvents)}`);
    }
    this.mode = options.oversizeEvents ?? 'truncate';
    this.retry = resolveRetryOptions(options.retry);
    this.requestTimeoutMillis = options.requestTimeoutMillis ?? 10_000;
    if (!(this.requestTimeoutMillis > 0)) throw new RangeError(`${name}: requestTimeoutMillis must be positive`);
    if (options.meterProvider) this.metrics.bindMeterProvider(options.meterProvider);
  }

  get name(): string {
    return this.metrics.exporterName;
  }

  /** Counts a retry of a call made inside a send (a name lookup, a creation) as a retried request, and says so once. */
  protected readonly countRetry = (event: RetryEvent): void => {
    this.metrics.recordRetry(event.throttled);
    this.problems.warn(event.throttled ? 'throttled' : 'retrying', `retrying a request (${event.throttled ? 'throttled' : event.error.message})`);
  };

  abstract get destinationDefaults(): DestinationDefaults;
  abstract checkDestination(destination: Destination): string | undefined;
  abstract encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined;
  abstract truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean;
  abstract frame(destination: Destination, entry: LogEntry): RequestFrame;
  abstract send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome>;

  /** How to build this exporter in a worker thread, or why it cannot be. */
  recipeForWorker(): WorkerRecipe | string {
    return this.workerRecipe ?? `${this.name}: this exporter cannot run in a worker thread (its options hold functions or objects that cannot be copied to a thread)`;
  }

  /** `toEntry` that never throws: a record that cannot be read is counted as `invalid_record` instead. */
  readRecord(record: ReadableLogRecord): LogEntry | undefined {
    try {
      return logEntryFromReadableLogRecord(record, this.destinationDefaults);
    } catch (error) {
      this.metrics.recordDropped('invalid_record');
      this.problems.warn('invalid:invalid_record', `dropping log records: a log record could not be read: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Encodes one entry into `out` and counts why it cannot be sent, if so (returns false). Shared by `export()` and
   * the processor so that both count drops the same way.
   */
  encodeEntry(entry: LogEntry, out: EncodedRecord): boolean {
    const problem = this.destinationProblem(entry.destination);
    if (problem) {
      this.metrics.recordDropped('invalid_destination');
      this.problems.error('invalid_destination', `dropping log records with an unusable destination: ${problem}`);
      return false;
    }
    let invalid: InvalidEvent | undefined;
    try {
      invalid = this.encode(entry, out);
    } catch (error) {
      // Logging must never throw into the application: a record that cannot be encoded is counted instead.
      invalid = { invalid: 'invalid_record', message: `a log record could not be encoded: ${(error as Error).message}` };
    }
    if (invalid) {
      this.metrics.recordDropped(invalid.invalid);
      this.problems.warn(`invalid:${invalid.invalid}`, `dropping log records: ${invalid.message}`);
      return false;
    }
    return true;
  }

  /** Exports whatever the SDK hands over, split into requests the service accepts. */
  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      this.metrics.recordDropped('shutdown', records.length);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error(`${this.name} exporter is shut down`) });
      return;
    }
    const entries: LogEntry[] = [];
    for (const record of records) {
      const entry = this.readRecord(record);
      if (entry) entries.push(entry);
    }
    const task = this.exportEntries(entries);
    this.track(task);
    task.then(
      (failures) =>
        resultCallback(
          failures === 0
            ? { code: ExportResultCode.SUCCESS }
            : { code: ExportResultCode.FAILED, error: new Error(`${this.name}: ${failures} request(s) could not be delivered; see the self-metrics for reasons`) },
        ),
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: secretScrubber.scrubError(error as Error) }),
    );
  }

  /**
   * Plans and delivers entries (any destinations) and resolves with the number of requests that failed.
   * Public so that OTLP data from elsewhere (a gateway, a file) can be sent the same way.
   */
  async exportEntries(entries: readonly LogEntry[], signal?: AbortSignal): Promise<number> {
    const plan = planRequests(this, entries, Date.now(), this.mode, (entry, out) => this.encodeEntry(entry, out));
    this.recordPlanDrops(plan.dropped, plan.truncated);
    // Requests of one destination go one after another; destinations go in parallel.
    const byDestination = new Map<Destination, EncodedBatch[]>();
    for (const { destination, batch } of plan.requests) {
      const list = byDestination.get(destination);
      if (list) list.push(batch);
      else byDestination.set(destination, [batch]);
    }
    const deliveries = [...byDestination].map(async ([destination, batches]) => {
      let failed = 0;
      for (const batch of batches) {
        if (!(await deliver(this, destination, batch, { deadlineAt: Date.now() + this.retry.deadlineMillis, signal }))) failed++;
      }
      return failed;
    });
    let failures = 0;
    for (const failed of await Promise.all(deliveries)) failures += failed;
    return failures;
  }

  /** Counts what the planner left out and what it shortened, and says so once through diag. */
  recordPlanDrops(dropped: Partial<Record<DropReason, number>>, truncated: number): void {
    for (const [reason, count] of Object.entries(dropped) as [DropReason, number][]) this.recordDrop(reason, count);
    this.recordTruncated(truncated);
  }

  /** Counts records not sent for `reason`, and says so once through diag. */
  recordDrop(reason: DropReason, count: number): void {
    this.metrics.recordDropped(reason, count);
    this.problems.warn(`drop:${reason}`, describeDrop(reason, this.limits));
  }

  /** Counts records shortened to the event size limit (still delivered), and says so once through diag. */
  recordTruncated(count: number): void {
    if (count <= 0) return;
    this.metrics.recordTruncated(count);
    this.problems.warn('truncated', `log records over ${this.limits.maxEventBytes} bytes were truncated (oversizeEvents: 'truncate')`);
  }

  async forceFlush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.forceFlush();
    await this.http.close();
  }

  protected validate(): void {
    validateLimits(this.limits, this.name);
  }

  /** `checkDestination`, asked once per destination (destinations are interned, so this is a lookup per record). */
  private destinationProblem(destination: Destination): string | undefined {
    let problem = this.destinationProblems.get(destination);
    if (problem === undefined) {
      problem = this.checkDestination(destination) ?? '';
      this.destinationProblems.set(destination, problem);
    }
    return problem || undefined;
  }

  private track(task: Promise<unknown>): void {
    this.inFlight.add(task);
    const done = () => this.inFlight.delete(task);
    task.then(done, done);
  }
}
