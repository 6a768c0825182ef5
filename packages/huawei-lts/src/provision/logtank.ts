import { NetworkError, callWithRetry } from '@otel-cloud-logs/core';
import { classifyFailure } from '../classify.ts';
import type { HuaweiCloudClient } from '../client.ts';
import { HuaweiCloudError } from '../errors.ts';
import type { CallOptions } from './groups-streams.ts';

/**
 * Global Accelerator "logtanks": they send a GA listener's access logs into an LTS log stream. Creation is
 * asynchronous (PENDING → ACTIVE, or ERROR), so the helpers here wait for the final state.
 */

export type LogtankStatus = 'ACTIVE' | 'PENDING' | 'ERROR' | 'DELETING';

export interface Logtank {
  readonly id: string;
  readonly domainId: string;
  readonly projectId: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly logGroupId: string;
  readonly logStreamId: string;
  readonly status: LogtankStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface WireLogtank {
  id: string;
  domain_id: string;
  project_id: string;
  resource_type: string;
  resource_id: string;
  log_group_id: string;
  log_stream_id: string;
  status: LogtankStatus;
  created_at: string;
  updated_at: string;
}

function fromWire(wire: WireLogtank): Logtank {
  return {
    id: wire.id,
    domainId: wire.domain_id,
    projectId: wire.project_id,
    resourceType: wire.resource_type,
    resourceId: wire.resource_id,
    logGroupId: wire.log_group_id,
    logStreamId: wire.log_stream_id,
    status: wire.status,
    createdAt: wire.created_at,
    updatedAt: wire.updated_at,
  };
}

export interface WaitOptions extends CallOptions {
  /** How long to wait for the final state. Default 120,000 ms. */
  readonly waitTimeoutMillis?: number;
  /** Time between status reads. Default 2,000 ms. */
  readonly pollIntervalMillis?: number;
}

export interface CreateLogtankOptions extends WaitOptions {
  /** The GA listener id. */
  readonly resourceId: string;
  /** Default 'LISTENER' (the only type GA documents). */
  readonly resourceType?: string;
  readonly logGroupId: string;
  readonly logStreamId: string;
}

const timeout = (options: CallOptions) => options.timeoutMillis ?? 10_000;

/** A logtank that did not reach ACTIVE (ERROR, DELETING, or still PENDING at the deadline): `logtank` is its last state, to delete or wait for. */
export class LogtankStateError extends Error {
  readonly logtank: Logtank;
  constructor(message: string, logtank: Logtank) {
    super(message);
    this.name = 'LogtankStateError';
    this.logtank = logtank;
  }
}

export async function getLogtank(client: HuaweiCloudClient, logtankId: string, options: CallOptions = {}): Promise<Logtank> {
  const { body } = await client.json<{ logtank: WireLogtank }>(
    `get GA logtank ${logtankId}`,
    { service: 'ga', method: 'GET', segments: ['v1', 'logtanks', logtankId], timeoutMillis: timeout(options), signal: options.signal },
    [200],
    options,
  );
  return fromWire(body.logtank);
}

/** The logtank that already sends this listener's access logs to this stream, if any. */
async function findLogtank(client: HuaweiCloudClient, options: CreateLogtankOptions): Promise<Logtank | undefined> {
  const { body } = await client.json<{ logtanks?: WireLogtank[] }>(
    'list GA logtanks',
    { service: 'ga', method: 'GET', segments: ['v1', 'logtanks'], timeoutMillis: timeout(options), signal: options.signal },
    [200],
    { ...options, maxAttempts: 1 },
  );
  const found = body.logtanks?.find(
    (t) => t.resource_id === options.resourceId && t.log_group_id === options.logGroupId && t.log_stream_id === options.logStreamId && t.status !== 'DELETING',
  );
  return found && fromWire(found);
}

/** Creates a logtank and waits until it is ACTIVE; throws when it goes to ERROR or the wait times out. */
export async function createLogtank(client: HuaweiCloudClient, options: CreateLogtankOptions): Promise<Logtank> {
  for (const key of ['resourceId', 'logGroupId', 'logStreamId'] as const) {
    if (!options[key]) throw new TypeError(`createLogtank: ${key} is required`);
  }
  const create = async () => {
    const { body } = await client.json<{ logtank: WireLogtank }>(
      `create GA logtank for ${options.resourceType ?? 'LISTENER'} ${options.resourceId}`,
      {
        service: 'ga',
        method: 'POST',
        segments: ['v1', 'logtanks'],
        body: {
          logtank: {
            resource_type: options.resourceType ?? 'LISTENER',
            resource_id: options.resourceId,
            log_group_id: options.logGroupId,
            log_stream_id: options.logStreamId,
          },
        },
        timeoutMillis: timeout(options),
        signal: options.signal,
      },
      [200, 201],
      { maxAttempts: 1 },
    );
    return fromWire(body.logtank);
  };
  // An attempt cut off (reset, timeout) may still have created it: a retry takes that one rather than make a second.
  const logtank = await callWithRetry(async (attempt) => (attempt > 0 ? await findLogtank(client, options) : undefined) ?? (await create()), classifyFailure, options);
  return waitForLogtank(client, logtank.id, options, logtank);
}

/** Polls a logtank until it is ACTIVE; throws a LogtankStateError on ERROR, DELETING or at the deadline. */
export async function waitForLogtank(client: HuaweiCloudClient, logtankId: string, options: WaitOptions = {}, current?: Logtank): Promise<Logtank> {
  const deadline = Date.now() + (options.waitTimeoutMillis ?? 120_000);
  const interval = options.pollIntervalMillis ?? 2_000;
  let logtank = current ?? (await pollLogtank(client, logtankId, options));
  for (;;) {
    if (logtank?.status === 'ACTIVE') return logtank;
    if (logtank?.status === 'ERROR') {
      throw new LogtankStateError(
        `GA logtank ${logtank.id} for ${logtank.resourceType} ${logtank.resourceId} went to status ERROR: check that the listener exists and that log group ${logtank.logGroupId} / stream ${logtank.logStreamId} are in the same account, then delete it and try again`,
        logtank,
      );
    }
    if (logtank?.status === 'DELETING') throw new LogtankStateError(`GA logtank ${logtank.id} is being deleted; it will not become ACTIVE`, logtank);
    if (Date.now() + interval > deadline) {
      const waited = options.waitTimeoutMillis ?? 120_000;
      if (!logtank) throw new Error(`GA logtank ${logtankId} could not be read within ${waited} ms (throttled, unavailable or unreachable); try again later`);
      throw new LogtankStateError(`GA logtank ${logtank.id} is still ${logtank.status} after ${waited} ms; wait again with waitForLogtank, raise waitTimeoutMillis, or check it in the console`, logtank);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    logtank = (await pollLogtank(client, logtankId, options)) ?? logtank;
  }
}

/** One status read while waiting: throttling, 5xx and network errors are passed over (the next poll tries again). */
async function pollLogtank(client: HuaweiCloudClient, logtankId: string, options: CallOptions): Promise<Logtank | undefined> {
  try {
    return await getLogtank(client, logtankId, { ...options, maxAttempts: 1 });
  } catch (error) {
    if (error instanceof NetworkError || (error instanceof HuaweiCloudError && error.retryable)) return undefined;
    throw error;
  }
}

/** Deletes a logtank and, unless `wait` is false, waits until GA no longer knows it. A missing logtank is not an error. */
export async function deleteLogtank(client: HuaweiCloudClient, logtankId: string, options: WaitOptions & { readonly wait?: boolean } = {}): Promise<void> {
  try {
    await client.json(
      `delete GA logtank ${logtankId}`,
      { service: 'ga', method: 'DELETE', segments: ['v1', 'logtanks', logtankId], timeoutMillis: timeout(options), signal: options.signal },
      [200, 202, 204],
      options,
    );
  } catch (error) {
    // Gone already (or deleted by an attempt whose answer was lost).
    if (error instanceof HuaweiCloudError && error.status === 404) return;
    throw error;
  }
  if (options.wait === false) return;
  const deadline = Date.now() + (options.waitTimeoutMillis ?? 120_000);
  const interval = options.pollIntervalMillis ?? 2_000;
  for (;;) {
    try {
      await pollLogtank(client, logtankId, options);
    } catch (error) {
      if (error instanceof HuaweiCloudError && error.status === 404) return;
      throw error;
    }
    if (Date.now() + interval > deadline) throw new Error(`GA logtank ${logtankId} still exists ${options.waitTimeoutMillis ?? 120_000} ms after it was deleted`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
