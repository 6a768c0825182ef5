import { resolveRetryOptions, type RetryOptions } from '@otel-cloud-logs/core';
import { HuaweiCloudClient } from '../client.ts';
import { isLtsId, type HuaweiCloudConnectionOptions } from '../config.ts';
import { createLogtank, deleteLogtank, getLogtank, waitForLogtank, type CreateLogtankOptions, type Logtank, type WaitOptions } from './logtank.ts';
import { ensureLogGroup, ensureLogStream, listLogGroups, listLogStreams, type CallOptions, type EnsureResult, type LogGroupInfo, type LogStreamInfo } from './groups-streams.ts';

export interface HuaweiLtsProvisionerOptions extends HuaweiCloudConnectionOptions {
  /** Timeout of one HTTP request. Default 10,000 ms. */
  readonly requestTimeoutMillis?: number;
  /** Backoff and deadline of each call's retries (throttling, 5xx, network); the exporters' defaults. */
  readonly retry?: Partial<RetryOptions>;
}

export interface EnsureDestinationResult {
  readonly logGroupId: string;
  readonly logStreamId: string;
  readonly createdLogGroup: boolean;
  readonly createdLogStream: boolean;
}

/**
 * Provisioning from code: log groups and streams by name (created with a TTL when absent) and Global
 * Accelerator logtanks. Uses the same credentials, environment variables, endpoints and retry policy as the
 * exporter: throttled, 5xx and network-failed calls are retried; other refusals are thrown at once.
 */
export class HuaweiLtsProvisioner {
  readonly client: HuaweiCloudClient;
  private readonly timeoutMillis: number;
  private readonly retry: RetryOptions;

  constructor(options: HuaweiLtsProvisionerOptions = {}) {
    this.client = new HuaweiCloudClient(options, undefined, 'HuaweiLtsProvisioner');
    this.timeoutMillis = options.requestTimeoutMillis ?? 10_000;
    this.retry = resolveRetryOptions(options.retry);
  }

  private project(projectId: string | undefined): string {
    const id = projectId ?? this.client.connection.projectId;
    if (!id) throw new TypeError('HuaweiLtsProvisioner: no project id: pass projectId here or in the options, or set HUAWEICLOUD_SDK_PROJECT_ID');
    return id;
  }

  private call<T extends CallOptions>(options: T): T {
    return { timeoutMillis: this.timeoutMillis, retry: this.retry, ...options };
  }

  listLogGroups(options: CallOptions & { projectId?: string } = {}): Promise<LogGroupInfo[]> {
    return listLogGroups(this.client, this.project(options.projectId), this.call(options));
  }

  listLogStreams(logGroupId: string, options: CallOptions & { projectId?: string } = {}): Promise<LogStreamInfo[]> {
    return listLogStreams(this.client, this.project(options.projectId), logGroupId, this.call(options));
  }

  /** Finds the log group called `name` or creates it with `ttlInDays` (default 7). */
  ensureLogGroup(name: string, options: CallOptions & { projectId?: string; ttlInDays?: number } = {}): Promise<EnsureResult> {
    return ensureLogGroup(this.client, this.call({ ...options, projectId: this.project(options.projectId), name }));
  }

  /**
   * Makes sure a stream exists: `logGroup` is a group id or name (a named group is created when absent), `name`
   * the stream name. `ttlInDays` applies to what is created (default 7).
   */
  async ensureLogStream(logGroup: string, name: string, options: CallOptions & { projectId?: string; ttlInDays?: number } = {}): Promise<EnsureDestinationResult> {
    const projectId = this.project(options.projectId);
    const group = isLtsId(logGroup)
      ? { id: logGroup, created: false }
      : await ensureLogGroup(this.client, this.call({ ...options, projectId, name: logGroup, ttlInDays: options.ttlInDays ?? 7 }));
    const stream = await ensureLogStream(this.client, this.call({ ...options, projectId, logGroupId: group.id, name }));
    return { logGroupId: group.id, logStreamId: stream.id, createdLogGroup: group.created, createdLogStream: stream.created };
  }

  /** Creates a GA logtank (listener access logs → LTS stream) and waits until it is ACTIVE. */
  createLogtank(options: CreateLogtankOptions): Promise<Logtank> {
    return createLogtank(this.client, this.call(options));
  }

  getLogtank(logtankId: string, options: CallOptions = {}): Promise<Logtank> {
    return getLogtank(this.client, logtankId, this.call(options));
  }

  waitForLogtank(logtankId: string, options: WaitOptions = {}): Promise<Logtank> {
    return waitForLogtank(this.client, logtankId, this.call(options));
  }

  /** Deletes a logtank and waits until it is gone (unless `wait: false`). */
  deleteLogtank(logtankId: string, options: WaitOptions & { wait?: boolean } = {}): Promise<void> {
    return deleteLogtank(this.client, logtankId, this.call(options));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
