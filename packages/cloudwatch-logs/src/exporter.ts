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
import { classifyFailure, rejectedCounts, type PutLogEventsResponse } from './classify.ts';
import { CloudWatchLogsClient } from './client.ts';
import { CloudWatchServiceError } from './errors.ts';
import { cloudWatchLimits, destinationProblem, resolveEndpoint, validateOptions, type CloudWatchLogsExporterOptions } from './config.ts';
import { LogStreamProvisioner } from './provision.ts';
import { CloudWatchSigner } from './sign.ts';
import { encodeCloudWatchEvent, encodeTruncatedCloudWatchEvent, putLogEventsFrame, type MessageFormat } from './translate.ts';

/**
 * An OpenTelemetry `LogRecordExporter` for Amazon CloudWatch Logs (PutLogEvents). Use it with
 * `ConstraintAwareBatchProcessor` (full requests per stream) or with the SDK's `BatchLogRecordProcessor`.
 */
export class CloudWatchLogsExporter extends ConstraintAwareExporter {
  readonly limits: ProviderLimits;
  readonly region: string;
  readonly endpoint: URL;
  private readonly defaults: DestinationDefaults;
  private readonly format: MessageFormat;
  private readonly entity: CloudWatchLogsExporterOptions['entity'];
  private readonly client: CloudWatchLogsClient;
  private readonly provisioner: LogStreamProvisioner;
  /** PutLogEvents calls whose optional `entity` was refused (the events were still accepted). */
  entityRejections = 0;

  constructor(options: CloudWatchLogsExporterOptions = {}) {
    super('cloudwatch-logs', options);
    validateOptions(options);
    const { region, url } = resolveEndpoint(options);
    this.region = region;
    this.endpoint = url;
    this.limits = cloudWatchLimits(options);
    this.defaults = { logGroup: options.logGroupName, logStream: options.logStreamName };
    this.format = options.messageFormat ?? 'json';
    this.entity = options.entity;
    this.client = new CloudWatchLogsClient(url, new CloudWatchSigner(region, options.credentials), this.http);
    this.provisioner = new LogStreamProvisioner(this.client, {
      createLogStream: options.createLogStream ?? true,
      createLogGroup: options.createLogGroup ?? false,
      retentionInDays: options.retentionInDays,
      tags: options.tags,
      logGroupClass: options.logGroupClass,
    }, (message) => this.problems.error('retention', message), { retry: this.retry, onRetry: this.countRetry });
    this.validate();
    // Without a credentials function, a twin built from the same options can deliver from a worker thread.
    if (typeof options.credentials !== 'function') this.workerRecipe = workerRecipe(import.meta.url, 'CloudWatchLogsExporter', options);
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  checkDestination(destination: Destination): string | undefined {
    return destinationProblem(destination);
  }

  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    return encodeCloudWatchEvent(entry, this.format, out);
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    return encodeTruncatedCloudWatchEvent(entry, this.format, maxSize, out);
  }

  frame(destination: Destination): RequestFrame {
    return putLogEventsFrame(destination, this.limits.maxRequestBytes, this.entity);
  }

  async send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome> {
    // Built once per request (already in time order), and sent unchanged on every retry.
    const request = batch.body();
    try {
      return this.accepted(await this.client.call<PutLogEventsResponse>('PutLogEvents', request, context), batch.length);
    } catch (error) {
      if (!(error instanceof CloudWatchServiceError && error.type === 'ResourceNotFoundException') || !this.provisioner.enabled) {
        return classifyFailure(error);
      }
      try {
        await this.provisioner.ensure(destination, context);
      } catch (creationError) {
        return classifyFailure(creationError);
      }
      try {
        return this.accepted(await this.client.call<PutLogEventsResponse>('PutLogEvents', request, context), batch.length);
      } catch (retryError) {
        // The stream exists now; a service that does not see it yet (eventual consistency) is asked again later.
        if (retryError instanceof CloudWatchServiceError && retryError.type === 'ResourceNotFoundException') return { status: 'retry', error: retryError };
        return classifyFailure(retryError);
      }
    }
  }

  private accepted(response: PutLogEventsResponse, eventCount: number): SendOutcome {
    if (response.rejectedEntityInfo) {
      this.entityRejections++;
      this.problems.warn('rejected_entity', `CloudWatch refused the request's entity (${response.rejectedEntityInfo.errorType ?? 'unknown'}); the log events were accepted`);
    }
    return { status: 'accepted', rejected: rejectedCounts(response, eventCount) };
  }
}
