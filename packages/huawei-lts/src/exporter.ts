import {
  ConstraintAwareExporter,
  workerRecipe,
  type Destination,
  type DestinationDefaults,
  type EncodedBatch,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
  type RequestFrame,
  type SendContext,
  type SendOutcome,
} from '@otel-cloud-logs/core';
import { classifyFailure, classifyReport } from './classify.ts';
import { HuaweiCloudClient } from './client.ts';
import { destinationProblem, type HuaweiLtsExporterOptions } from './config.ts';
import { checkLabels } from './labels.ts';
import { DestinationResolver } from './provision/resolve.ts';
import { encodeLtsRecord, encodeTruncatedLtsRecord, ltsRequestFrame, PER_LINE_OVERHEAD_BYTES, type LineOptions } from './translate.ts';

const NAME = 'huawei-lts';
const HOUR = 3_600_000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved <= 0) throw new RangeError(`HuaweiLtsExporter: ${name} must be a positive integer, got ${String(value)}`);
  return resolved;
}

/**
 * OpenTelemetry LogRecordExporter for Huawei Cloud Log Tank Service, sending to the high-precision reporting API
 * (`/v2/{project_id}/lts/groups/{group}/streams/{stream}/tenant/contents/high-accuracy`). Run it under
 * `ConstraintAwareBatchProcessor` (or the stock BatchLogRecordProcessor).
 */
export class HuaweiLtsExporter extends ConstraintAwareExporter {
  readonly limits: ProviderLimits;
  readonly client: HuaweiCloudClient;
  private readonly defaults: DestinationDefaults;
  private readonly resolver: DestinationResolver;
  private readonly lineOptions: LineOptions;
  /** The same for every destination: the labels are the exporter's. */
  private readonly requestFrame: RequestFrame;

  constructor(options: HuaweiLtsExporterOptions = {}) {
    super(NAME, options);
    this.client = new HuaweiCloudClient(options, this.http, 'HuaweiLtsExporter');
    const labels = { ...(options.labels ?? {}) };
    const labelProblem = checkLabels(labels);
    if (labelProblem) throw new TypeError(`HuaweiLtsExporter: ${labelProblem}`);
    const lineFormat = options.lineFormat ?? 'json';
    if (lineFormat !== 'json' && lineFormat !== 'text') throw new TypeError(`HuaweiLtsExporter: lineFormat must be 'json' or 'text', got ${JSON.stringify(lineFormat)}`);
    this.lineOptions = { lineFormat, includeResource: options.includeResource ?? true };
    const ttlInDays = options.ttlInDays ?? 7;
    if (!Number.isInteger(ttlInDays) || ttlInDays < 1 || ttlInDays > 365) throw new RangeError(`HuaweiLtsExporter: ttlInDays must be 1-365, got ${String(options.ttlInDays)}`);
    this.resolver = new DestinationResolver(this.client, { createMissing: options.createMissing ?? false, ttlInDays, retry: this.retry, onRetry: this.countRetry });
    this.defaults = { accountId: this.client.connection.projectId, logGroup: options.logGroup, logStream: options.logStream };

    const maxRequestBytes = positiveInteger('maxRequestBytes', options.maxRequestBytes, 512 * 1024);
    // The frame (`{"contents":[…],"labels":{…}}`) is constant, so the budget for lines is what is left of it.
    this.requestFrame = ltsRequestFrame(labels, maxRequestBytes);
    const lineBudget = this.requestFrame.maxRequestBytes;
    const maxLineBytes = positiveInteger('maxLineBytes', options.maxLineBytes, 1_000_000);
    this.limits = {
      maxRequestBytes: lineBudget,
      perEventOverheadBytes: PER_LINE_OVERHEAD_BYTES,
      maxEventsPerRequest: positiveInteger('maxLinesPerRequest', options.maxLinesPerRequest, 4_096),
      // 512 KiB is a batching target, not a service limit: a line up to maxLineBytes larger than it is sent alone.
      maxEventBytes: maxLineBytes,
      chronological: false,
      maxAgeMillis: options.maxAgeMillis ?? 24 * HOUR,
      maxFutureMillis: options.maxFutureMillis ?? 24 * HOUR,
      timeWindowMarginMillis: options.timeWindowMarginMillis ?? 60_000,
    };
    if (lineBudget <= PER_LINE_OVERHEAD_BYTES) throw new RangeError(`HuaweiLtsExporter: maxRequestBytes ${maxRequestBytes} leaves no room for a line after the labels`);
    this.validate();
    // Options that are plain data let a twin of this exporter deliver from a worker thread.
    this.workerRecipe = workerRecipe(import.meta.url, 'HuaweiLtsExporter', options);
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  checkDestination(destination: Destination): string | undefined {
    return destinationProblem(destination);
  }

  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    return encodeLtsRecord(entry, this.lineOptions, out);
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    return encodeTruncatedLtsRecord(entry, this.lineOptions, maxSize, out);
  }

  frame(): RequestFrame {
    return this.requestFrame;
  }

  async send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome> {
    const { accountId: projectId, logGroup, logStream } = destination;
    try {
      const { logGroupId, logStreamId } = await this.resolver.resolve(projectId, logGroup, logStream, context);
      const response = await this.client.call({
        service: 'ingest',
        method: 'POST',
        segments: ['v2', projectId, 'lts', 'groups', logGroupId, 'streams', logStreamId, 'tenant', 'contents', 'high-accuracy'],
        // Built once per request, signed and sent as is on every retry.
        rawBody: batch.body(),
        projectId,
        timeoutMillis: context.timeoutMillis,
        signal: context.signal,
      });
      const outcome = classifyReport(response, `report ${batch.length} log line(s) to LTS ${logGroup}/${logStream}`);
      // A name that pointed at a since-deleted group or stream must be looked up again next time.
      if (outcome.status === 'failed' && (response.status === 404 || outcome.reason === 'LTS.0201' || outcome.reason === 'LTS.0208')) {
        this.resolver.forget(projectId, logGroup, logStream);
      }
      return outcome;
    } catch (error) {
      if (context.signal.aborted) return { status: 'retry', error: error as Error };
      return classifyFailure(error);
    }
  }
}
