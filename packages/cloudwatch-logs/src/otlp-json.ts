/**
 * OTLP/JSON (the protobuf JSON mapping: int64 and fixed64 as decimal strings, ids as hex) for CloudWatch's OTLP
 * endpoint, written straight into text with the same value rules as the protobuf encoder (otlp-values.ts), so
 * that both encodings carry the same data and the same size counts for them.
 */
import { ROUTING_KEYS, type LogEntry } from '@otel-cloud-logs/core';
import {
  KIND_ARRAY,
  KIND_BOOL,
  KIND_BYTES,
  KIND_DOUBLE,
  KIND_INT,
  KIND_KVLIST,
  KIND_STRING,
  MAX_DEPTH,
  TOO_DEEP,
  kindOf,
  presentInteger,
  stringOf,
  validHexId,
} from './otlp-values.ts';

/** A JSON string of well-formed text: a lone surrogate is sent as U+FFFD, as protobuf's UTF-8 carries it. */
export function jsonString(text: string): string {
  // ES2024 string methods (Node ≥ 20), not in the project's ES2023 typings.
  const checked = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  return JSON.stringify(checked.isWellFormed() ? text : checked.toWellFormed());
}

function doubleJson(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
}

/** An OTLP/JSON AnyValue. */
export function anyValueJson(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) return `{"stringValue":${jsonString(TOO_DEEP)}}`;
  switch (kindOf(value)) {
    case KIND_STRING:
      return `{"stringValue":${jsonString(stringOf(value))}}`;
    case KIND_BOOL:
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case KIND_INT:
      return `{"intValue":"${String(value)}"}`;
    case KIND_DOUBLE:
      return `{"doubleValue":${doubleJson(value as number)}}`;
    case KIND_BYTES: {
      const bytes = value as Uint8Array;
      return `{"bytesValue":"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"}`;
    }
    case KIND_ARRAY: {
      let out = '{"arrayValue":{"values":[';
      const items = value as unknown[];
      for (let i = 0; i < items.length; i++) out += (i > 0 ? ',' : '') + anyValueJson(items[i], depth + 1);
      return `${out}]}}`;
    }
    case KIND_KVLIST:
      return `{"kvlistValue":{"values":[${keyValuesJson(value as Record<string, unknown>, undefined, depth + 1)}]}}`;
    default:
      return '{}';
  }
}

/** OTLP/JSON key-values (without brackets), in the object's key order, leaving out the keys in `skip`. */
export function keyValuesJson(attributes: Readonly<Record<string, unknown>>, skip: ReadonlySet<string> | undefined, depth: number): string {
  let out = '';
  for (const key of Object.keys(attributes)) {
    if (skip?.has(key)) continue;
    out += `${out ? ',' : ''}{"key":${jsonString(key)},"value":${anyValueJson(attributes[key], depth)}}`;
  }
  return out;
}

/** A record as an OTLP/JSON LogRecord: the fields the protobuf encoder writes, under the same conditions. */
export function logRecordJson(entry: LogEntry): string {
  let out = `{"timeUnixNano":"${BigInt.asUintN(64, entry.timeUnixNano)}"`;
  if (entry.observedTimeUnixNano) out += `,"observedTimeUnixNano":"${BigInt.asUintN(64, entry.observedTimeUnixNano)}"`;
  if (presentInteger(entry.severityNumber, -(2 ** 31))) out += `,"severityNumber":${entry.severityNumber}`;
  if (entry.severityText) out += `,"severityText":${jsonString(entry.severityText)}`;
  if (entry.body !== undefined) out += `,"body":${anyValueJson(entry.body, 0)}`;
  const attributes = keyValuesJson(entry.attributes, ROUTING_KEYS, 0);
  if (attributes) out += `,"attributes":[${attributes}]`;
  if (presentInteger(entry.traceFlags, 1)) out += `,"flags":${entry.traceFlags}`;
  if (validHexId(entry.traceId, 16)) out += `,"traceId":"${entry.traceId}"`;
  if (validHexId(entry.spanId, 8)) out += `,"spanId":"${entry.spanId}"`;
  if (entry.eventName) out += `,"eventName":${jsonString(entry.eventName)}`;
  return `${out}}`;
}
