/**
 * The pieces of an OTLP/protobuf request for CloudWatch, built with the protobuf encoder: each record's
 * `ScopeLogs.log_records` entry, and the resource and scope fields of its request's frame.
 */
import { ROUTING_KEYS, type LogEntry } from '@otel-cloud-logs/core';
import { FIELD1_LEN, FIELD2_LEN, encoder } from './otlp-proto.ts';
import { FLAT } from './otlp-values.ts';

/** A record written by `writeRecord`: its bytes are the first `length` of `buffer`. */
export interface WrittenRecord {
  /** The buffer given, or a larger one that replaced it. */
  readonly buffer: Buffer;
  readonly length: number;
  /** Bytes of `"timeUnixNano":…}`: the record's part of its flattened event, without resource and scope. */
  readonly flatBytes: number;
}

/** Reused: writing a record allocates nothing but a larger buffer when one is too small. */
const written: { buffer: Buffer; length: number; flatBytes: number } = { buffer: Buffer.alloc(0), length: 0, flatBytes: 0 };

/**
 * Writes `entry` as its `0x12 length LogRecord` entry from the start of `buffer` (replaced by a larger one when
 * too small). The answer is reused by the next call.
 */
export function writeRecord(entry: LogEntry, buffer: Buffer): WrittenRecord {
  encoder.begin(buffer);
  const lengthAt = encoder.open(FIELD2_LEN);
  encoder.record(entry);
  encoder.close(lengthAt);
  written.buffer = encoder.output;
  written.length = encoder.position;
  written.flatBytes = encoder.flat;
  return written;
}

/** A resource or scope message as a field (`0x0A length message`), with the flattened JSON bytes of its content. */
export interface EncodedPart {
  readonly field: Buffer;
  readonly flatBytes: number;
}

/** Resources and scopes are encoded once per frame: here, then copied out at their size. */
let partScratch: Buffer = Buffer.allocUnsafeSlow(1024);

function part(write: () => void, extraFlatBytes = 0): EncodedPart {
  encoder.begin(partScratch);
  const lengthAt = encoder.open(FIELD1_LEN);
  write();
  encoder.close(lengthAt);
  const output = encoder.output;
  const encoded = { field: Buffer.from(output.subarray(0, encoder.position)), flatBytes: encoder.flat + extraFlatBytes };
  // A huge resource (refused afterwards) must not keep a huge scratch alive.
  if (output.length <= 1024 * 1024) partScratch = output;
  return encoded;
}

/** `Resource` (the routing attributes left out) as `ResourceLogs.resource`; flat: the attribute object `{…}`. */
export function encodeResource(resource: Readonly<Record<string, unknown>>): EncodedPart {
  return part(() => encoder.keyValues(FIELD1_LEN, resource, ROUTING_KEYS, 0));
}

/** `InstrumentationScope` as `ScopeLogs.scope`; flat: `"name":…,"version":…` (the fields that are set). */
export function encodeScope(scope: { readonly name: string; readonly version?: string }): EncodedPart {
  const fields = (scope.name ? 1 : 0) + (scope.version ? 1 : 0);
  return part(() => {
    if (scope.name) {
      encoder.flat += FLAT.scopeName.length;
      encoder.string(FIELD1_LEN, scope.name);
    }
    if (scope.version) {
      encoder.flat += FLAT.scopeVersion.length;
      encoder.string(FIELD2_LEN, scope.version);
    }
  }, Math.max(0, fields - 1));
}
