import {
  ConstraintAwareExporter,
  NetworkError,
  logEntriesFromOtlpJson,
  workerRecipe,
  type Destination,
  type DestinationDefaults,
  type EncodedBatch,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
  type OtlpLogsRequest,
  type ProviderLimits,
  type RequestFrame,
  type SendContext,
  type SendOutcome,
  type WorkerRecipe,
} from '@otel-cloud-logs/core';
import { classifyResponse } from './classify.ts';
import { sendSigned } from './client.ts';
import { destinationProblem, resolveConnection, resolveLimits, type ServiceWatchConnection, type ServiceWatchEnvironment, type ServiceWatchLogsExporterOptions } from './config.ts';
import { StreamRateLimiter } from './rate-limit.ts';
import { createCustomLogEventsFrame } from './request-frame.ts';
import { encodeServiceWatchRecord, encodeTruncatedServiceWatchRecord } from './translate.ts';

export const CREATE_CUSTOM_LOG_EVENTS_PATH = '/v1/log-groups/log-streams/log-events';

function positiveRate(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ServiceWatch: ${name} must be a positive number of requests per second, got ${String(value)}`);
  return value;
}

/**
 * OpenTelemetry log exporter for SCP ServiceWatch (CreateCustomLogEvents). Each request carries the records of
 * one destination (`account_id`, `log_group_value`, `log_stream_value`) and one resource and scope as OTLP/JSON,
 * within the configured limits; works under `ConstraintAwareBatchProcessor` (also with `thread: 'worker'`) and
 * under the stock `BatchLogRecordProcessor`.
 */
export class ServiceWatchLogsExporter extends ConstraintAwareExporter {
  /** `maxRequestBytes` is the whole body; each request's frame (envelope) takes its exact share of it. */
  readonly limits: ProviderLimits;
  readonly endpoint: string;
  private readonly options: ServiceWatchLogsExporterOptions;
  private readonly copyableEnvironment: boolean;
  private readonly connection: ServiceWatchConnection;
  private readonly defaults: DestinationDefaults;
  private readonly requestsPerSecond: number | undefined;
  private readonly streamRequestsPerSecond = new Map<string, number>();
  private readonly rateLimiter = new StreamRateLimiter();

  /** `env` is where SCP_* variables are read when an option is absent (default `process.env`). */
  constructor(options: ServiceWatchLogsExporterOptions = {}, env: ServiceWatchEnvironment = process.env) {
    super('scp-servicewatch', options);
    this.options = options;
    // A worker thread's twin is built from the options and reads process.env (threads share it): only that
    // environment makes it the same exporter.
    this.copyableEnvironment = env === process.env;
    this.connection = resolveConnection(options, env);
    this.endpoint = this.connection.endpoint;
    this.limits = resolveLimits(options.limits);
    this.defaults = { accountId: options.accountId ?? (env.SCP_ACCOUNT_ID || undefined), logGroup: options.logGroupValue, logStream: options.logStreamValue };
    this.requestsPerSecond = options.requestsPerSecond === undefined ? undefined : positiveRate('requestsPerSecond', options.requestsPerSecond);
    for (const [stream, rate] of Object.entries(options.streamRequestsPerSecond ?? {})) this.setRequestsPerSecond(stream, rate);
    this.validate();
    this.updateWorkerRecipe();
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  /**
   * Limits requests to one log stream (e.g. to the `requestsPerSecond` that provisioning returned). With
   * `thread: 'worker'`, call it before creating the processor: the worker's twin is built from a copy.
   */
  setRequestsPerSecond(logStreamValue: string, requestsPerSecond: number): void {
    this.streamRequestsPerSecond.set(logStreamValue, positiveRate(`requests per second of stream ${logStreamValue}`, requestsPerSecond));
    this.updateWorkerRecipe();
  }

  checkDestination(destination: Destination): string | undefined {
    return destinationProblem(destination);
  }

  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    return encodeServiceWatchRecord(entry, this.limits, out);
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    return encodeTruncatedServiceWatchRecord(entry, maxSize, this.limits.maxRequestBytes, out);
  }

  frame(destination: Destination, entry: LogEntry): RequestFrame {
    return createCustomLogEventsFrame(destination, entry, this.limits.maxRequestBytes);
  }

  /**
   * Sends OTLP/JSON logs from anywhere (a gateway, a file) with the same limits, retries and drop counting;
   * records without routing attributes get the exporter's defaults. Resolves with the number of failed requests.
   */
  exportOtlpJson(request: OtlpLogsRequest, signal?: AbortSignal): Promise<number> {
    return this.exportEntries(logEntriesFromOtlpJson(request, this.destinationDefaults), signal);
  }

  async send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome> {
    try {
      const rate = this.streamRequestsPerSecond.get(destination.logStream) ?? this.requestsPerSecond;
      if (rate !== undefined) await this.rateLimiter.acquire(`${destination.accountId}/${destination.logStream}`, rate, context.signal);
      // Within maxRequestBytes by construction (exact frame budget; a record that cannot fit is refused or cut when
      // encoded), assembled once and sent unchanged on every retry.
      const { response, secrets } = await sendSigned(this.http, this.connection, {
        method: 'POST',
        path: CREATE_CUSTOM_LOG_EVENTS_PATH,
        body: batch.body(),
        timeoutMillis: context.timeoutMillis,
        signal: context.signal,
      });
      const error = classifyResponse('CreateCustomLogEvents', response, secrets);
      if (!error) return { status: 'accepted' };
      if (error.retryable) return { status: 'retry', error, throttled: error.throttled, retryAfterMillis: error.retryAfterMillis };
      return { status: 'failed', error, reason: error.reason };
    } catch (error) {
      // Network failures are retried; an abort (shutdown) is handed back so that delivery counts it as such.
      if (error instanceof NetworkError || context.signal.aborted) return { status: 'retry', error: error as Error };
      return { status: 'failed', error: error as Error, reason: 'export_error' };
    }
  }

  override recipeForWorker(): WorkerRecipe | string {
    if (!this.copyableEnvironment) return `${this.name}: this exporter cannot run in a worker thread: it was built with an env other than process.env, which its twin in the thread would read instead`;
    return super.recipeForWorker();
  }

  /** The recipe of the worker thread's twin: the options, with the stream rates set since. */
  private updateWorkerRecipe(): void {
    const streamRequestsPerSecond = Object.fromEntries(this.streamRequestsPerSecond);
    this.workerRecipe = workerRecipe(import.meta.url, 'ServiceWatchLogsExporter', { ...this.options, streamRequestsPerSecond });
  }
}
