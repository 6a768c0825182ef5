import type { HuaweiCloudClient } from './client.ts';
import { ensureLogGroup, ensureLogStream, isLtsId, listLogGroups, listLogStreams } from './provision.ts';

export interface ResolvedIds {
  readonly logGroupId: string;
  readonly logStreamId: string;
}

export interface DestinationResolverOptions {
  /** Create named groups and streams that do not exist. */
  readonly createMissing: boolean;
  readonly ttlInDays: number;
}

/** A destination that cannot be resolved without someone creating it. */
export class DestinationNotFoundError extends Error {
  readonly code: 'LTS.0201' | 'LTS.0208';
  constructor(code: 'LTS.0201' | 'LTS.0208', message: string) {
    super(message);
    this.name = 'DestinationNotFoundError';
    this.code = code;
  }
}

/**
 * Turns group/stream names into ids through the list APIs, once per destination: results are cached and
 * concurrent lookups of the same name share one request. Ids pass through untouched. Failed lookups are not
 * cached, so the next batch tries again.
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

  async resolve(projectId: string, logGroup: string, logStream: string, timeoutMillis: number): Promise<ResolvedIds> {
    const logGroupId = isLtsId(logGroup) ? logGroup : await this.once(this.groups, `${projectId}/${logGroup}`, () => this.groupId(projectId, logGroup, timeoutMillis));
    const logStreamId = isLtsId(logStream)
      ? logStream
      : await this.once(this.streams, `${projectId}/${logGroupId}/${logStream}`, () => this.streamId(projectId, logGroupId, logStream, timeoutMillis));
    return { logGroupId, logStreamId };
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

  private async groupId(projectId: string, name: string, timeoutMillis: number): Promise<string> {
    if (this.options.createMissing) {
      return (await ensureLogGroup(this.client, { projectId, name, ttlInDays: this.options.ttlInDays, timeoutMillis })).id;
    }
    const found = (await listLogGroups(this.client, projectId, { timeoutMillis })).find((g) => g.logGroupName === name);
    if (!found) throw new DestinationNotFoundError('LTS.0201', `LTS log group ${JSON.stringify(name)} does not exist in project ${projectId}; create it or set createMissing: true`);
    return found.logGroupId;
  }

  private async streamId(projectId: string, logGroupId: string, name: string, timeoutMillis: number): Promise<string> {
    if (this.options.createMissing) {
      return (await ensureLogStream(this.client, { projectId, logGroupId, name, ttlInDays: this.options.ttlInDays, timeoutMillis })).id;
    }
    const found = (await listLogStreams(this.client, projectId, logGroupId, { timeoutMillis })).find((s) => s.logStreamName === name);
    if (!found) throw new DestinationNotFoundError('LTS.0208', `LTS log stream ${JSON.stringify(name)} does not exist in log group ${logGroupId}; create it or set createMissing: true`);
    return found.logStreamId;
  }
}
