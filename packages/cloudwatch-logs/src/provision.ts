import { callWithRetry, destinationKey, type CallRetryOptions, type Destination } from '@otel-cloud-logs/core';
import { classifyFailure } from './classify.ts';
import type { CallOptions, CloudWatchLogsClient } from './client.ts';
import { CloudWatchServiceError } from './errors.ts';

export interface ProvisioningOptions {
  readonly createLogStream: boolean;
  readonly createLogGroup: boolean;
  readonly retentionInDays?: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly logGroupClass?: string;
}

/** One creation's bounds: the timeout, signal and retry deadline of the request that found the stream missing. */
export interface ProvisioningCall extends CallOptions {
  readonly deadlineAt?: number;
}

function isType(error: unknown, type: string): boolean {
  return error instanceof CloudWatchServiceError && error.type === type;
}

/**
 * Creates missing streams (and, when enabled, groups with retention and tags) after PutLogEvents answered
 * ResourceNotFoundException. It never describes streams up front: the hot path stays one call per request.
 * Concurrent requests for the same missing stream share one creation. Each creation call is retried like the
 * exporter's requests (throttling, 5xx, network) until the deadline of the request that started it.
 */
export class LogStreamProvisioner {
  private readonly client: CloudWatchLogsClient;
  private readonly options: ProvisioningOptions;
  private readonly pending = new Map<string, Promise<void>>();
  private readonly pendingGroups = new Map<string, Promise<void>>();
  private readonly reportProblem: (message: string) => void;
  private readonly retrying: Pick<CallRetryOptions, 'retry' | 'onRetry'>;

  constructor(
    client: CloudWatchLogsClient,
    options: ProvisioningOptions,
    reportProblem: (message: string) => void,
    retrying: Pick<CallRetryOptions, 'retry' | 'onRetry'> = {},
  ) {
    this.client = client;
    this.options = options;
    this.reportProblem = reportProblem;
    this.retrying = retrying;
  }

  get enabled(): boolean {
    return this.options.createLogStream || this.options.createLogGroup;
  }

  /** Makes sure the destination's stream exists; rejects with a clear error when creation is off or fails. */
  ensure(destination: Destination, call: ProvisioningCall): Promise<void> {
    const key = destinationKey(destination);
    let task = this.pending.get(key);
    if (!task) {
      task = this.create(destination, call).finally(() => this.pending.delete(key));
      this.pending.set(key, task);
    }
    return task;
  }

  private async create(destination: Destination, call: ProvisioningCall): Promise<void> {
    const { logGroup, logStream } = destination;
    if (!this.options.createLogStream) {
      throw new CloudWatchServiceError('ResourceNotFoundException', `log stream ${logGroup}:${logStream} does not exist and createLogStream is false`, 400, undefined);
    }
    try {
      await this.createStream(destination, call);
    } catch (error) {
      if (!isType(error, 'ResourceNotFoundException')) throw error;
      if (!this.options.createLogGroup) {
        throw new CloudWatchServiceError('ResourceNotFoundException', `log group ${logGroup} does not exist; create it or set createLogGroup: true`, 400, undefined);
      }
      await this.ensureGroup(logGroup, call);
      await this.createStream(destination, call);
    }
  }

  /** New streams of one new group arrive together: they share one CreateLogGroup. */
  private ensureGroup(logGroup: string, call: ProvisioningCall): Promise<void> {
    let task = this.pendingGroups.get(logGroup);
    if (!task) {
      task = this.createGroup(logGroup, call).finally(() => this.pendingGroups.delete(logGroup));
      this.pendingGroups.set(logGroup, task);
    }
    return task;
  }

  private async createStream(destination: Destination, call: ProvisioningCall): Promise<void> {
    try {
      await this.call('CreateLogStream', { logGroupName: destination.logGroup, logStreamName: destination.logStream }, call);
    } catch (error) {
      if (!isType(error, 'ResourceAlreadyExistsException')) throw error;
    }
  }

  private async createGroup(logGroup: string, call: ProvisioningCall): Promise<void> {
    const input: Record<string, unknown> = { logGroupName: logGroup };
    if (this.options.tags && Object.keys(this.options.tags).length > 0) input.tags = this.options.tags;
    if (this.options.logGroupClass) input.logGroupClass = this.options.logGroupClass;
    let created = true;
    try {
      await this.call('CreateLogGroup', input, call);
    } catch (error) {
      if (!isType(error, 'ResourceAlreadyExistsException')) throw error;
      created = false;
    }
    // Retention is set only on groups this exporter created: an existing group's policy is its owner's choice.
    if (created && this.options.retentionInDays !== undefined) {
      try {
        // A few tries, not until the deadline: the records wait for it.
        await this.call('PutRetentionPolicy', { logGroupName: logGroup, retentionInDays: this.options.retentionInDays }, call, 3);
      } catch (error) {
        // The group exists and the records can flow: a failed policy call must not hold them up, but it is said.
        this.reportProblem(
          `created log group ${logGroup} but could not set its retention to ${this.options.retentionInDays} days (${(error as Error).message}); set it with PutRetentionPolicy`,
        );
      }
    }
  }

  /** One control-plane call, retried; "already exists" and other refusals are thrown at once, for the caller to judge. */
  private call(operation: string, input: unknown, call: ProvisioningCall, maxAttempts?: number): Promise<unknown> {
    const options = { ...this.retrying, deadlineAt: call.deadlineAt, signal: call.signal, maxAttempts };
    return callWithRetry(() => this.client.call(operation, input, call), classifyFailure, options);
  }
}
