import type { RetryEvent, RetryOptions, SendContext } from '@otel-cloud-logs/core';
import type { HuaweiCloudClient } from '../client.ts';
import { isLtsId } from '../config.ts';
import { DestinationNotFoundError } from '../errors.ts';
import { ensureLogGroup, ensureLogStream, listLogGroups, listLogStreams, type CallOptions } from './groups-streams.ts';

export interface ResolvedIds {
  readonly logGroupId: string;
  readonly logStreamId: string;
}

export interface DestinationResolverOptions {
  /** Create named groups and streams that do not exist. */
  readonly createMissing: boolean;
  readonly ttlInDays: number;
  /** How a lookup or creation call is retried (the exporter's policy); the defaults when omitted. */
  readonly retry?: RetryOptions;
  /** Told of each retry of those calls (the exporter counts them). */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** What one lookup is bounded by: the timeout, deadline and abort signal of the request that needs it. */
export type LookupContext = Pick<SendContext, 'timeoutMillis' | 'deadlineAt'> & { readonly signal?: AbortSignal };

/**
 * Turns group/stream names into ids through the list APIs, once per destination: results are cached and
 * concurrent lookups of the same name share one request. Ids pass through untouched. Each call of a lookup is
 * retried (throttling, 5xx, network) until the deadline of the request that started it, so that one failed call
 * is one retry however many requests wait for the name. Failed lookups are not cached: the next batch tries again.
 */
export class DestinationResolver {
  private readonly client: HuaweiCloudClient;
  private readonly options: DestinationResolverOptions;
  private readonly groups = new Map<string, Promise<string>>();
  private readonly streams = new Map<string, Promise<string>>();

  constructor(client: HuaweiCloudClient, options: DestinationResolverOptions) {
    this.client = client;
    this.options = options;
  }

  async resolve(projectId: string, logGroup: string, logStream: string, context: LookupContext): Promise<ResolvedIds> {
    const logGroupId = isLtsId(logGroup) ? logGroup : await this.once(this.groups, `${projectId}/${logGroup}`, () => this.groupId(projectId, logGroup, this.callOptions(context)));
    const logStreamId = isLtsId(logStream)
      ? logStream
      : await this.once(this.streams, `${projectId}/${logGroupId}/${logStream}`, () => this.streamId(projectId, logGroupId, logStream, this.callOptions(context)));
    return { logGroupId, logStreamId };
  }

  private callOptions(context: LookupContext): CallOptions {
    const { retry, onRetry } = this.options;
    return { timeoutMillis: context.timeoutMillis, deadlineAt: context.deadlineAt, signal: context.signal, retry, onRetry };
  }

  /** Forgets what a destination resolved to (e.g. after the service said the stream does not exist). */
  forget(projectId: string, logGroup: string, logStream: string): void {
    if (!isLtsId(logGroup)) this.groups.delete(`${projectId}/${logGroup}`);
    for (const key of this.streams.keys()) if (key.startsWith(`${projectId}/`) && key.endsWith(`/${logStream}`)) this.streams.delete(key);
  }

  private once(cache: Map<string, Promise<string>>, key: string, lookup: () => Promise<string>): Promise<string> {
    let pending = cache.get(key);
    if (!pending) {
      pending = lookup();
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  }

  private async groupId(projectId: string, name: string, call: CallOptions): Promise<string> {
    if (this.options.createMissing) {
      return (await ensureLogGroup(this.client, { ...call, projectId, name, ttlInDays: this.options.ttlInDays })).id;
    }
    const found = (await listLogGroups(this.client, projectId, call)).find((g) => g.logGroupName === name);
    if (!found) throw new DestinationNotFoundError('LTS.0201', `LTS log group ${JSON.stringify(name)} does not exist in project ${projectId}; create it or set createMissing: true`);
    return found.logGroupId;
  }

  private async streamId(projectId: string, logGroupId: string, name: string, call: CallOptions): Promise<string> {
    if (this.options.createMissing) {
      return (await ensureLogStream(this.client, { ...call, projectId, logGroupId, name, ttlInDays: this.options.ttlInDays })).id;
    }
    const found = (await listLogStreams(this.client, projectId, logGroupId, call)).find((s) => s.logStreamName === name);
    if (!found) throw new DestinationNotFoundError('LTS.0208', `LTS log stream ${JSON.stringify(name)} does not exist in log group ${logGroupId}; create it or set createMissing: true`);
    return found.logStreamId;
  }
}
