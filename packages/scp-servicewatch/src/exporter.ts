import {
  ConstraintAwareExporter,
  NetworkError,
  logEntriesFromOtlpJson,
  utf8ByteLength,
  type Destination,
  type DestinationDefaults,
  type LogEntry,
  type OtlpLogsRequest,
  type ProviderLimits,
  type SendContext,
  type SendOutcome,
} from '@otel-cloud-logs/core';
import { classifyResponse } from './classify.ts';
import { resolveConnection, resolveLimits, type ServiceWatchConnection, type ServiceWatchEnvironment, type ServiceWatchLogsExporterOptions } from './config.ts';
import { StreamRateLimiter } from './rate-limit.ts';
import { sendSigned } from './request.ts';
import { createCustomLogEventsBody, destinationProblem, toServiceWatchEvent, truncateServiceWatchEvent, type ServiceWatchEvent } from './translate.ts';

export const CREATE_CUSTOM_LOG_EVENTS_PATH = '/v1/log-groups/log-streams/log-events';

interface RequestPart {
  readonly events: readonly ServiceWatchEvent[];
  readonly body: string;
}

function positiveRate(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`ServiceWatch: ${name} must be a positive number of requests per second, got ${String(value)}`);
  return value;
}

/**
 * OpenTelemetry log exporter for SCP ServiceWatch (CreateCustomLogEvents). Each request carries the records of
 * one destination (`account_id`, `log_group_value`, `log_stream_value`) as OTLP/JSON, within the configured
 * limits; works under `ConstraintAwareBatchProcessor` and under the stock `BatchLogRecordProcessor`.
 */
export class ServiceWatchLogsExporter extends ConstraintAwareExporter<ServiceWatchEvent> {
  readonly limits: ProviderLimits;
  /** The largest request body sent, in bytes (`limits.maxRequestBytes` is this minus the envelope reserve). */
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

  encode(entry: LogEntry): ServiceWatchEvent {
    return toServiceWatchEvent(entry);
  }

  truncate(event: ServiceWatchEvent, maxSize: number): ServiceWatchEvent | undefined {
    return truncateServiceWatchEvent(event, maxSize);
  }

  /**
   * Sends OTLP/JSON logs from anywhere (a gateway, a file) with the same limits, retries and drop counting;
   * records without routing attributes get the exporter's defaults. Resolves with the number of failed requests.
   */
  exportOtlpJson(request: OtlpLogsRequest, signal?: AbortSignal): Promise<number> {
    return this.exportEntries(logEntriesFromOtlpJson(request, this.destinationDefaults), signal);
  }

  async send(destination: Destination, events: readonly ServiceWatchEvent[], context: SendContext): Promise<SendOutcome<ServiceWatchEvent>> {
    const parts = this.splitToFit(destination, events);
    for (let index = 0; index < parts.length; index++) {
      const outcome = await this.post(destination, parts[index]!, context);
      if (outcome.status === 'accepted') continue;
      if (index === 0) return outcome;
      const unsent = parts.slice(index).flatMap((part) => part.events);
      if (outcome.status === 'retry') return { ...outcome, events: unsent };
      // Earlier parts were taken: report the refusal and count what was not, under the service's reason.
      this.problems.error(`failed:${outcome.reason}`, `a request failed and is not retried (${outcome.reason}): ${outcome.error.message}`);
      return { status: 'accepted', rejected: [{ reason: outcome.reason, count: unsent.length }] };
    }
    return { status: 'accepted' };
  }

  /**
   * The planner budgets records only; the envelope (routing and resource attributes, scopes) normally fits in
   * limits.envelopeReserveBytes. When many distinct resources or scopes overflow it, the request is halved
   * until every body is within maxRequestBytes.
   */
  private splitToFit(destination: Destination, events: readonly ServiceWatchEvent[]): RequestPart[] {
    const body = createCustomLogEventsBody(destination, events);
    if (events.length === 1 || utf8ByteLength(body) <= this.maxBodyBytes) return [{ events, body }];
    const middle = Math.ceil(events.length / 2);
    return [...this.splitToFit(destination, events.slice(0, middle)), ...this.splitToFit(destination, events.slice(middle))];
  }

  private async post(destination: Destination, part: RequestPart, context: SendContext): Promise<SendOutcome<ServiceWatchEvent>> {
    const bytes = utf8ByteLength(part.body);
    if (bytes > this.maxBodyBytes) {
      const error = new Error(
        `a log record with its resource and scope makes a ${bytes}-byte request, over limits.maxRequestBytes (${this.maxBodyBytes}); shorten the resource attributes or raise limits.envelopeReserveBytes`,
      );
      return { status: 'failed', error, reason: 'request_too_large' };
    }
    try {
      const rate = this.streamRequestsPerSecond.get(destination.logStream) ?? this.requestsPerSecond;
      if (rate !== undefined) await this.rateLimiter.acquire(`${destination.accountId}/${destination.logStream}`, rate, context.signal);
      const { response, secrets } = await sendSigned(this.http, this.connection, {
        method: 'POST',
        path: CREATE_CUSTOM_LOG_EVENTS_PATH,
        body: part.body,
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
