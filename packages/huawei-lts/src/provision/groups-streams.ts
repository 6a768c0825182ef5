import type { CallRetryOptions } from '@otel-cloud-logs/core';
import type { HuaweiCloudClient } from '../client.ts';
import { checkLtsName } from '../config.ts';
import { HuaweiCloudError } from '../errors.ts';

/** LTS log group and log stream provisioning: list, create, and "ensure" (find by name or create). */

export interface LogGroupInfo {
  readonly logGroupId: string;
  readonly logGroupName: string;
  readonly ttlInDays?: number;
}

export interface LogStreamInfo {
  readonly logStreamId: string;
  readonly logStreamName: string;
  readonly ttlInDays?: number;
}

export interface EnsureResult {
  readonly id: string;
  /** True when this call created it. */
  readonly created: boolean;
}

/** One call's timeout, and how it is retried (throttling, 5xx, network): the exporters' policy unless given. */
export interface CallOptions extends CallRetryOptions {
  readonly timeoutMillis?: number;
}

function checkTtl(ttlInDays: number | undefined, required: boolean): void {
  if (ttlInDays === undefined && !required) return;
  if (!Number.isInteger(ttlInDays) || ttlInDays! < 1 || ttlInDays! > 365) {
    throw new RangeError(`ttlInDays must be a whole number of days from 1 to 365, got ${String(ttlInDays)}`);
  }
}

function requireName(kind: 'log group' | 'log stream', name: string): void {
  const problem = checkLtsName(kind, name);
  if (problem) throw new TypeError(problem);
}

const timeout = (options: CallOptions) => options.timeoutMillis ?? 10_000;

export async function listLogGroups(client: HuaweiCloudClient, projectId: string, options: CallOptions = {}): Promise<LogGroupInfo[]> {
  const { body } = await client.json<{ log_groups?: Array<{ log_group_id: string; log_group_name: string; ttl_in_days?: number }> }>(
    `list LTS log groups of project ${projectId}`,
    { service: 'lts', method: 'GET', segments: ['v2', projectId, 'groups'], projectId, timeoutMillis: timeout(options), signal: options.signal },
    [200],
    options,
  );
  return (body.log_groups ?? []).map((g) => ({ logGroupId: g.log_group_id, logGroupName: g.log_group_name, ttlInDays: g.ttl_in_days }));
}

export async function listLogStreams(client: HuaweiCloudClient, projectId: string, logGroupId: string, options: CallOptions = {}): Promise<LogStreamInfo[]> {
  const { body } = await client.json<{ log_streams?: Array<{ log_stream_id: string; log_stream_name: string; ttl_in_days?: number }> }>(
    `list LTS log streams of group ${logGroupId}`,
    {
      service: 'lts',
      method: 'GET',
      segments: ['v2', projectId, 'groups', logGroupId, 'streams'],
      projectId,
      timeoutMillis: timeout(options),
      signal: options.signal,
    },
    [200],
    options,
  );
  return (body.log_streams ?? []).map((s) => ({ logStreamId: s.log_stream_id, logStreamName: s.log_stream_name, ttlInDays: s.ttl_in_days }));
}

export async function createLogGroup(client: HuaweiCloudClient, projectId: string, name: string, ttlInDays: number, options: CallOptions = {}): Promise<string> {
  requireName('log group', name);
  checkTtl(ttlInDays, true);
  const { body } = await client.json<{ log_group_id: string }>(
    `create LTS log group ${JSON.stringify(name)}`,
    {
      service: 'lts',
      method: 'POST',
      segments: ['v2', projectId, 'groups'],
      body: { log_group_name: name, ttl_in_days: ttlInDays },
      projectId,
      timeoutMillis: timeout(options),
      signal: options.signal,
    },
    [200, 201],
    options,
  );
  return body.log_group_id;
}

export async function createLogStream(
  client: HuaweiCloudClient,
  projectId: string,
  logGroupId: string,
  name: string,
  ttlInDays: number | undefined,
  options: CallOptions = {},
): Promise<string> {
  requireName('log stream', name);
  checkTtl(ttlInDays, false);
  const { body } = await client.json<{ log_stream_id: string }>(
    `create LTS log stream ${JSON.stringify(name)}`,
    {
      service: 'lts',
      method: 'POST',
      segments: ['v2', projectId, 'groups', logGroupId, 'streams'],
      body: ttlInDays === undefined ? { log_stream_name: name } : { log_stream_name: name, ttl_in_days: ttlInDays },
      projectId,
      timeoutMillis: timeout(options),
      signal: options.signal,
    },
    [200, 201],
    options,
  );
  return body.log_stream_id;
}

export interface EnsureLogGroupOptions extends CallOptions {
  readonly projectId: string;
  readonly name: string;
  /** Retention of a created group (1–365 days). Default 7. */
  readonly ttlInDays?: number;
}

/** Returns the id of the log group called `name`, creating it when absent ("already exists", LTS.0101, is tolerated). */
export async function ensureLogGroup(client: HuaweiCloudClient, options: EnsureLogGroupOptions): Promise<EnsureResult> {
  requireName('log group', options.name);
  const find = async () => (await listLogGroups(client, options.projectId, options)).find((g) => g.logGroupName === options.name);
  const existing = await find();
  if (existing) return { id: existing.logGroupId, created: false };
  try {
    return { id: await createLogGroup(client, options.projectId, options.name, options.ttlInDays ?? 7, options), created: true };
  } catch (error) {
    if (!(error instanceof HuaweiCloudError && error.code === 'LTS.0101')) throw error;
    const raced = await find();
    if (!raced) throw new Error(`LTS said log group ${JSON.stringify(options.name)} exists (LTS.0101) but it is not in the list`, { cause: error });
    return { id: raced.logGroupId, created: false };
  }
}

export interface EnsureLogStreamOptions extends CallOptions {
  readonly projectId: string;
  readonly logGroupId: string;
  readonly name: string;
  /** Retention of a created stream (1–365 days); the group's when omitted. */
  readonly ttlInDays?: number;
}

/** Returns the id of the log stream called `name` in the group, creating it when absent (LTS.0205 is tolerated). */
export async function ensureLogStream(client: HuaweiCloudClient, options: EnsureLogStreamOptions): Promise<EnsureResult> {
  requireName('log stream', options.name);
  const find = async () => (await listLogStreams(client, options.projectId, options.logGroupId, options)).find((s) => s.logStreamName === options.name);
  const existing = await find();
  if (existing) return { id: existing.logStreamId, created: false };
  try {
    return { id: await createLogStream(client, options.projectId, options.logGroupId, options.name, options.ttlInDays, options), created: true };
  } catch (error) {
    if (!(error instanceof HuaweiCloudError && error.code === 'LTS.0205')) throw error;
    const raced = await find();
    if (!raced) throw new Error(`LTS said log stream ${JSON.stringify(options.name)} exists (LTS.0205) but it is not in the list`, { cause: error });
    return { id: raced.logStreamId, created: false };
  }
}
