/**
 * The pieces of an OTLP/protobuf request for CloudWatch, built with the protobuf encoder: each record's
 * `ScopeLogs.log_records` entry, and the resource and scope fields of its request's frame.
 */
import { ROUTING_KEYS, type LogEntry } from '@otel-cloud-logs/core';
import { FIELD1_LEN, FIELD2_LEN, delimited, encoder } from './otlp-proto.ts';
import { FLAT } from './otlp-values.ts';

/**
 * Measures a record: returns its protobuf message length; `measuredFlatBytes()` then gives its part of the
 * flattened event. `writeMeasuredRecord` must follow before anything else is measured.
 */
export function measureRecord(entry: LogEntry): number {
  encoder.reset();
  return encoder.measureRecord(entry);
}

/** Bytes of `"timeUnixNano":…}` of the record measured last: its part of its event, without resource and scope. */
export function measuredFlatBytes(): number {
  return encoder.flat;
}

/** Bytes of the `ScopeLogs.log_records` entry of a record of `messageBytes`. */
export function recordFieldBytes(messageBytes: number): number {
  return delimited(messageBytes);
}

/** Writes the record measured last as its `0x12 length LogRecord` entry at the start of `buffer`; returns its end. */
export function writeMeasuredRecord(entry: LogEntry, messageBytes: number, buffer: Buffer): number {
  encoder.begin(buffer, 0);
  encoder.lengthPrefix(FIELD2_LEN, messageBytes);
  encoder.writeRecord(entry);
  return encoder.position;
}

/** A resource or scope message as a field (`0x0A length message`), with the flattened JSON bytes of its content. */
export interface EncodedPart {
  readonly field: Buffer;
  readonly flatBytes: number;
}

/** `Resource` (the routing attributes left out) as `ResourceLogs.resource`; flat: the attribute object `{…}`. */
export function encodeResource(resource: Readonly<Record<string, unknown>>): EncodedPart {
  encoder.reset();
  const length = encoder.measureKeyValues(resource, ROUTING_KEYS, 0);
  const flatBytes = encoder.flat;
  const field = Buffer.alloc(delimited(length));
  encoder.begin(field, 0);
  encoder.lengthPrefix(FIELD1_LEN, length);
  encoder.writeKeyValues(FIELD1_LEN, resource, ROUTING_KEYS, 0);
  return { field, flatBytes };
}

/** `InstrumentationScope` as `ScopeLogs.scope`; flat: `"name":…,"version":…` (the fields that are set). */
export function encodeScope(scope: { readonly name: string; readonly version?: string }): EncodedPart {
  encoder.reset();
  let length = 0;
  let fields = 0;
  if (scope.name) {
    length += encoder.measureField(scope.name);
    encoder.flat += FLAT.scopeName.length;
    fields++;
  }
  if (scope.version) {
    length += encoder.measureField(scope.version);
    encoder.flat += FLAT.scopeVersion.length;
    fields++;
  }
  const flatBytes = encoder.flat + Math.max(0, fields - 1);
  const field = Buffer.alloc(delimited(length));
  encoder.begin(field, 0);
  encoder.lengthPrefix(FIELD1_LEN, length);
  if (scope.name) encoder.writeField(FIELD1_LEN, scope.name);
  if (scope.version) encoder.writeField(FIELD2_LEN, scope.version);
  return { field, flatBytes };
}
