import {
  ConstraintAwareExporter,
  type Destination,
  type DestinationDefaults,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
  type SendContext,
  type SendOutcome,
} from '@otel-cloud-logs/core';
import { classifyFailure, rejectedCounts, type PutLogEventsResponse } from './classify.ts';
import { CloudWatchLogsClient, CloudWatchServiceError } from './client.ts';
import { cloudWatchLimits, logGroupNameProblem, logStreamNameProblem, resolveEndpoint, validateOptions, type CloudWatchLogsExporterOptions } from './config.ts';
import { LogStreamProvisioner } from './provision.ts';
import { CloudWatchSigner } from './sign.ts';
import { toCloudWatchEvent, toPutLogEventsRequest, truncateEvent, type CloudWatchEvent, type MessageFormat } from './translate.ts';

/**
 * An OpenTelemetry `LogRecordExporter` for Amazon CloudWatch Logs (PutLogEvents). Use it with
 * `ConstraintAwareBatchProcessor` (full requests per stream) or with the SDK's `BatchLogRecordProcessor`.
 */
export class CloudWatchLogsExporter extends ConstraintAwareExporter<CloudWatchEvent> {
  readonly limits: ProviderLimits;
  readonly region: string;
  readonly endpoint: URL;
  private readonly defaults: DestinationDefaults;
  private readonly format: MessageFormat;
  private readonly entity: CloudWatchLogsExporterOptions['entity'];
  private readonly client: CloudWatchLogsClient;
  private readonly provisioner: LogStreamProvisioner;
  private readonly destinationProblems = new Map<string, string | undefined>();
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
    }, (message) => this.problems.error('retention', message));
    this.validate();
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  checkDestination(destination: Destination): string | undefined {
    const key = `${destination.logGroup}\u0000${destination.logStream}`;
    if (this.destinationProblems.has(key)) return this.destinationProblems.get(key);
    const problem = logGroupNameProblem(destination.logGroup) ?? logStreamNameProblem(destination.logStream);
    // Bounded: a runaway set of distinct names must not grow this cache without end.
    if (this.destinationProblems.size > 10_000) this.destinationProblems.clear();
    this.destinationProblems.set(key, problem);
    return problem;
  }

  encode(entry: LogEntry): CloudWatchEvent | InvalidEvent {
    return toCloudWatchEvent(entry, this.format);
  }

  truncate(event: CloudWatchEvent, maxSize: number): CloudWatchEvent | undefined {
    return truncateEvent(event, maxSize, this.format);
  }

  async send(destination: Destination, events: readonly CloudWatchEvent[], context: SendContext): Promise<SendOutcome<CloudWatchEvent>> {
    const request = toPutLogEventsRequest(destination, events, this.entity);
    try {
      return this.accepted(await this.client.call<PutLogEventsResponse>('PutLogEvents', request, context), events.length);
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
        return this.accepted(await this.client.call<PutLogEventsResponse>('PutLogEvents', request, context), events.length);
      } catch (retryError) {
        // The stream exists now; a service that does not see it yet (eventual consistency) is asked again later.
        if (retryError instanceof CloudWatchServiceError && retryError.type === 'ResourceNotFoundException') return { status: 'retry', error: retryError };
        return classifyFailure(retryError);
      }
    }
  }

  private accepted(response: PutLogEventsResponse, eventCount: number): SendOutcome<CloudWatchEvent> {
    if (response.rejectedEntityInfo) {
      this.entityRejections++;
      this.problems.warn('rejected_entity', `CloudWatch refused the request's entity (${response.rejectedEntityInfo.errorType ?? 'unknown'}); the log events were accepted`);
    }
    return { status: 'accepted', rejected: rejectedCounts(response, eventCount) };
  }
}
