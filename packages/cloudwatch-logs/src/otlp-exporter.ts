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
import { CloudWatchLogsClient } from './client.ts';
import { CloudWatchServiceError } from './errors.ts';
import { MAX_REQUEST_BYTES, destinationProblem } from './config.ts';
import { classifyOtlpFailure, partialSuccessCounts } from './otlp-classify.ts';
import { OtlpLogsClient, type OtlpPartialSuccess } from './otlp-client.ts';
import { LARGE_EVENT_REGIONS, otlpLimits, resolveOtlpConnection, validateOtlpOptions, type CloudWatchLogsOtlpExporterOptions, type ResolvedAuth } from './otlp-config.ts';
import { otlpFrame, type OtlpEncoding } from './otlp-frame.ts';
import { encodeOtlpRecord, encodeTruncatedOtlpRecord } from './otlp-translate.ts';
import { LogStreamProvisioner } from './provision.ts';
import { CloudWatchSigner } from './sign.ts';

/** The log group and stream travel in HTTP headers: printable ASCII only (an inference; the endpoint documents no encoding). */
const HEADER_SAFE = /^[\x20-\x7e]*$/;
/** zlib's fastest level: for log requests ~2.5× the speed of its default 6, for ~20 % more bytes. */
const DEFAULT_GZIP_LEVEL = 1;

/**
 * An OpenTelemetry `LogRecordExporter` for CloudWatch Logs' OTLP endpoint (`/v1/logs`): OTLP/HTTP protobuf (or
 * JSON), gzip, one resource and scope per request, within the endpoint's limits; SigV4 or a CloudWatch Logs API
 * key as a bearer token. Use it with `ConstraintAwareBatchProcessor` or the SDK's `BatchLogRecordProcessor`.
 */
export class CloudWatchLogsOtlpExporter extends ConstraintAwareExporter {
  readonly limits: ProviderLimits;
  readonly region: string;
  /** `…/v1/logs`. */
  readonly endpoint: URL;
  readonly encoding: OtlpEncoding;
  /** The gzip level request bodies are compressed at; undefined when they go uncompressed. */
  readonly compressionLevel: number | undefined;
  /** 'sigv4' or 'bearer' (the token itself is never exposed). */
  readonly authType: ResolvedAuth['type'];
  private readonly defaults: DestinationDefaults;
  private readonly client: OtlpLogsClient;
  private readonly provisioner: LogStreamProvisioner | undefined;
  private readonly truncatableFields: string | undefined;
  private readonly copyableEnvironment: boolean;

  /** `env` is where AWS_* variables are read when an option is absent (default `process.env`). */
  constructor(options: CloudWatchLogsOtlpExporterOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    super('cloudwatch-logs-otlp', options);
    const connection = resolveOtlpConnection(options, env);
    validateOtlpOptions(options, connection.auth);
    this.region = connection.region;
    this.endpoint = connection.logsUrl;
    this.authType = connection.auth.type;
    this.encoding = options.encoding ?? 'protobuf';
    this.compressionLevel = (options.compression ?? 'gzip') === 'gzip' ? (options.compressionLevel ?? DEFAULT_GZIP_LEVEL) : undefined;
    this.limits = otlpLimits(options);
    this.defaults = { logGroup: options.logGroupName, logStream: options.logStreamName };
    const signer = connection.auth.type === 'sigv4' ? new CloudWatchSigner(this.region, options.credentials) : undefined;
    this.client = new OtlpLogsClient({
      url: this.endpoint,
      auth: connection.auth,
      signer,
      http: this.http,
      encoding: this.encoding,
      compressionLevel: this.compressionLevel,
    });
    if (signer && (options.createLogStream ?? true)) {
      const provisioningClient = new CloudWatchLogsClient(connection.serviceUrl, signer, this.http);
      this.provisioner = new LogStreamProvisioner(
        provisioningClient,
        {
          createLogStream: true,
          createLogGroup: options.createLogGroup ?? false,
          retentionInDays: options.retentionInDays,
          tags: options.tags,
          logGroupClass: options.logGroupClass,
        },
        (message) => this.problems.error('retention', message),
      );
    }
    const large = options.largeEvents;
    this.truncatableFields = large?.enabled && large.truncatableFields?.length ? large.truncatableFields.join(',') : undefined;
    if (large?.enabled && !LARGE_EVENT_REGIONS.has(this.region)) {
      this.problems.warn(
        'large_events_region',
        `largeEvents is enabled but ${this.region} is not among the regions CloudWatch lists for events over 1 MB (${[...LARGE_EVENT_REGIONS].join(', ')}); such records may be refused`,
      );
    }
    this.validate();
    this.copyableEnvironment = env === process.env;
    // Without a credentials function, a twin built from the same options can deliver from a worker thread.
    if (typeof options.credentials !== 'function') this.workerRecipe = workerRecipe(import.meta.url, 'CloudWatchLogsOtlpExporter', options);
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  checkDestination(destination: Destination): string | undefined {
    const problem = destinationProblem(destination);
    if (problem) return problem;
    if (!HEADER_SAFE.test(destination.logStream)) {
      return `log stream name ${JSON.stringify(destination.logStream.slice(0, 80))} holds characters an HTTP header cannot carry; the OTLP endpoint takes the stream in the x-aws-log-stream header: use printable ASCII (or the PutLogEvents exporter)`;
    }
    return undefined;
  }

  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    return encodeOtlpRecord(entry, this.encoding, out);
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    return encodeTruncatedOtlpRecord(entry, this.encoding, maxSize, out);
  }

  frame(_destination: Destination, entry: LogEntry): RequestFrame {
    return otlpFrame(entry, this.encoding, this.limits.maxRequestBytes);
  }

  /**
   * Sends OTLP/JSON logs from anywhere (a gateway, a file) with the same limits, retries and drop counting;
   * records without routing attributes get the exporter's defaults. Resolves with the number of failed requests.
   */
  exportOtlpJson(request: OtlpLogsRequest, signal?: AbortSignal): Promise<number> {
    return this.exportEntries(logEntriesFromOtlpJson(request, this.destinationDefaults), signal);
  }

  async send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome> {
    const bearer = this.authType === 'bearer';
    // Built once per request and sent unchanged (compressed once) on every retry.
    const request = {
      destination,
      body: batch.body(),
      // Only a request over 1 MB carries a record the service may cut into large log objects (it travels alone).
      truncatableFields: batch.requestBytes > MAX_REQUEST_BYTES ? this.truncatableFields : undefined,
      signal: context.signal,
      timeoutMillis: context.timeoutMillis,
    };
    try {
      return this.accepted(await this.client.send(request), batch.length);
    } catch (error) {
      if (!(error instanceof CloudWatchServiceError && error.type === 'ResourceNotFoundException') || !this.provisioner) {
        return this.failure(error, bearer, destination, context);
      }
      try {
        await this.provisioner.ensure(destination, context);
        return this.accepted(await this.client.send(request), batch.length);
      } catch (retryError) {
        // The stream exists now; a service that does not see it yet (eventual consistency) is asked again later.
        if (retryError instanceof CloudWatchServiceError && retryError.type === 'ResourceNotFoundException') return { status: 'retry', error: retryError };
        return this.failure(retryError, bearer, destination, context);
      }
    }
  }

  override recipeForWorker(): WorkerRecipe | string {
    if (!this.copyableEnvironment) return `${this.name}: this exporter cannot run in a worker thread: it was built with an env other than process.env, which its twin in the thread would read instead`;
    return super.recipeForWorker();
  }

  private failure(error: unknown, bearer: boolean, destination: Destination, context: SendContext): SendOutcome {
    // An abort (shutdown) is handed back as a retry so that delivery counts it as such.
    if (context.signal.aborted && !(error instanceof CloudWatchServiceError)) return { status: 'retry', error: error as Error };
    if (error instanceof NetworkError) return { status: 'retry', error };
    return classifyOtlpFailure(error, bearer, destination);
  }

  private accepted(partial: OtlpPartialSuccess, recordCount: number): SendOutcome {
    const rejected = partialSuccessCounts(partial, recordCount);
    if (rejected.some(({ reason }) => reason === 'partial_success')) {
      this.problems.warn('partial_success', `CloudWatch refused log records without saying why in the documented form: ${(partial.errorMessage ?? '').slice(0, 300)}`);
    }
    return { status: 'accepted', rejected };
  }
}
