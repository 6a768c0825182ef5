import {
  ConstraintAwareExporter,
  NetworkError,
  logEntriesFromOtlpJson,
  workerRecipe,
  type Destination,
  type DestinationDefaults,
  type EncodedBatch,
  type EncodedRecord,
  type LogEntry,
  type OtlpLogsRequest,
  type ProviderLimits,
  type RequestFrame,
  type SendContext,
  type SendOutcome,
} from '@otel-cloud-logs/core';
import { classifyResponse } from './classify.ts';
import { resolveConnection, resolveLimits, type ServiceWatchConnection, type ServiceWatchEnvironment, type ServiceWatchLogsExporterOptions } from './config.ts';
import { StreamRateLimiter } from './rate-limit.ts';
import { sendSigned } from './request.ts';
import { createCustomLogEventsFrame, destinationProblem, encodeServiceWatchRecord, encodeTruncatedServiceWatchRecord } from './translate.ts';

export const CREATE_CUSTOM_LOG_EVENTS_PATH = '/v1/log-groups/log-streams/log-events';

function positiveRate(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ServiceWatch: ${name} must be a positive number of requests per second, got ${String(value)}`);
  return value;
}

/**
 * OpenTelemetry log exporter for SCP ServiceWatch (CreateCustomLogEvents). Each request carries the records of
 * one destination (`account_id`, `log_group_value`, `log_stream_value`) as OTLP/JSON, within the configured
 * limits; works under `ConstraintAwareBatchProcessor` and under the stock `BatchLogRecordProcessor`.
 */
export class ServiceWatchLogsExporter extends ConstraintAwareExporter {
  readonly limits: ProviderLimits;
  /** The largest request body sent, in bytes (each request's frame takes its own bytes from it). */
  readonly maxBodyBytes: number;
  readonly endpoint: string;
  private readonly connection: ServiceWatchConnection;
  private readonly defaults: DestinationDefaults;
  private readonly requestsPerSecond: number | undefined;
  private readonly streamRequestsPerSecond = new Map<string, number>();
  private readonly rateLimiter = new StreamRateLimiter();

  /** `env` is where SCP_* variables are read when an option is absent (default `process.env`). */
  constructor(options: ServiceWatchLogsExporterOptions = {}, env: ServiceWatchEnvironment = process.env) {
    super('scp-servicewatch', options);
    this.connection = resolveConnection(options, env);
    this.endpoint = this.connection.endpoint;
    const limits = resolveLimits(options.limits);
    this.limits = limits.planning;
    this.maxBodyBytes = limits.maxBodyBytes;
    this.defaults = { accountId: options.accountId ?? (env.SCP_ACCOUNT_ID || undefined), logGroup: options.logGroupValue, logStream: options.logStreamValue };
    this.requestsPerSecond = options.requestsPerSecond === undefined ? undefined : positiveRate('requestsPerSecond', options.requestsPerSecond);
    for (const [stream, rate] of Object.entries(options.streamRequestsPerSecond ?? {})) this.setRequestsPerSecond(stream, rate);
    this.validate();
    // The twin in a worker thread reads the same SCP_* variables: worker threads share the process environment.
    if (env === process.env) this.workerRecipe = workerRecipe(import.meta.url, 'ServiceWatchLogsExporter', options);
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  /** Limits requests to one log stream (e.g. to the `requestsPerSecond` that provisioning returned). */
  setRequestsPerSecond(logStreamValue: string, requestsPerSecond: number): void {
    this.streamRequestsPerSecond.set(logStreamValue, positiveRate(`requests per second of stream ${logStreamValue}`, requestsPerSecond));
  }

  checkDestination(destination: Destination): string | undefined {
    return destinationProblem(destination);
  }

  encode(entry: LogEntry, out: EncodedRecord): undefined {
    encodeServiceWatchRecord(entry, out);
    return undefined;
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    return encodeTruncatedServiceWatchRecord(entry, maxSize, out);
  }

  frame(destination: Destination, entry: LogEntry): RequestFrame {
    return createCustomLogEventsFrame(destination, entry, this.maxBodyBytes);
  }

  /**
   * Sends OTLP/JSON logs from anywhere (a gateway, a file) with the same limits, retries and drop counting;
   * records without routing attributes get the exporter's defaults. Resolves with the number of failed requests.
   */
  exportOtlpJson(request: OtlpLogsRequest, signal?: AbortSignal): Promise<number> {
    return this.exportEntries(logEntriesFromOtlpJson(request, this.destinationDefaults), signal);
  }

  async send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome> {
    // One resource and one scope per request: the frame is exact, so only a resource or scope too large for any
    // request can make a body go over the limit.
    const body = batch.body();
    if (body.length > this.maxBodyBytes) {
      const error = new Error(
        `a log record with its resource and scope makes a ${body.length}-byte request, over limits.maxRequestBytes (${this.maxBodyBytes}); shorten the resource attributes or the record`,
      );
      return { status: 'failed', error, reason: 'request_too_large' };
    }
    try {
      const rate = this.streamRequestsPerSecond.get(destination.logStream) ?? this.requestsPerSecond;
      if (rate !== undefined) await this.rateLimiter.acquire(`${destination.accountId}/${destination.logStream}`, rate, context.signal);
      const { response, secrets } = await sendSigned(this.http, this.connection, {
        method: 'POST',
        path: CREATE_CUSTOM_LOG_EVENTS_PATH,
        body,
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
}
