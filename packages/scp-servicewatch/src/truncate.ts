/**
 * Cutting an oversize OTLP/JSON log record down to a size with core's `fitJson`, so that it stays a valid OTLP/JSON
 * record: only free text is cut (string values, attribute and map keys, severityText, eventName; bytes become a cut
 * stringValue), and array items and key-values that cannot fit are dropped for one stringValue saying how many.
 * Times, ids, flags and numbers are written as they are. Rare (only records over the event limit), so it works on
 * the record object; written whole, the nodes give the same bytes as `JSON.stringify` of it.
 */
import {
  MAX_FIT_DEPTH,
  fitJson,
  fromOtlpAnyValue,
  renderAnyValue,
  type JsonFitNode,
  type JsonMember,
  type JsonWrapper,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpLogRecord,
} from '@otel-cloud-logs/core';

const STRING_VALUE: JsonWrapper = ['{"stringValue":', '}'];
const BYTES_VALUE: JsonWrapper = ['{"bytesValue":', '}'];
const KEY_VALUE: JsonMember = ['{"key":', ',"value":', '}'];
const FIELD: JsonMember = ['', ':', ''];

/** The record's fields that are free text; the others are checked by the service, or numbers. */
const TEXT_FIELDS: ReadonlySet<string> = new Set(['severityText', 'eventName']);

/**
 * The JSON of `record` cut to at most `maxSize` bytes (see core's `fitJson`): the largest strings are cut, each
 * ending with its truncationMarker, and entries are dropped only where strings cut short are not enough.
 * Undefined when even that cannot make the record fit.
 */
export function truncatedRecordJson(record: OtlpLogRecord, maxSize: number): string | undefined {
  const fields = record as unknown as Record<string, unknown>;
  const entries = Object.keys(fields).map((key) => ({ key, value: fieldNode(key, fields[key]) }));
  return fitJson({ kind: 'list', open: '{', close: '}', member: FIELD, keepAll: true, entries }, maxSize, 'utf8');
}

function fieldNode(key: string, value: unknown): JsonFitNode {
  if (key === 'body') return anyValueNode(value as OtlpAnyValue, 0);
  if (key === 'attributes') return keyValuesNode('[', ']', value as OtlpKeyValue[], 0);
  if (TEXT_FIELDS.has(key) && typeof value === 'string') return { kind: 'text', text: value };
  return { kind: 'fixed', json: JSON.stringify(value) };
}

function anyValueNode(value: OtlpAnyValue | undefined, depth: number): JsonFitNode {
  if (value === undefined || value === null) return { kind: 'fixed', json: 'null' }; // an array's hole
  // Deeper nesting is rendered as text (JSON), cut like any string.
  if (depth >= MAX_FIT_DEPTH) return { kind: 'text', text: renderAnyValue(fromOtlpAnyValue(value)), wrapper: STRING_VALUE };
  if ('stringValue' in value) return { kind: 'text', text: value.stringValue, wrapper: STRING_VALUE };
  // Cut base64 is not base64: a cut bytesValue becomes a stringValue.
  if ('bytesValue' in value) return { kind: 'text', text: value.bytesValue, wrapper: BYTES_VALUE, cutWrapper: STRING_VALUE };
  if ('arrayValue' in value && value.arrayValue.values) {
    const entries = Array.from(value.arrayValue.values, (item: OtlpAnyValue | undefined) => ({ value: anyValueNode(item, depth + 1) }));
    return { kind: 'list', open: '{"arrayValue":{"values":[', close: ']}}', markerWrapper: STRING_VALUE, entries };
  }
  if ('kvlistValue' in value && value.kvlistValue.values) return keyValuesNode('{"kvlistValue":{"values":[', ']}}', value.kvlistValue.values, depth + 1);
  return { kind: 'fixed', json: JSON.stringify(value) };
}

function keyValuesNode(open: string, close: string, keyValues: readonly OtlpKeyValue[], depth: number): JsonFitNode {
  const entries = keyValues.map((keyValue) => ({ key: keyValue.key, value: anyValueNode(keyValue.value, depth) }));
  return { kind: 'list', open, close, member: KEY_VALUE, markerWrapper: STRING_VALUE, entries };
}
