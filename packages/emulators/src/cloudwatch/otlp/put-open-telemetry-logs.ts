/**
 * `POST /v1/logs` (PutOpenTelemetryLogs) as CloudWatch-OTLPEndpoint and CWL_HTTP_Endpoints_OTLP describe it:
 * OTLP/HTTP protobuf or JSON, gzip or none; the group and stream in `x-aws-log-group` / `x-aws-log-stream` (both
 * must exist); request-wide limits (1 MB counted as Σ event bytes + 26, 10,000 records, 16 KB per resource and
 * scope, 24 h span) refuse the whole request; records too old, too new or past the group's retention are refused
 * one by one and reported in `partialSuccess`. Records land in the stream like PutLogEvents events.
 */
import type { OtlpLogsRequest } from '@otel-cloud-logs/core';
import type { EmulatorRequest, EmulatorResponse } from '../../common/http-server.ts';
import { CloudWatchError } from '../errors.ts';
import { validateLogGroupName, validateLogStreamName } from '../names.ts';
import type { OperationContext } from '../operations/context.ts';
import { MILLIS_PER_DAY, PUT_LOG_EVENTS_LIMITS as LIMITS } from '../operations/limits.ts';
import type { ApiKeyRecord } from '../state.ts';
import { eventTimeMillis, flatEvent, flatResourceScope, flatText, type FlatValue } from './flatten.ts';
import { cutLargeEvent } from './large-objects.ts';
import { ProtobufError, decodeLogsRequest, encodeLogsResponse } from './proto.ts';

export const OTLP_LOGS_LIMITS = {
  /** Σ (UTF-8 bytes of each stored event + 26). */
  maxRequestBytes: 1_048_576,
  /** With large log objects: the request's largest size (20 MB), one record over 1 MB at most. */
  maxLargeRequestBytes: 20_971_520,
  maxRecordsPerRequest: 10_000,
  /** "16 KB" per resource and its scope. */
  maxResourceScopeBytes: 16_384,
} as const;

/** How the caller authenticated: SigV4 (verified before), or this API key. */
export type OtlpCaller = { readonly type: 'sigv4' } | { readonly type: 'bearer'; readonly key: ApiKeyRecord };

interface PendingEvent {
  readonly timestamp: number;
  readonly event: FlatValue & { kind: 'object' };
  readonly bytes: number;
}

function decode(request: EmulatorRequest): { request: OtlpLogsRequest; protobuf: boolean } {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new CloudWatchError('InvalidParameterException', `Unsupported Content-Encoding '${encoding}': the endpoint supports only gzip and none.`);
  }
  const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') {
    try {
      return { request: decodeLogsRequest(request.body), protobuf: true };
    } catch (error) {
      if (error instanceof ProtobufError) throw new CloudWatchError('InvalidParameterException', `The request body is not a valid ExportLogsServiceRequest: ${error.message}`);
      throw error;
    }
  }
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString('utf8'));
    } catch (error) {
      throw new CloudWatchError('InvalidParameterException', `The request body is not valid JSON: ${(error as Error).message}`);
    }
    return { request: checkShape(parsed), protobuf: false };
  }
  throw new CloudWatchError('InvalidParameterException', `Unsupported Content-Type '${mediaType}': send application/x-protobuf or application/json.`);
}

/** The OTLP/JSON nesting: objects in arrays where the protobuf has repeated messages (the values are read later). */
function checkShape(parsed: unknown): OtlpLogsRequest {
  const objects = (value: unknown, path: string): Array<Record<string, unknown>> => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
      throw new CloudWatchError('InvalidParameterException', `The request body is not an ExportLogsServiceRequest: ${path} must be an array of objects.`);
    }
    return value as Array<Record<string, unknown>>;
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CloudWatchError('InvalidParameterException', 'The request body must be an ExportLogsServiceRequest object.');
  for (const resourceLogs of objects((parsed as Record<string, unknown>).resourceLogs, 'resourceLogs')) {
    for (const scopeLogs of objects(resourceLogs.scopeLogs, 'resourceLogs[].scopeLogs')) objects(scopeLogs.logRecords, 'resourceLogs[].scopeLogs[].logRecords');
  }
  return parsed as OtlpLogsRequest;
}

function requiredHeader(request: EmulatorRequest, name: string): string {
  const value = request.headers[name];
  if (!value) throw new CloudWatchError('InvalidParameterException', `The ${name} header is required.`);
  return value;
}

export function putOpenTelemetryLogs(request: EmulatorRequest, context: OperationContext, caller: OtlpCaller): EmulatorResponse {
  const logGroupName = validateLogGroupName(requiredHeader(request, 'x-aws-log-group'), 'x-aws-log-group');
  const logStreamName = validateLogStreamName(requiredHeader(request, 'x-aws-log-stream'), 'x-aws-log-stream');
  const group = context.store.group(logGroupName);
  if (!group) throw new CloudWatchError('ResourceNotFoundException', 'The specified log group does not exist.', 404);
  if (caller.type === 'bearer') {
    if (!group.bearerTokenAuthenticationEnabled) {
      throw new CloudWatchError('AccessDeniedException', `Bearer token authentication is not enabled for log group ${logGroupName}.`, 403);
    }
    if (caller.key.logGroupNames && !caller.key.logGroupNames.has(logGroupName)) {
      throw new CloudWatchError('AccessDeniedException', `The API key is not authorized to perform: logs:PutLogEvents on log group ${logGroupName}.`, 403);
    }
  }
  const stream = group.streams.get(logStreamName);
  if (!stream) throw new CloudWatchError('ResourceNotFoundException', 'The specified log stream does not exist.', 404);
  const { request: body, protobuf } = decode(request);

  const pending: PendingEvent[] = [];
  const now = context.now();
  for (const resourceLogs of body.resourceLogs ?? []) {
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const resourceScopeBytes = Buffer.byteLength(flatText({ kind: 'object', entries: flatResourceScope(resourceLogs, scopeLogs) }));
      if (resourceScopeBytes > OTLP_LOGS_LIMITS.maxResourceScopeBytes) {
        throw new CloudWatchError('InvalidParameterException', `Resource and scope too large: ${resourceScopeBytes} bytes exceeds limit of ${OTLP_LOGS_LIMITS.maxResourceScopeBytes}`);
      }
      for (const record of scopeLogs.logRecords ?? []) {
        const event = flatEvent(resourceLogs, scopeLogs, record);
        pending.push({ timestamp: eventTimeMillis(record, now), event, bytes: Buffer.byteLength(flatText(event)) + LIMITS.perEventOverheadBytes });
      }
    }
  }
  checkRequestLimits(pending, context.largeLogObjects);

  const valid: PendingEvent[] = [];
  const counts = { tooOldLogEventCount: 0, tooNewLogEventCount: 0, expiredLogEventCount: 0 };
  for (const item of pending) {
    if (item.timestamp > now + LIMITS.maxFutureMillis) counts.tooNewLogEventCount++;
    else if (item.timestamp < now - LIMITS.maxAgeMillis) counts.tooOldLogEventCount++;
    else if (group.retentionInDays !== undefined && item.timestamp < now - group.retentionInDays * MILLIS_PER_DAY) counts.expiredLogEventCount++;
    else valid.push(item);
  }
  if (valid.length > 0) {
    let first = Infinity;
    let last = -Infinity;
    for (const { timestamp } of valid) {
      first = Math.min(first, timestamp);
      last = Math.max(last, timestamp);
    }
    if (last - first > LIMITS.maxSpanMillis) throw new CloudWatchError('InvalidParameterException', 'The log records in a single request cannot span more than 24 hours.');
  }

  const truncatable = request.headers['x-aws-truncatable-fields'];
  const fields = truncatable ? new Set(truncatable.split(',').map((field) => field.trim()).filter(Boolean)) : undefined;
  for (const { timestamp, event, bytes } of valid) {
    let message: string;
    if (bytes > LIMITS.maxEventBytes) {
      const cut = cutLargeEvent(event, LIMITS.maxEventBytes, LIMITS.perEventOverheadBytes, fields);
      for (const { pointer, value } of cut.objects) context.store.logObjects.set(pointer, { logGroupName, logStreamName, value });
      message = cut.message;
    } else message = flatText(event);
    stream.events.push({ timestamp, message, ingestionTime: now });
  }
  if (valid.length > 0) stream.lastIngestionTime = now;

  const rejected = pending.length - valid.length;
  const partial = rejected > 0 ? { rejectedLogRecords: rejected, errorMessage: JSON.stringify(counts) } : undefined;
  if (protobuf) return { status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: encodeLogsResponse(partial) };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(partial ? { partialSuccess: partial } : {}) };
}

/** Request-wide rules: any one broken refuses the whole request. */
function checkRequestLimits(pending: readonly PendingEvent[], largeLogObjects: boolean): void {
  if (pending.length > OTLP_LOGS_LIMITS.maxRecordsPerRequest) {
    throw new CloudWatchError('InvalidParameterException', `Too many log records: ${pending.length} exceeds limit of ${OTLP_LOGS_LIMITS.maxRecordsPerRequest}`);
  }
  let total = 0;
  let large = 0;
  for (const { bytes } of pending) {
    total += bytes;
    if (bytes > LIMITS.maxEventBytes) large++;
  }
  if (large > 0 && !largeLogObjects) {
    throw new CloudWatchError('InvalidParameterException', `Log event too large: exceeds limit of ${LIMITS.maxEventBytes} bytes (events over 1 MB are supported only in the regions with large log objects)`);
  }
  if (large > 1) throw new CloudWatchError('InvalidParameterException', `A request may carry at most one log record over 1 MB; this one carries ${large}`);
  const limit = large > 0 ? OTLP_LOGS_LIMITS.maxLargeRequestBytes : OTLP_LOGS_LIMITS.maxRequestBytes;
  if (total > limit) throw new CloudWatchError('InvalidParameterException', `Upload too large: ${total} bytes exceeds limit of ${limit}`);
}
