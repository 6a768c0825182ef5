/**
 * Protobuf (opentelemetry-proto logs/v1) for CloudWatch's OTLP endpoint, written by hand into reused buffers: a
 * record becomes the bytes of one `ScopeLogs.log_records` entry (`0x12 length LogRecord`), so that a request is the
 * frame's openings and head followed by the records' bytes as they are (see otlp-frame.ts).
 *
 * Two passes over a record: `measure` computes every nested message length and string byte count (kept in order
 * in `sizes`) and, alongside, the size of the record's flattened JSON event (what the service counts); `write` then
 * writes the bytes using those lengths. Field tags are `field << 3 | wire type`.
 */
import { ROUTING_KEYS, varintLength, writeVarint, type LogEntry } from '@otel-cloud-logs/core';
import {
  FLAT,
  KIND_ARRAY,
  KIND_BOOL,
  KIND_BYTES,
  KIND_DOUBLE,
  KIND_INT,
  KIND_KVLIST,
  KIND_STRING,
  MAX_DEPTH,
  TOO_DEEP,
  base64Bytes,
  bigintDigits,
  doubleBytes,
  integerDigits,
  jsonStringBytes,
  kindOf,
  presentInteger,
  stringOf,
  validHexId,
} from './otlp-values.ts';

const ANY_STRING = 0x0a;
const ANY_BOOL = 0x10;
const ANY_INT = 0x18;
const ANY_DOUBLE = 0x21;
const ANY_ARRAY = 0x2a;
const ANY_KVLIST = 0x32;
const ANY_BYTES = 0x3a;
/** ArrayValue.values, KeyValueList.values, KeyValue.key, Resource.attributes, InstrumentationScope.name: field 1, LEN. */
export const FIELD1_LEN = 0x0a;
/** KeyValue.value, InstrumentationScope.version, ScopeLogs.log_records: field 2, LEN. */
export const FIELD2_LEN = 0x12;
const LOG_TIME = 0x09;
const LOG_SEVERITY_NUMBER = 0x10;
const LOG_SEVERITY_TEXT = 0x1a;
const LOG_BODY = 0x2a;
const LOG_ATTRIBUTES = 0x32;
const LOG_FLAGS = 0x45;
const LOG_TRACE_ID = 0x4a;
const LOG_SPAN_ID = 0x52;
const LOG_OBSERVED_TIME = 0x59;
const LOG_EVENT_NAME = 0x62;

/** Strings up to this many UTF-16 units are measured and written in JS. */
const SHORT_STRING = 64;

/** A length-delimited field of `length` content bytes: tag + length varint + content. */
export function delimited(length: number): number {
  return 1 + varintLength(length) + length;
}

function int64Bytes(value: number | bigint): number {
  if (value < 0) return 10; // two's complement: always ten bytes
  if (typeof value === 'number') return varintLength(value);
  let length = 1;
  for (let rest = value; rest >= 0x80n; rest >>= 7n) length++;
  return length;
}

/** uint64 on the wire: a (never expected) negative time is sent, and counted, as its two's complement. */
function uint64(value: bigint): bigint {
  return value < 0n ? BigInt.asUintN(64, value) : value;
}

/**
 * One record (or resource) at a time: measure, then write. Not reentrant; encoding never calls out of this
 * module while a record is between the two passes.
 */
class ProtoEncoder {
  /** Nested message lengths and string byte counts, in the order `write` consumes them. */
  private sizes: number[] = [];
  private cursor = 0;
  /** Bytes of the flattened JSON event measured so far. */
  flat = 0;
  private buffer: Buffer = Buffer.alloc(0);
  /** Over `buffer`, for the fixed64 times: DataView's setBigUint64 costs ~7 ns where Buffer's writeBigUInt64LE costs ~150. */
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, 0);
  private at = 0;

  reset(): void {
    this.sizes.length = 0;
    this.cursor = 0;
    this.flat = 0;
  }

  /** Content bytes of the AnyValue message for `value`; adds its flattened JSON bytes to `flat`. */
  measureValue(value: unknown, depth: number): number {
    if (depth > MAX_DEPTH) return this.measureString(TOO_DEEP);
    switch (kindOf(value)) {
      case KIND_STRING:
        return this.measureString(stringOf(value));
      case KIND_BOOL:
        this.flat += value ? 4 : 5;
        return 2;
      case KIND_INT:
        this.flat += typeof value === 'bigint' ? bigintDigits(value) : integerDigits(value as number);
        return 1 + int64Bytes(value as number | bigint);
      case KIND_DOUBLE:
        this.flat += doubleBytes(value as number);
        return 9;
      case KIND_BYTES: {
        const length = (value as Uint8Array).byteLength;
        this.flat += base64Bytes(length);
        return delimited(length);
      }
      case KIND_ARRAY: {
        const items = value as unknown[];
        const slot = this.sizes.push(0) - 1;
        let length = 0;
        this.flat += 2 + Math.max(0, items.length - 1);
        for (let i = 0; i < items.length; i++) length += this.measureNested(items[i], depth + 1);
        this.sizes[slot] = length;
        return delimited(length);
      }
      case KIND_KVLIST: {
        const slot = this.sizes.push(0) - 1;
        const length = this.measureKeyValues(value as Record<string, unknown>, undefined, depth + 1);
        this.sizes[slot] = length;
        return delimited(length);
      }
      default:
        this.flat += 4; // null
        return 0;
    }
  }

  /** A length-delimited AnyValue entry (array item or key-value value): its field bytes. */
  private measureNested(value: unknown, depth: number): number {
    const slot = this.sizes.push(0) - 1;
    const length = this.measureValue(value, depth);
    this.sizes[slot] = length;
    return delimited(length);
  }

  private measureString(text: string): number {
    let bytes: number;
    if (text.length <= SHORT_STRING) {
      // Short strings (keys, levels, most values) in one JS pass: a native call per string costs more than this.
      bytes = 0;
      let escapes = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < 0x80) {
          bytes++;
          if (code < 0x20) escapes += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 1 : 5;
          else if (code === 0x22 || code === 0x5c) escapes++;
        } else if (code < 0x800) bytes += 2;
        else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          bytes += 4;
          i++;
        } else bytes += 3; // the BMP, and a lone surrogate as U+FFFD
      }
      this.flat += bytes + 2 + escapes;
    } else {
      bytes = Buffer.byteLength(text, 'utf8');
      this.flat += jsonStringBytes(text, bytes);
    }
    this.sizes.push(bytes);
    return delimited(bytes);
  }

  /**
   * Bytes of the repeated KeyValue fields for `attributes` (without `skip`); their flattened JSON is an object
   * `{"key":value,…}`.
   */
  measureKeyValues(attributes: Readonly<Record<string, unknown>>, skip: ReadonlySet<string> | undefined, depth: number): number {
    let length = 0;
    let count = 0;
    // for…in with an own-key check: Object.keys' order and keys without allocating their array per record.
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key) || skip?.has(key)) continue;
      count++;
      const slot = this.sizes.push(0) - 1;
      const keyValue = this.measureString(key) + this.measureNested(attributes[key], depth);
      this.flat += 1; // the colon
      this.sizes[slot] = keyValue;
      length += delimited(keyValue);
    }
    this.flat += 2 + Math.max(0, count - 1);
    return length;
  }

  /** Content bytes of a LogRecord message, routing attributes left out; `flat` gets the record's part of the event. */
  measureRecord(entry: LogEntry): number {
    let length = 9; // time_unix_nano, always written
    this.flat += FLAT.time.length + bigintDigits(uint64(entry.timeUnixNano)) + 1; // and the event's closing brace
    if (entry.observedTimeUnixNano) {
      length += 9;
      this.flat += FLAT.observed.length + bigintDigits(uint64(entry.observedTimeUnixNano));
    }
    if (presentInteger(entry.severityNumber, -(2 ** 31))) {
      length += 1 + int64Bytes(entry.severityNumber);
      this.flat += FLAT.severityNumber.length + integerDigits(entry.severityNumber);
    }
    if (entry.severityText) {
      this.flat += FLAT.severityText.length;
      length += this.measureString(entry.severityText);
    }
    if (entry.body !== undefined) {
      this.flat += FLAT.body.length;
      length += this.measureNested(entry.body, 0);
    }
    if (hasAttributes(entry.attributes)) {
      this.flat += FLAT.attributes.length;
      length += this.measureKeyValues(entry.attributes, ROUTING_KEYS, 0);
    }
    if (presentInteger(entry.traceFlags, 1)) {
      length += 5;
      this.flat += FLAT.flags.length + integerDigits(entry.traceFlags);
    }
    if (validHexId(entry.traceId, 16)) {
      length += delimited(16);
      this.flat += FLAT.traceId.length + 34;
    }
    if (validHexId(entry.spanId, 8)) {
      length += delimited(8);
      this.flat += FLAT.spanId.length + 18;
    }
    if (entry.eventName) {
      this.flat += FLAT.eventName.length;
      length += this.measureString(entry.eventName);
    }
    return length;
  }

  /** A string field: measured like any string (its JSON counted in `flat`). */
  measureField(text: string): number {
    return this.measureString(text);
  }

  writeField(tag: number, text: string): void {
    this.string(tag, text);
  }

  /** A tag and a length known to the caller (not from the measured sizes). */
  lengthPrefix(tag: number, length: number): void {
    this.byte(tag);
    this.varint(length);
  }

  /** Starts writing at `at` of `buffer`. */
  begin(buffer: Buffer, at: number): void {
    if (buffer !== this.buffer) this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.buffer = buffer;
    this.at = at;
    this.cursor = 0;
  }

  get position(): number {
    return this.at;
  }

  /** Little-endian, two's complement for a negative time (as `uint64` counts it). */
  private fixed64(value: bigint): void {
    this.view.setBigUint64(this.at, uint64(value), true);
    this.at += 8;
  }

  private byte(value: number): void {
    this.buffer[this.at++] = value;
  }

  private varint(value: number): void {
    this.at = writeVarint(this.buffer, this.at, value);
  }

  private int64(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0) return this.varint(value);
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.byte(Number(rest));
  }

  private string(tag: number, text: string): void {
    const bytes = this.sizes[this.cursor++]!;
    this.byte(tag);
    this.varint(bytes);
    if (bytes === text.length && bytes <= SHORT_STRING) {
      // Measured as ASCII: byte for character.
      for (let i = 0; i < bytes; i++) this.buffer[this.at++] = text.charCodeAt(i);
    } else this.at += this.buffer.write(text, this.at, bytes, 'utf8');
  }

  /** The next measured length, after its tag. */
  private open(tag: number): void {
    this.byte(tag);
    this.varint(this.sizes[this.cursor++]!);
  }

  writeValue(value: unknown, depth: number): void {
    if (depth > MAX_DEPTH) return this.string(ANY_STRING, TOO_DEEP);
    switch (kindOf(value)) {
      case KIND_STRING:
        return this.string(ANY_STRING, stringOf(value));
      case KIND_BOOL:
        this.byte(ANY_BOOL);
        return this.byte(value ? 1 : 0);
      case KIND_INT:
        this.byte(ANY_INT);
        return this.int64(value as number | bigint);
      case KIND_DOUBLE:
        this.byte(ANY_DOUBLE);
        this.at = this.buffer.writeDoubleLE(value as number, this.at);
        return;
      case KIND_BYTES: {
        const bytes = value as Uint8Array;
        this.byte(ANY_BYTES);
        this.varint(bytes.byteLength);
        this.buffer.set(bytes, this.at);
        this.at += bytes.byteLength;
        return;
      }
      case KIND_ARRAY:
        this.open(ANY_ARRAY);
        for (const item of value as unknown[]) this.writeNested(FIELD1_LEN, item, depth + 1);
        return;
      case KIND_KVLIST:
        this.open(ANY_KVLIST);
        return this.writeKeyValues(FIELD1_LEN, value as Record<string, unknown>, undefined, depth + 1);
    }
  }

  private writeNested(tag: number, value: unknown, depth: number): void {
    this.open(tag);
    this.writeValue(value, depth);
  }

  writeKeyValues(tag: number, attributes: Readonly<Record<string, unknown>>, skip: ReadonlySet<string> | undefined, depth: number): void {
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key) || skip?.has(key)) continue;
      this.open(tag);
      this.string(FIELD1_LEN, key);
      this.writeNested(FIELD2_LEN, attributes[key], depth);
    }
  }

  /** Writes the LogRecord message measured last (its fields in `measureRecord`'s order). */
  writeRecord(entry: LogEntry): void {
    this.byte(LOG_TIME);
    this.fixed64(entry.timeUnixNano);
    if (entry.observedTimeUnixNano) {
      this.byte(LOG_OBSERVED_TIME);
      this.fixed64(entry.observedTimeUnixNano);
    }
    if (presentInteger(entry.severityNumber, -(2 ** 31))) {
      this.byte(LOG_SEVERITY_NUMBER);
      this.int64(entry.severityNumber);
    }
    if (entry.severityText) this.string(LOG_SEVERITY_TEXT, entry.severityText);
    if (entry.body !== undefined) this.writeNested(LOG_BODY, entry.body, 0);
    if (hasAttributes(entry.attributes)) this.writeKeyValues(LOG_ATTRIBUTES, entry.attributes, ROUTING_KEYS, 0);
    if (presentInteger(entry.traceFlags, 1)) {
      this.byte(LOG_FLAGS);
      this.at = this.buffer.writeUInt32LE(entry.traceFlags, this.at);
    }
    if (validHexId(entry.traceId, 16)) this.hexBytes(LOG_TRACE_ID, entry.traceId, 16);
    if (validHexId(entry.spanId, 8)) this.hexBytes(LOG_SPAN_ID, entry.spanId, 8);
    if (entry.eventName) this.string(LOG_EVENT_NAME, entry.eventName);
  }

  private hexBytes(tag: number, hex: string, bytes: number): void {
    this.byte(tag);
    this.byte(bytes);
    this.at += this.buffer.write(hex, this.at, bytes, 'hex');
  }
}

function hasAttributes(attributes: Readonly<Record<string, unknown>>): boolean {
  for (const key in attributes) if (Object.hasOwn(attributes, key) && !ROUTING_KEYS.has(key)) return true;
  return false;
}

/** The one encoder of this thread (see otlp-parts.ts for what is built with it). */
export const encoder = new ProtoEncoder();
