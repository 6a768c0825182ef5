/**
 * The request frames of CloudWatch's OTLP endpoint: every request carries exactly one `ResourceLogs` with one
 * `ScopeLogs`, so records of another resource or scope travel in another request (their frame key differs).
 *
 * protobuf: `0x0A len₀ [resource field] 0x12 len₁ [scope field] records…`, the two lengths written when the body
 *           is built (core's length-prefixed frames); each record is its own `0x12 len LogRecord` entry.
 * JSON:     `{"resourceLogs":[{"resource":{…},"scopeLogs":[{"scope":{…},"logRecords":[` records `]}]}]}`.
 */
import { ROUTING_KEYS, ResourceScopeCache, type LogEntry, type RequestFrame } from '@otel-cloud-logs/core';
import { jsonString, keyValuesJson } from './otlp-json.ts';
import { encodeResource, encodeScope } from './otlp-parts.ts';
import { FIELD2_LEN } from './otlp-proto.ts';
import { FLAT } from './otlp-values.ts';

export type OtlpEncoding = 'protobuf' | 'json';

/** A record's resource and scope as its requests carry them, built once per resource and scope. */
export interface ResourceScope {
  /** Content, not object identity: equal resources parsed from different OTLP requests share requests. */
  readonly frameKey: string;
  /** Bytes of the flattened event before the record's own fields: `{"resource":{"attributes":{…}},"scope":{…},`. */
  readonly flatBytes: number;
  readonly protobuf: { readonly resource: Buffer; readonly scope: Buffer };
  /** The JSON frame's head. */
  readonly jsonHead: string;
}

interface EncodedResource {
  readonly resource: ReturnType<typeof encodeResource>;
  readonly resourceJson: string;
}

const resourceScopes = new ResourceScopeCache<EncodedResource, ResourceScope>(
  (resource) => ({ resource: encodeResource(resource), resourceJson: keyValuesJson(resource, ROUTING_KEYS, 0) }),
  (resource, scope) => newResourceScope(resource, scope),
);

/** The resource and scope part of a record's requests, from the cache after its resource's first record. */
export function resourceScopeOf(entry: LogEntry): ResourceScope {
  return resourceScopes.get(entry);
}

function newResourceScope(cache: EncodedResource, scope: LogEntry['scope']): ResourceScope {
  const encodedScope = scope ? encodeScope(scope) : undefined;
  let scopeJson = '';
  if (scope) {
    const fields = [scope.name ? `"name":${jsonString(scope.name)}` : '', scope.version ? `"version":${jsonString(scope.version)}` : ''].filter(Boolean);
    scopeJson = `"scope":{${fields.join(',')}},`;
  }
  const jsonHead = `{"resourceLogs":[{"resource":{"attributes":[${cache.resourceJson}]},"scopeLogs":[{${scopeJson}"logRecords":[`;
  const flatBytes =
    FLAT.open.length + cache.resource.flatBytes + FLAT.closeResource.length + (encodedScope ? FLAT.scope.length + encodedScope.flatBytes + 1 : 0) + 1;
  return {
    // Compact JSON never holds a raw newline: the key is unambiguous.
    frameKey: jsonHead,
    flatBytes,
    protobuf: { resource: cache.resource.field, scope: encodedScope?.field ?? EMPTY },
    jsonHead,
  };
}

const EMPTY = Buffer.alloc(0);
const JSON_SEPARATOR = Buffer.from(',');
const JSON_TAIL = Buffer.from(']}]}]}');
/** `ExportLogsServiceRequest.resource_logs`: field 1, length-delimited. */
const RESOURCE_LOGS_OPENING = Buffer.of(0x0a);

/** The frame of requests for records like `entry` (same resource and scope); the budget is the service's count. */
export function otlpFrame(entry: LogEntry, encoding: OtlpEncoding, maxRequestBytes: number): RequestFrame {
  const group = resourceScopeOf(entry);
  if (encoding === 'json') return { head: Buffer.from(group.jsonHead), separator: JSON_SEPARATOR, tail: JSON_TAIL, maxRequestBytes };
  return {
    head: group.protobuf.scope,
    separator: EMPTY,
    tail: EMPTY,
    maxRequestBytes,
    // ResourceLogs { resource, scope_logs (field 2) { scope, log_records… } }
    lengthDelimited: [RESOURCE_LOGS_OPENING, Buffer.concat([group.protobuf.resource, Buffer.of(FIELD2_LEN)])],
  };
}
