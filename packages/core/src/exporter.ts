import type { MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { WireEvent } from './batch.ts';
import { deliver } from './delivery.ts';
import { HttpTransport } from './http.ts';
import { validateLimits, type ProviderLimits } from './limits.ts';
import { SelfMetrics, type DropReason } from './metrics.ts';
import { logEntryFromReadableLogRecord, type Destination, type DestinationDefaults, type LogEntry } from './model.ts';
import { planByDestination, type OversizePolicy } from './planner.ts';
import { ProblemReporter } from './problems.ts';
import { resolveRetryOptions, type RetryOptions } from './retry.ts';

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

/** An encoder's verdict on a record it cannot turn into a valid event. */
export interface InvalidEvent {
  readonly invalid: DropReason;
  readonly message: string;
}

export interface SendContext {
  readonly signal: AbortSignal;
  readonly timeoutMillis: number;
  /** 0 for the first attempt. */
  readonly attempt: number;
}

/** How a provider classifies the answer to one request. */
export type SendOutcome<E> =
  /** The service took the request; some events may have been refused individually (counted by reason). */
  | { readonly status: 'accepted'; readonly rejected?: ReadonlyArray<{ readonly reason: string; readonly count: number }> }
  /** Worth trying again (throttling, 5xx, network). `events` narrows what to resend when part was accepted. */
  | { readonly status: 'retry'; readonly error: Error; readonly throttled?: boolean; readonly retryAfterMillis?: number; readonly events?: E[] }
  /** Will never succeed as sent (validation, auth): the events are counted as rejected with `reason`. */
  | { readonly status: 'failed'; readonly error: Error; readonly reason: string };

/**
 * The base of every provider exporter. A provider says what its limits are, how a log entry becomes a
 * wire event, how an oversize event is cut, and how one valid request is sent and classified; this class
 * does the rest, the same way under the stock `BatchLogRecordProcessor` (`export()`) and under
 * `ConstraintAwareBatchProcessor`.
 */
export abstract class ConstraintAwareExporter<E extends WireEvent> implements LogRecordExporter, OversizePolicy<E> {
  abstract readonly limits: ProviderLimits;
  readonly metrics: SelfMetrics;
  readonly problems: ProblemReporter;
  readonly mode: 'truncate' | 'drop';
  readonly retry: RetryOptions;
  readonly requestTimeoutMillis: number;
  protected readonly http = new HttpTransport();
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

  /** The destination used when neither the record nor its resource carries routing attributes. */
  abstract get destinationDefaults(): DestinationDefaults;

  /** Returns why records for `destination` cannot be sent (e.g. a missing or invalid stream name), or undefined. */
  abstract checkDestination(destination: Destination): string | undefined;

  /** Turns a log entry into the provider's wire event. */
  abstract encode(entry: LogEntry): E | InvalidEvent;

  /** Cuts an event to at most `maxSize` (as measured by `size`), or undefined if it cannot be cut. */
  abstract truncate(event: E, maxSize: number): E | undefined;

  /** Sends one request that already satisfies every limit, and classifies the answer. Must not throw. */
  abstract send(destination: Destination, events: readonly E[], context: SendContext): Promise<SendOutcome<E>>;

  /** Snapshot of an SDK record with its destination resolved. */
  toEntry(record: ReadableLogRecord): LogEntry {
    return logEntryFromReadableLogRecord(record, this.destinationDefaults);
  }

  /** `toEntry` that never throws: a record that cannot be read is counted as `invalid_record` instead. */
  readRecord(record: ReadableLogRecord): LogEntry | undefined {
    try {
      return this.toEntry(record);
    } catch (error) {
      this.metrics.recordDropped('invalid_record');
      this.problems.warn('invalid:invalid_record', `dropping log records: a log record could not be read: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Encodes one entry and reports why it cannot be sent, if so. Shared by `export()` and the processor so that
   * both count drops the same way.
   */
  encodeEntry(entry: LogEntry): E | undefined {
    const problem = this.checkDestination(entry.destination);
    if (problem) {
      this.metrics.recordDropped('invalid_destination');
      this.problems.error('invalid_destination', `dropping log records with an unusable destination: ${problem}`);
      return undefined;
    }
    let event: E | InvalidEvent;
    try {
      event = this.encode(entry);
    } catch (error) {
      // Logging must never throw into the application: a record that cannot be encoded is counted instead.
      event = { invalid: 'invalid_record', message: `a log record could not be encoded: ${(error as Error).message}` };
    }
    if ('invalid' in event) {
      this.metrics.recordDropped(event.invalid);
      this.problems.warn(`invalid:${event.invalid}`, `dropping log records: ${event.message}`);
      return undefined;
    }
    return event;
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
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  }

  /**
   * Plans and delivers entries (any destinations) and resolves with the number of requests that failed.
   * Public so that OTLP data from elsewhere (a gateway, a file) can be sent the same way.
   */
  async exportEntries(entries: readonly LogEntry[], signal?: AbortSignal): Promise<number> {
    const plan = planByDestination(entries, (entry) => this.encodeEntry(entry), this.limits, Date.now(), this);
    this.recordPlanDrops(plan.dropped, plan.truncated);
    const deliveries: Promise<boolean>[] = [];
    for (const { destination, requests } of plan.destinations) {
      // Requests of one destination go one after another; destinations go in parallel.
      deliveries.push(
        (async () => {
          let ok = true;
          for (const request of requests) {
            ok = (await deliver(this, destination, request.events, { deadlineAt: Date.now() + this.retry.deadlineMillis, signal })) && ok;
          }
          return ok;
        })(),
      );
    }
    const results = await Promise.all(deliveries);
    return results.filter((ok) => !ok).length;
  }

  /** Counts what the planner left out and what it shortened, and says so once through diag. */
  recordPlanDrops(dropped: Partial<Record<DropReason, number>>, truncated: number): void {
    for (const [reason, count] of Object.entries(dropped) as [DropReason, number][]) {
      this.metrics.recordDropped(reason, count);
      this.problems.warn(`drop:${reason}`, describeDrop(reason, this.limits));
    }
    this.recordTruncated(truncated);
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

  private track(task: Promise<unknown>): void {
    this.inFlight.add(task);
    const done = () => this.inFlight.delete(task);
    task.then(done, done);
  }
}

/** The once-per-problem diag message for a drop reason. */
export function describeDrop(reason: DropReason, limits: ProviderLimits): string {
  switch (reason) {
    case 'too_old':
      return `dropping log records older than the service accepts (${Math.round((limits.maxAgeMillis ?? 0) / 3_600_000)} h, with a ${limits.timeWindowMarginMillis} ms margin); check the clock or the record timestamps`;
    case 'too_new':
      return `dropping log records more than ${Math.round((limits.maxFutureMillis ?? 0) / 60_000)} min in the future (with a ${limits.timeWindowMarginMillis} ms margin); check the clock or the record timestamps`;
    case 'oversize':
      return `dropping log records over ${limits.maxEventBytes} bytes (oversizeEvents: 'drop'); set oversizeEvents: 'truncate' to keep them shortened`;
    case 'queue_full':
      return 'dropping log records because the queue is full (maxQueueBytes); the service is slower than the log rate, or unreachable';
    case 'retry_deadline_exceeded':
      return 'dropping log records whose request kept failing until the retry deadline';
    case 'shutdown':
      return 'dropping log records that could not be delivered before shutdown completed';
    default:
      return `dropping log records (${reason})`;
  }
}
