/**
 * The CreateCustomLogEvents request around the records: exactly one `resourceLogs` (the routing attributes first,
 * then the application's resource attributes) with exactly one `scopeLogs`:
 *   {"resourceLogs":[{"resource":{"attributes":[…]},"scopeLogs":[{"scope":{…},"logRecords":[ records ]}]}]}
 * Records of another resource or scope therefore travel in another request (their frame key differs).
 */
import { ROUTING_ATTRIBUTES, ROUTING_KEYS, ResourceScopeCache, type AnyValue, type Destination, type LogEntry, type RequestFrame } from '@otel-cloud-logs/core';
import { otlpKeyValuesJson } from './otlp-json.ts';

/** A record's resource and scope as they appear in its request, serialized once per resource and scope. */
export interface ResourceScope {
  /** Records with different frame keys never share a request (the routing attributes are not part of it). */
  readonly frameKey: string;
  /** The application's resource attributes as key-values, each preceded by a comma ('' when there are none). */
  readonly resourceAttributes: string;
  /** `"scope":{…},` or '' when the records have no scope. */
  readonly scope: string;
  /** UTF-8 bytes of `resourceAttributes` and `scope`. */
  readonly bytes: number;
}

const resourceScopes = new ResourceScopeCache<string, ResourceScope>(
  (resource) => applicationAttributesJson(resource),
  (resourceAttributes, scope) => newResourceScope(resourceAttributes, scope),
);

/** The resource and scope part of a record's request frame, from the cache after its resource's first record. */
export function resourceScopeOf(entry: LogEntry): ResourceScope {
  return resourceScopes.get(entry);
}

function applicationAttributesJson(resource: Readonly<Record<string, AnyValue>>): string {
  // The routing attributes are written from the destination instead (a record's own ones win over the resource's).
  const keyValues = otlpKeyValuesJson(resource, ROUTING_KEYS);
  return keyValues ? `,${keyValues}` : '';
}

function newResourceScope(resourceAttributes: string, scope: LogEntry['scope']): ResourceScope {
  const scopeJson = scope ? `"scope":${JSON.stringify(scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version })},` : '';
  return {
    // Content, not object identity: records of equal resources parsed from different OTLP requests share requests.
    // Compact JSON never holds a raw newline, so the key is unambiguous.
    frameKey: `${resourceAttributes}\n${scopeJson}`,
    resourceAttributes,
    scope: scopeJson,
    bytes: Buffer.byteLength(resourceAttributes) + Buffer.byteLength(scopeJson),
  };
}

interface RoutingJson {
  readonly json: string;
  readonly bytes: number;
}

/** Destinations are interned: one entry per stream. */
const routingCache = new WeakMap<Destination, RoutingJson>();

function routingJson(destination: Destination): RoutingJson {
  let routing = routingCache.get(destination);
  if (!routing) {
    const json = routingKeyValues(destination);
    routing = { json, bytes: Buffer.byteLength(json) };
    routingCache.set(destination, routing);
  }
  return routing;
}

/** The three routing attributes in the documented order: log_stream_value, log_group_value, account_id. */
function routingKeyValues(destination: Destination): string {
  const keyValue = (key: string, value: string) => `{"key":"${key}","value":{"stringValue":${JSON.stringify(value)}}}`;
  return [
    keyValue(ROUTING_ATTRIBUTES.logStream, destination.logStream),
    keyValue(ROUTING_ATTRIBUTES.logGroup, destination.logGroup),
    keyValue(ROUTING_ATTRIBUTES.accountId, destination.accountId),
  ].join(',');
}

const REQUEST_OPEN = '{"resourceLogs":[';
const RESOURCE_OPEN = '{"resource":{"attributes":[';
const SCOPE_LOGS_OPEN = ']},"scopeLogs":[{';
const RECORDS_OPEN = '"logRecords":[';
/** Closes logRecords, the scopeLogs item, scopeLogs and the resourceLogs item. */
const RECORDS_CLOSE = ']}]}';
const REQUEST_CLOSE = ']}';
/** All ASCII: bytes are characters. */
const FIXED_FRAME_BYTES = (REQUEST_OPEN + RESOURCE_OPEN + SCOPE_LOGS_OPEN + RECORDS_OPEN + RECORDS_CLOSE + REQUEST_CLOSE).length;
const SEPARATOR = Buffer.from(',');
const TAIL = Buffer.from(RECORDS_CLOSE + REQUEST_CLOSE);

/** Bytes of the smallest possible frame (empty routing values, no resource attributes, no scope). */
export const MIN_FRAME_BYTES = FIXED_FRAME_BYTES + routingKeyValues({ accountId: '', logGroup: '', logStream: '' }).length;

/** One `resourceLogs` item up to its first record. */
function resourceLogsOpen(destination: Destination, group: ResourceScope): string {
  return `${RESOURCE_OPEN}${routingJson(destination).json}${group.resourceAttributes}${SCOPE_LOGS_OPEN}${group.scope}${RECORDS_OPEN}`;
}

/** Bytes of the request frame (everything but the records and their commas). */
export function frameBytes(destination: Destination, group: ResourceScope): number {
  return FIXED_FRAME_BYTES + routingJson(destination).bytes + group.bytes;
}

/**
 * The frame of CreateCustomLogEvents requests to `destination` for records like `entry` (same resource and scope).
 * Its budget is exact: n records of sizes sᵢ make a body of frame + Σsᵢ + (n − 1) commas, which is at most
 * `maxRequestBytes` exactly when Σ(sᵢ + 1) ≤ maxRequestBytes − frame + 1 (the first record has no comma).
 */
export function createCustomLogEventsFrame(destination: Destination, entry: LogEntry, maxRequestBytes: number): RequestFrame {
  const group = resourceScopeOf(entry);
  return {
    head: Buffer.from(REQUEST_OPEN + resourceLogsOpen(destination, group)),
    separator: SEPARATOR,
    tail: TAIL,
    maxRequestBytes: maxRequestBytes - frameBytes(destination, group) + 1,
  };
}

/** A whole request body from serialized records, one `resourceLogs` per resource and scope (no limit applied). */
export function createCustomLogEventsJson(destination: Destination, groups: ReadonlyArray<{ readonly group: ResourceScope; readonly records: readonly string[] }>): string {
  const resourceLogs = groups.map(({ group, records }) => `${resourceLogsOpen(destination, group)}${records.join(',')}${RECORDS_CLOSE}`);
  return `${REQUEST_OPEN}${resourceLogs.join(',')}${REQUEST_CLOSE}`;
}
