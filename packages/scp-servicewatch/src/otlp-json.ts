/**
 * OTLP/JSON log records, written straight into text: byte for byte `JSON.stringify(toOtlpLogRecord(entry))`, in
 * the field shape of @opentelemetry/otlp-transformer's JSON serializer (a test checks they agree), but without
 * building an OtlpLogRecord and its OtlpAnyValue objects for every record.
 *
 * Why not `JsonLogsSerializer` itself: it only serializes a whole request from SDK `ReadableLogRecord`s, so it
 * cannot give each record's exact size (which the batch planner needs before the request exists), cannot take
 * OTLP/JSON from elsewhere (a gateway), and cannot put the routing attributes into the resource.
 */
import { ROUTING_KEYS, toOtlpAnyValue, toOtlpKeyValues, type AnyValue, type LogEntry, type OtlpLogRecord } from '@otel-cloud-logs/core';

/**
 * An entry as an OTLP/JSON log record object, fields in the order @opentelemetry/otlp-transformer writes them. A
 * record without a body gets an empty string body: every record of the documented request carries one. The routing
 * attributes are left out: they travel once, in the request's resource, as the other providers leave them out too.
 */
export function toOtlpLogRecord(entry: LogEntry): OtlpLogRecord {
  const record: OtlpLogRecord = { timeUnixNano: entry.timeUnixNano.toString() };
  if (entry.observedTimeUnixNano) record.observedTimeUnixNano = entry.observedTimeUnixNano.toString();
  if (entry.severityNumber !== undefined) record.severityNumber = entry.severityNumber;
  if (entry.severityText !== undefined) record.severityText = entry.severityText;
  record.body = entry.body === undefined || entry.body === null ? { stringValue: '' } : toOtlpAnyValue(entry.body);
  if (entry.eventName) record.eventName = entry.eventName;
  const attributes = Object.fromEntries(Object.entries(entry.attributes).filter(([key]) => !ROUTING_KEYS.has(key))) as Record<string, AnyValue>;
  if (Object.keys(attributes).length > 0) record.attributes = toOtlpKeyValues(attributes);
  if (entry.traceFlags !== undefined) record.flags = entry.traceFlags;
  if (entry.traceId) record.traceId = entry.traceId;
  if (entry.spanId) record.spanId = entry.spanId;
  return record;
}

const EMPTY_BODY = '{"stringValue":""}';

/** `JSON.stringify(toOtlpLogRecord(entry))`, written directly. */
export function otlpLogRecordJson(entry: LogEntry): string {
  let out = `{"timeUnixNano":"${entry.timeUnixNano}"`;
  if (entry.observedTimeUnixNano) out += `,"observedTimeUnixNano":"${entry.observedTimeUnixNano}"`;
  out += optionalField(',"severityNumber":', entry.severityNumber);
  out += optionalField(',"severityText":', entry.severityText);
  out += `,"body":${entry.body === undefined || entry.body === null ? EMPTY_BODY : otlpAnyValueJson(entry.body)}`;
  if (entry.eventName) out += optionalField(',"eventName":', entry.eventName);
  const attributes = otlpKeyValuesJson(entry.attributes, ROUTING_KEYS);
  if (attributes) out += `,"attributes":[${attributes}]`;
  out += optionalField(',"flags":', entry.traceFlags);
  if (entry.traceId) out += optionalField(',"traceId":', entry.traceId);
  if (entry.spanId) out += optionalField(',"spanId":', entry.spanId);
  return `${out}}`;
}

/** `prefix` and the value's JSON, or '' where JSON.stringify leaves a field out (undefined, a function). */
function optionalField(prefix: string, value: unknown): string {
  if (value === undefined) return '';
  const json = JSON.stringify(value);
  return json === undefined ? '' : prefix + json;
}

/** `JSON.stringify(toOtlpAnyValue(value))`, written directly. */
export function otlpAnyValueJson(value: AnyValue): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value)}}`;
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      // JSON.stringify writes a non-finite double as null, as it does inside the object.
      return Number.isInteger(value) ? `{"intValue":${value}}` : `{"doubleValue":${JSON.stringify(value)}}`;
    case 'bigint':
      return `{"intValue":"${value}"}`;
    case 'undefined':
      return '{}';
  }
  if (value === null) return '{}';
  if (value instanceof Uint8Array) return `{"bytesValue":"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"}`;
  if (Array.isArray(value)) {
    let out = '{"arrayValue":{"values":[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) out += ',';
      // A hole stays a hole in `map`, which JSON.stringify writes as null.
      out += item === undefined && !(i in value) ? 'null' : otlpAnyValueJson(item);
    }
    return `${out}]}}`;
  }
  if (typeof value === 'object') return `{"kvlistValue":{"values":[${otlpKeyValuesJson(value as Record<string, AnyValue>)}]}}`;
  return `{"stringValue":${JSON.stringify(String(value))}}`;
}

/**
 * The key-values of `JSON.stringify(toOtlpKeyValues(attributes))` without the brackets (in the map's order, as the
 * stock OTLP exporter writes them; '' when there are none), leaving out the keys in `skip`.
 */
export function otlpKeyValuesJson(attributes: Readonly<Record<string, AnyValue>>, skip?: ReadonlySet<string>): string {
  let out = '';
  for (const key of Object.keys(attributes)) {
    if (skip?.has(key)) continue;
    if (out) out += ',';
    const value = attributes[key];
    // Most values are strings: their prefix holds the opening of the string value too (one concatenation less).
    out += typeof value === 'string' ? `${keyPrefixes(key).string}${JSON.stringify(value)}}}` : `${keyPrefixes(key).value}${otlpAnyValueJson(value)}}`;
  }
  return out;
}

interface KeyPrefixes {
  /** `{"key":"…","value":` */
  readonly value: string;
  /** `{"key":"…","value":{"stringValue":` */
  readonly string: string;
}

const keyPrefixCache = new Map<string, KeyPrefixes>();
const MAX_CACHED_KEYS = 10_000;

/** A key-value's opening, escaped once per distinct key (attribute and body keys repeat from record to record). */
function keyPrefixes(key: string): KeyPrefixes {
  let prefixes = keyPrefixCache.get(key);
  if (prefixes === undefined) {
    const value = `{"key":${JSON.stringify(key)},"value":`;
    prefixes = { value, string: `${value}{"stringValue":` };
    if (keyPrefixCache.size >= MAX_CACHED_KEYS) keyPrefixCache.clear();
    if (key.length <= 256) keyPrefixCache.set(key, prefixes);
  }
  return prefixes;
}
