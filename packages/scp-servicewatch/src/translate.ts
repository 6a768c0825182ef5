/**
 * OTLP model → CreateCustomLogEvents body: an OTLP/JSON `resourceLogs` request whose resource attributes carry
 * `log_stream_value`, `log_group_value` and `account_id`, records with `timeUnixNano` as a string.
 *
 * Why not `JsonLogsSerializer` from @opentelemetry/otlp-transformer: it only serializes a whole request from SDK
 * `ReadableLogRecord`s, so it cannot give each record's exact size (which the batch planner needs before the
 * request exists), cannot take OTLP/JSON from elsewhere (a gateway), and cannot put the routing attributes into
 * the resource. Each record is therefore serialized here, once, in the same field shape as that serializer
 * (a test checks they agree), and requests are assembled from the serialized records.
 */
import {
  ROUTING_ATTRIBUTES,
  destinationKey,
  fromOtlpAnyValue,
  renderAnyValue,
  toOtlpAnyValue,
  toOtlpKeyValues,
  utf8ByteLength,
  type AnyValue,
  type Destination,
  type LogEntry,
  type OtlpAnyValue,
  type OtlpLogRecord,
  truncationMarker,
  type WireEvent,
} from '@otel-cloud-logs/core';

export { truncationMarker };

/** One log record ready to send: its OTLP/JSON form and what groups it into resourceLogs/scopeLogs. */
export interface ServiceWatchEvent extends WireEvent {
  readonly timeMillis: number;
  /** UTF-8 bytes of `json`: exactly what the record adds to the body (plus one separating comma). */
  readonly size: number;
  readonly record: OtlpLogRecord;
  readonly json: string;
  /** The application's resource attributes (routing keys excluded) as serialized key-values, joined by commas. */
  readonly resourceAttributesJson: string;
  /** The serialized `scope` object, or '' when the record has none. */
  readonly scopeJson: string;
}


const ROUTING_KEYS = new Set<string>(Object.values(ROUTING_ATTRIBUTES));
const resourceJsonCache = new WeakMap<object, string>();

/**
 * An entry as an OTLP/JSON log record, fields in the order @opentelemetry/otlp-transformer writes them. A record
 * without a body gets an empty string body: every record of the documented request carries one.
 */
export function toOtlpLogRecord(entry: LogEntry): OtlpLogRecord {
  const record: OtlpLogRecord = { timeUnixNano: entry.timeUnixNano.toString() };
  if (entry.observedTimeUnixNano) record.observedTimeUnixNano = entry.observedTimeUnixNano.toString();
  if (entry.severityNumber !== undefined) record.severityNumber = entry.severityNumber;
  if (entry.severityText !== undefined) record.severityText = entry.severityText;
  record.body = entry.body === undefined || entry.body === null ? { stringValue: '' } : toOtlpAnyValue(entry.body);
  if (entry.eventName) record.eventName = entry.eventName;
  if (Object.keys(entry.attributes).length > 0) record.attributes = toOtlpKeyValues(entry.attributes as Record<string, AnyValue>);
  if (entry.traceFlags !== undefined) record.flags = entry.traceFlags;
  if (entry.traceId) record.traceId = entry.traceId;
  if (entry.spanId) record.spanId = entry.spanId;
  return record;
}

function resourceAttributesJson(resource: Readonly<Record<string, AnyValue>>): string {
  const cached = resourceJsonCache.get(resource);
  if (cached !== undefined) return cached;
  const application: Record<string, AnyValue> = {};
  for (const [key, value] of Object.entries(resource)) if (!ROUTING_KEYS.has(key)) application[key] = value;
  const json = toOtlpKeyValues(application)
    .map((keyValue) => JSON.stringify(keyValue))
    .join(',');
  resourceJsonCache.set(resource, json);
  return json;
}

function scopeJson(scope: LogEntry['scope']): string {
  if (!scope) return '';
  return JSON.stringify(scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version });
}

function eventFromRecord(record: OtlpLogRecord, timeMillis: number, resourceJson: string, scope: string): ServiceWatchEvent {
  const json = JSON.stringify(record);
  return { timeMillis, size: utf8ByteLength(json), record, json, resourceAttributesJson: resourceJson, scopeJson: scope };
}

/** Serializes one entry. Limits are not applied here (the exporter does that). */
export function toServiceWatchEvent(entry: LogEntry): ServiceWatchEvent {
  return eventFromRecord(toOtlpLogRecord(entry), entry.timeMillis, resourceAttributesJson(entry.resource), scopeJson(entry.scope));
}

/** Bytes of `text` once written as a JSON string, without the quotes. */
function jsonStringBytes(text: string): number {
  return utf8ByteLength(JSON.stringify(text)) - 2;
}

/** A body or attribute value as the text a truncated value is cut from. */
function valueText(value: OtlpAnyValue | undefined): string {
  return value && 'stringValue' in value ? value.stringValue : renderAnyValue(fromOtlpAnyValue(value));
}

/** The first `length` UTF-16 units of `text`, never ending in half a surrogate pair. */
function prefix(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, length > 0 && length < text.length && code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/**
 * Makes a record fit in `maxSize` bytes (as serialized), cutting at character boundaries, each cut value ending
 * with its truncationMarker. The body is cut first, so that attributes arrive whole whenever they fit; only when
 * the attributes alone are too large are the longest values (body and attributes alike) cut to a common length.
 * Undefined when even that cannot make the record fit (e.g. thousands of attribute keys).
 */
export function truncateServiceWatchEvent(event: ServiceWatchEvent, maxSize: number): ServiceWatchEvent | undefined {
  return truncateBody(event, maxSize) ?? truncateValues(event, maxSize);
}

function truncateBody(event: ServiceWatchEvent, maxSize: number): ServiceWatchEvent | undefined {
  const text = valueText(event.record.body);
  const marker = truncationMarker(utf8ByteLength(text));
  const emptyBodyBytes = utf8ByteLength(JSON.stringify({ ...event.record, body: { stringValue: '' } }));
  const budget = maxSize - emptyBodyBytes - utf8ByteLength(marker);
  if (budget < 0) return undefined;
  // The longest prefix whose JSON form fits (escapes make it longer than the raw text).
  let low = 0;
  let high = Math.min(text.length, budget);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonStringBytes(text.slice(0, middle)) <= budget) low = middle;
    else high = middle - 1;
  }
  const record = { ...event.record, body: { stringValue: prefix(text, low) + marker } };
  return eventFromRecord(record, event.timeMillis, event.resourceAttributesJson, event.scopeJson);
}

/** A body or attribute value as text, with the marker it ends with once cut. */
interface CuttableValue {
  readonly text: string;
  readonly marker: string;
}

function cuttable(value: OtlpAnyValue | undefined): CuttableValue {
  const text = valueText(value);
  return { text, marker: truncationMarker(utf8ByteLength(text)) };
}

/** The value cut to `length` characters plus marker, or undefined when that would not make it shorter. */
function cutValue(value: CuttableValue, length: number): OtlpAnyValue | undefined {
  // Removing more characters than the marker has bytes always shrinks the JSON: the record size then only grows with
  // `length`, which the binary search relies on, and short values are never replaced by a longer marker.
  if (value.text.length <= length + utf8ByteLength(value.marker)) return undefined;
  return { stringValue: prefix(value.text, length) + value.marker };
}

function truncateValues(event: ServiceWatchEvent, maxSize: number): ServiceWatchEvent | undefined {
  const original = event.record;
  const body = cuttable(original.body);
  const attributes = (original.attributes ?? []).map((keyValue) => cuttable(keyValue.value));
  const withValuesCutTo = (length: number): OtlpLogRecord => {
    const record: OtlpLogRecord = { ...original, body: cutValue(body, length) ?? original.body };
    record.attributes = original.attributes?.map((keyValue, index) => {
      const cut = cutValue(attributes[index]!, length);
      return cut ? { key: keyValue.key, value: cut } : keyValue;
    });
    return record;
  };
  const fits = (length: number) => utf8ByteLength(JSON.stringify(withValuesCutTo(length))) <= maxSize;
  if (!fits(0)) return undefined;
  let low = 0;
  let high = Math.min(maxSize, attributes.reduce((longest, value) => Math.max(longest, value.text.length), body.text.length));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return eventFromRecord(withValuesCutTo(low), event.timeMillis, event.resourceAttributesJson, event.scopeJson);
}

function routingAttributesJson(destination: Destination): string {
  return [
    { key: ROUTING_ATTRIBUTES.logStream, value: { stringValue: destination.logStream } },
    { key: ROUTING_ATTRIBUTES.logGroup, value: { stringValue: destination.logGroup } },
    { key: ROUTING_ATTRIBUTES.accountId, value: { stringValue: destination.accountId } },
  ]
    .map((keyValue) => JSON.stringify(keyValue))
    .join(',');
}

/**
 * Assembles the request body for one destination from serialized records: one `resourceLogs` per distinct
 * application resource (normally exactly one), each carrying the three routing attributes first.
 */
export function createCustomLogEventsBody(destination: Destination, events: readonly ServiceWatchEvent[]): string {
  const byResource = new Map<string, Map<string, string[]>>();
  for (const event of events) {
    let byScope = byResource.get(event.resourceAttributesJson);
    if (!byScope) byResource.set(event.resourceAttributesJson, (byScope = new Map()));
    let records = byScope.get(event.scopeJson);
    if (!records) byScope.set(event.scopeJson, (records = []));
    records.push(event.json);
  }
  const routing = routingAttributesJson(destination);
  const resourceLogs: string[] = [];
  for (const [resourceJson, byScope] of byResource) {
    const attributes = resourceJson ? `${routing},${resourceJson}` : routing;
    const scopeLogs: string[] = [];
    for (const [scope, records] of byScope) {
      scopeLogs.push(`{${scope ? `"scope":${scope},` : ''}"logRecords":[${records.join(',')}]}`);
    }
    resourceLogs.push(`{"resource":{"attributes":[${attributes}]},"scopeLogs":[${scopeLogs.join(',')}]}`);
  }
  return `{"resourceLogs":[${resourceLogs.join(',')}]}`;
}

/** Why a destination cannot be used, or undefined. */
export function destinationProblem(destination: Destination): string | undefined {
  const missing = (
    [
      [ROUTING_ATTRIBUTES.accountId, destination.accountId],
      [ROUTING_ATTRIBUTES.logGroup, destination.logGroup],
      [ROUTING_ATTRIBUTES.logStream, destination.logStream],
    ] as const
  )
    .filter(([, value]) => !value)
    .map(([key]) => key);
  if (missing.length === 0) return undefined;
  return `${missing.join(', ')} missing; set them as resource or record attributes, or pass accountId/logGroupValue/logStreamValue to the exporter (provisionCustomLogStream returns them)`;
}

/**
 * The CreateCustomLogEvents body for entries of one destination (e.g. from `logEntriesFromOtlpJson`), without
 * applying any size limit. Throws a TypeError when a destination is incomplete or the entries span several.
 */
export function toCreateCustomLogEventsBody(entries: readonly LogEntry[]): string {
  if (entries.length === 0) throw new TypeError('toCreateCustomLogEventsBody: no log entries');
  const destination = entries[0]!.destination;
  const problem = destinationProblem(destination);
  if (problem) throw new TypeError(`toCreateCustomLogEventsBody: ${problem}`);
  const key = destinationKey(destination);
  if (entries.some((entry) => destinationKey(entry.destination) !== key)) {
    throw new TypeError('toCreateCustomLogEventsBody: entries go to several destinations; one request holds one destination (group them first)');
  }
  return createCustomLogEventsBody(destination, entries.map(toServiceWatchEvent));
}
