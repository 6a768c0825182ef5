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
import { destinationProblem, ltsLimits, ltsMaxRequestBytes, type HuaweiLtsExporterOptions } from './config.ts';
import { checkLabels } from './labels.ts';
import { DestinationResolver } from './provision/resolve.ts';
import { encodeLtsRecord, encodeTruncatedLtsRecord, ltsRequestFrame, type LineOptions } from './translate.ts';

const NAME = 'huawei-lts';

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

    // The frame (`{"contents":[…],"labels":{…}}`) is constant, so the budget for lines is what is left of it.
    this.requestFrame = ltsRequestFrame(labels, ltsMaxRequestBytes(options));
    this.limits = ltsLimits(options, this.requestFrame.maxRequestBytes);
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
