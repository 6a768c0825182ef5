/**
 * OTLP model → CloudWatch's OTLP endpoint: each record is encoded once into its wire fragment (protobuf bytes or
 * OTLP/JSON text), with the size the service counts for it (its flattened event, resource and scope included).
 */
import {
  binaryFragmentBuffer,
  renderAnyValue,
  setBinaryFragment,
  setFragment,
  truncateUtf8,
  truncationMarker,
  utf8ByteLength,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
} from '@otel-cloud-logs/core';
import { resourceScopeOf, type OtlpEncoding, type ResourceScope } from './otlp-frame.ts';
import { logRecordJson } from './otlp-json.ts';
import { writeRecord } from './otlp-parts.ts';

/** Each resource with its scope may take this much (16 KB in the endpoint's table, read as 16,000 bytes: the stricter reading). */
export const MAX_RESOURCE_SCOPE_BYTES = 16_000;

/** Scratch buffers grown past this by one record are not kept for the next. */
const MAX_KEPT_SCRATCH_BYTES = 8 * 1024 * 1024;

/** The size the service counts for `entry` (without the 26 bytes it adds per record). */
export function otlpRecordSize(entry: LogEntry): number {
  // The resource first: encoding it the first time uses the encoder the record is then written with.
  const group = resourceScopeOf(entry);
  return group.flatBytes + flatBytesOf(entry);
}

/** Where records are written only to learn their size (JSON encoding, truncation). */
let sizeScratch: Buffer = Buffer.allocUnsafeSlow(1024);

function flatBytesOf(entry: LogEntry): number {
  const record = writeRecord(entry, sizeScratch);
  // One huge record must not keep a huge scratch alive.
  sizeScratch = record.buffer.length <= MAX_KEPT_SCRATCH_BYTES ? record.buffer : sizeScratch;
  return record.flatBytes;
}

function write(entry: LogEntry, encoding: OtlpEncoding, group: ResourceScope, out: EncodedRecord): void {
  let flatBytes: number;
  if (encoding === 'protobuf') {
    // Sized like the last record: a buffer that a huge record grew is not kept for ordinary ones.
    const record = writeRecord(entry, binaryFragmentBuffer(out, out.fragmentBytes));
    out.bytes = record.buffer;
    setBinaryFragment(out, record.length);
    flatBytes = record.flatBytes;
  } else {
    flatBytes = flatBytesOf(entry);
    setFragment(out, logRecordJson(entry));
  }
  out.size = group.flatBytes + flatBytes;
  out.timeMillis = entry.timeMillis;
  out.frameKey = group.frameKey;
}

/**
 * Encodes a record. One whose resource and scope are over the endpoint's limit is invalid (the service would
 * refuse the whole request); one over the event limit is left to the planner, which drops it or has it cut.
 */
export function encodeOtlpRecord(entry: LogEntry, encoding: OtlpEncoding, out: EncodedRecord): InvalidEvent | undefined {
  const group = resourceScopeOf(entry);
  if (group.flatBytes > MAX_RESOURCE_SCOPE_BYTES) {
    return {
      invalid: 'invalid_record',
      message: `a record's resource and scope take ${group.flatBytes} bytes; CloudWatch's OTLP endpoint refuses a whole request when they are over 16 KB: shorten the resource attributes`,
    };
  }
  write(entry, encoding, group, out);
  return undefined;
}

interface Slot {
  readonly holder: Record<string, unknown>;
  readonly key: string;
  readonly bytes: number;
}

/** The string values worth cutting, largest first: the body (or its top-level fields) and the record's attributes. */
function stringSlots(body: Record<string, unknown>, attributes: Record<string, unknown>): Slot[] {
  const slots: Slot[] = [];
  const collect = (holder: Record<string, unknown>) => {
    for (const key of Object.keys(holder)) {
      const value = holder[key];
      if (typeof value === 'string') slots.push({ holder, key, bytes: utf8ByteLength(value) });
    }
  };
  collect(body);
  const inner = body.value;
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && !(inner instanceof Uint8Array)) collect(inner as Record<string, unknown>);
  collect(attributes);
  return slots.sort((a, b) => b.bytes - a.bytes);
}

/**
 * Encodes `entry` cut to at most `maxSize` (as the service counts it): its largest string values (the body, its
 * top-level fields, the attributes) end with the marker; when that is not enough the body is replaced by its JSON
 * text, cut. False when it cannot fit (e.g. the resource alone is too large).
 */
export function encodeTruncatedOtlpRecord(entry: LogEntry, encoding: OtlpEncoding, maxSize: number, out: EncodedRecord): boolean {
  const group = resourceScopeOf(entry);
  const original = otlpRecordSize(entry);
  if (original <= maxSize) {
    write(entry, encoding, group, out);
    return true;
  }
  const marker = truncationMarker(original);
  const markerBytes = utf8ByteLength(marker);
  const body: Record<string, unknown> = { value: copyIfMap(entry.body) };
  const attributes: Record<string, unknown> = { ...entry.attributes };
  let cut: LogEntry = { ...entry, body: body.value, attributes };
  let size = original;
  for (const slot of stringSlots(body, attributes)) {
    if (size <= maxSize) break;
    if (slot.bytes <= markerBytes) continue;
    // Every byte cut takes at least one byte off the flattened JSON (escaping only makes a byte cost more).
    const keep = Math.max(0, slot.bytes - (size - maxSize) - markerBytes);
    slot.holder[slot.key] = truncateUtf8(slot.holder[slot.key] as string, keep) + marker;
    cut = { ...entry, body: body.value, attributes };
    size = otlpRecordSize(cut);
  }
  if (size > maxSize) {
    const withoutBody = otlpRecordSize({ ...cut, body: '' });
    const text = renderAnyValue(body.value);
    const room = maxSize - withoutBody - markerBytes - 2;
    if (room <= 0) return false;
    // The JSON text of a structured body may escape: shrink until it fits.
    for (let keep = room; keep > 0; keep = Math.floor(keep * 0.9)) {
      cut = { ...cut, body: truncateUtf8(text, keep) + marker };
      size = otlpRecordSize(cut);
      if (size <= maxSize) break;
    }
    if (size > maxSize) return false;
  }
  write(cut, encoding, group, out);
  return true;
}

/** A plain key-value body is cut in a copy, never in the application's object. */
function copyIfMap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return value;
  return { ...(value as Record<string, unknown>) };
}
