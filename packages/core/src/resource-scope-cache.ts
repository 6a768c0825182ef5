import type { AnyValue } from './any-value.ts';
import type { LogEntry } from './model.ts';

type Resource = Readonly<Record<string, AnyValue>>;
type Scope = NonNullable<LogEntry['scope']>;

interface PerResource<R, T> {
  readonly resource: R;
  unscoped: T | undefined;
  readonly scoped: WeakMap<Scope, T>;
}

/**
 * What a provider derives from a record's resource, and from its resource and scope together (e.g. their encoded
 * bytes in a request frame), computed once: keyed by the resource and scope objects, which every record of one
 * logger shares, so that a record costs two WeakMap lookups.
 */
export class ResourceScopeCache<R, T> {
  private readonly byResource = new WeakMap<Resource, PerResource<R, T>>();
  private readonly ofResource: (resource: Resource) => R;
  private readonly ofScope: (resource: R, scope: LogEntry['scope']) => T;

  constructor(ofResource: (resource: Resource) => R, ofScope: (resource: R, scope: LogEntry['scope']) => T) {
    this.ofResource = ofResource;
    this.ofScope = ofScope;
  }

  get(entry: LogEntry): T {
    let cache = this.byResource.get(entry.resource);
    if (!cache) {
      cache = { resource: this.ofResource(entry.resource), unscoped: undefined, scoped: new WeakMap() };
      this.byResource.set(entry.resource, cache);
    }
    const scope = entry.scope;
    let found = scope ? cache.scoped.get(scope) : cache.unscoped;
    if (found === undefined) {
      found = this.ofScope(cache.resource, scope);
      if (scope) cache.scoped.set(scope, found);
      else cache.unscoped = found;
    }
    return found;
  }
}
