/**
 * The event CloudWatch stores for one OTLP log record: a flattened JSON object with the record's resource and
 * scope, attribute lists as objects and values as plain JSON:
 *   {"resource":{"attributes":{…}},"scope":{"name":…,"version":…},"timeUnixNano":…,"severityNumber":…,
 *    "severityText":…,"body":…,"attributes":{…},"flags":…,"traceId":"…","spanId":"…","eventName":…}
 * (the structure AWS's OpenTelemetry distro documents; an inference, not a published format). The service counts
 * a request as Σ (UTF-8 bytes of these events + 26). Values are kept as a tree so that large fields can be cut.
 */
import type { OtlpAnyValue, OtlpKeyValue, OtlpLogRecord, OtlpResourceLogs, OtlpScopeLogs } from '@otel-cloud-logs/core';
import { CloudWatchError } from '../errors.ts';

/** A JSON value whose strings can still be cut: `raw` is JSON text already (numbers, booleans, null). */
export type FlatValue =
  | { readonly kind: 'raw'; readonly text: string }
  | { kind: 'string'; value: string }
  | { readonly kind: 'array'; readonly items: FlatValue[] }
  | { readonly kind: 'object'; readonly entries: Array<[string, FlatValue]> };

const NULL: FlatValue = { kind: 'raw', text: 'null' };

function raw(text: string): FlatValue {
  return { kind: 'raw', text };
}

function invalid(message: string): CloudWatchError {
  return new CloudWatchError('InvalidParameterException', `Invalid OTLP log record: ${message}`);
}

function integerText(value: unknown): string {
  try {
    return BigInt(value as string | number).toString();
  } catch {
    throw invalid(`intValue ${JSON.stringify(value)} is not an integer`);
  }
}

/** An OTLP AnyValue (from protobuf or OTLP/JSON) as a flattened JSON value. */
export function flatAnyValue(value: OtlpAnyValue | undefined): FlatValue {
  if (!value) return NULL;
  const v = value as Record<string, unknown>;
  if ('stringValue' in v) return { kind: 'string', value: String(v.stringValue) };
  if ('boolValue' in v) return raw(v.boolValue ? 'true' : 'false');
  if ('intValue' in v) return raw(integerText(v.intValue));
  if ('doubleValue' in v) {
    const number = Number(v.doubleValue);
    return raw(Number.isFinite(number) ? String(number) : 'null');
  }
  if ('bytesValue' in v) return { kind: 'string', value: String(v.bytesValue) };
  if ('arrayValue' in v) return { kind: 'array', items: ((v.arrayValue as { values?: OtlpAnyValue[] }).values ?? []).map(flatAnyValue) };
  if ('kvlistValue' in v) return flatKeyValues((v.kvlistValue as { values?: OtlpKeyValue[] }).values);
  return NULL;
}

function flatKeyValues(values: OtlpKeyValue[] | undefined): FlatValue {
  return { kind: 'object', entries: (values ?? []).map((kv) => [String(kv.key), flatAnyValue(kv.value)] as [string, FlatValue]) };
}

function nonZero(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== 0 && value !== '0';
}

/** The event's first fields: its resource (always) and scope (when the request has one). */
export function flatResourceScope(resourceLogs: OtlpResourceLogs, scopeLogs: OtlpScopeLogs): Array<[string, FlatValue]> {
  const entries: Array<[string, FlatValue]> = [['resource', { kind: 'object', entries: [['attributes', flatKeyValues(resourceLogs.resource?.attributes)]] }]];
  const scope = scopeLogs.scope;
  if (scope) {
    const fields: Array<[string, FlatValue]> = [];
    if (scope.name) fields.push(['name', { kind: 'string', value: scope.name }]);
    if (scope.version) fields.push(['version', { kind: 'string', value: scope.version }]);
    entries.push(['scope', { kind: 'object', entries: fields }]);
  }
  return entries;
}

/** The flattened event of one record: the fields that the request carries, in a fixed order. */
export function flatEvent(resourceLogs: OtlpResourceLogs, scopeLogs: OtlpScopeLogs, record: OtlpLogRecord): FlatValue & { kind: 'object' } {
  const entries = flatResourceScope(resourceLogs, scopeLogs);
  entries.push(['timeUnixNano', raw(integerText(record.timeUnixNano ?? 0))]);
  if (nonZero(record.observedTimeUnixNano)) entries.push(['observedTimeUnixNano', raw(integerText(record.observedTimeUnixNano))]);
  if (nonZero(record.severityNumber)) entries.push(['severityNumber', raw(integerText(record.severityNumber))]);
  if (record.severityText) entries.push(['severityText', { kind: 'string', value: record.severityText }]);
  if (record.body !== undefined) entries.push(['body', flatAnyValue(record.body)]);
  if (record.attributes && record.attributes.length > 0) entries.push(['attributes', flatKeyValues(record.attributes)]);
  if (nonZero(record.flags)) entries.push(['flags', raw(integerText(record.flags))]);
  if (record.traceId) entries.push(['traceId', { kind: 'string', value: record.traceId.toLowerCase() }]);
  if (record.spanId) entries.push(['spanId', { kind: 'string', value: record.spanId.toLowerCase() }]);
  if (record.eventName) entries.push(['eventName', { kind: 'string', value: record.eventName }]);
  return { kind: 'object', entries };
}

/** The JSON text of a flattened value (keys in their order, duplicates kept, as they came). */
export function flatText(value: FlatValue): string {
  switch (value.kind) {
    case 'raw':
      return value.text;
    case 'string':
      return JSON.stringify(value.value);
    case 'array':
      return `[${value.items.map(flatText).join(',')}]`;
    case 'object':
      return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${flatText(item)}`).join(',')}}`;
  }
}

/** The event's time in ms: the record's time, else its observed time, else now (as the service stamps it). */
export function eventTimeMillis(record: OtlpLogRecord, now: number): number {
  for (const nanos of [record.timeUnixNano, record.observedTimeUnixNano]) {
    if (!nonZero(nanos)) continue;
    return Number(BigInt(integerText(nanos)) / 1_000_000n);
  }
  return now;
}
