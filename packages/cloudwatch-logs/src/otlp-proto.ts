/**
 * Protobuf (opentelemetry-proto logs/v1) for CloudWatch's OTLP endpoint, written by hand into reused buffers: a
 * record becomes the bytes of one `ScopeLogs.log_records` entry (`0x12 length LogRecord`), so that a request is the
 * frame's openings and head followed by the records' bytes as they are (see otlp-frame.ts).
 *
 * One pass over a record: each nested message is written after one byte kept for its length, which is filled in
 * once the message is written (the message moved up when its length takes more bytes: rare but for the body and
 * the record itself, and a memmove); alongside, the size of the record's flattened JSON event (what the service
 * counts) is added up in `flat`. Field tags are `field << 3 | wire type`.
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

/** uint64 on the wire: a (never expected) negative time is sent, and counted, as its two's complement. */
function uint64(value: bigint): bigint {
  return value < 0n ? BigInt.asUintN(64, value) : value;
}

/** One record (or resource, or scope) at a time, from `begin`; not reentrant. */
class ProtoEncoder {
  /** Bytes of the flattened JSON event written so far. */
  flat = 0;
  private buffer: Buffer = Buffer.alloc(0);
  /** Over `buffer`, for the fixed64 times: DataView's setBigUint64 costs ~7 ns where Buffer's writeBigUInt64LE costs ~150. */
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, 0);
  private at = 0;

  /** Starts writing at the start of `buffer`, which is replaced by a larger one (see `output`) when it is too small. */
  begin(buffer: Buffer): void {
    this.use(buffer);
    this.at = 0;
    this.flat = 0;
  }

  /** The buffer written to (the one given to `begin`, or its larger replacement). */
  get output(): Buffer {
    return this.buffer;
  }

  get position(): number {
    return this.at;
  }

  private use(buffer: Buffer): void {
    if (buffer !== this.buffer) this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.buffer = buffer;
  }

  /** Room for `bytes` more. */
  private ensure(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, this.at + bytes, 1024));
    this.buffer.copy(grown, 0, 0, this.at);
    this.use(grown);
  }

  /** Writes `tag` and keeps a byte for the length of the message that follows; returns where (see `close`). */
  open(tag: number): number {
    this.ensure(2);
    this.buffer[this.at++] = tag;
    return this.at++;
  }

  /** Writes the length of the message written since `open` returned `lengthAt`, moving it up if the length needs more than a byte. */
  close(lengthAt: number): void {
    const start = lengthAt + 1;
    const length = this.at - start;
    if (length < 0x80) {
      this.buffer[lengthAt] = length;
      return;
    }
    const extra = varintLength(length) - 1;
    this.ensure(extra);
    this.buffer.copyWithin(start + extra, start, this.at);
    writeVarint(this.buffer, lengthAt, length);
    this.at += extra;
  }

  /** Little-endian, two's complement for a negative time (as `uint64` counts it). */
  private fixed64(value: bigint): void {
    this.view.setBigUint64(this.at, uint64(value), true);
    this.at += 8;
  }

  private byte(value: number): void {
    this.buffer[this.at++] = value;
  }

  private int64(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0) {
      this.at = writeVarint(this.buffer, this.at, value);
      return;
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.byte(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.byte(Number(rest));
  }

  /** A string field; its JSON (quotes and escapes included) is counted in `flat`. */
  string(tag: number, text: string): void {
    const length = text.length;
    if (length > SHORT_STRING) return this.longString(tag, text);
    this.ensure(2 + 3 * length);
    const buffer = this.buffer;
    buffer[this.at++] = tag;
    const lengthAt = this.at++;
    // Short strings (keys, levels, most values) in one JS pass: a native call per string costs more than this.
    let escapes = 0;
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) ascii = false;
      else if (code < 0x20) escapes += code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 1 : 5;
      else if (code === 0x22 || code === 0x5c) escapes++;
      if (ascii) buffer[this.at++] = code;
    }
    if (ascii) {
      buffer[lengthAt] = length;
      this.flat += length + 2 + escapes;
      return;
    }
    // Not ASCII: written natively (a lone surrogate as U+FFFD, three bytes), after the ASCII start already written.
    const bytes = buffer.write(text, lengthAt + 1, 'utf8');
    this.at = lengthAt + 1 + bytes;
    this.flat += bytes + 2 + escapes;
    this.close(lengthAt);
  }

  /** A string over SHORT_STRING units: written natively after room for the longest length it can have. */
  private longString(tag: number, text: string): void {
    const reserved = varintLength(3 * text.length);
    this.ensure(1 + reserved + 3 * text.length);
    this.buffer[this.at++] = tag;
    const lengthAt = this.at;
    const bytes = this.buffer.write(text, lengthAt + reserved, 'utf8');
    const lengthBytes = varintLength(bytes);
    if (lengthBytes < reserved) this.buffer.copyWithin(lengthAt + lengthBytes, lengthAt + reserved, lengthAt + reserved + bytes);
    writeVarint(this.buffer, lengthAt, bytes);
    this.at = lengthAt + lengthBytes + bytes;
    this.flat += jsonStringBytes(text, bytes);
  }

  /** The AnyValue message for `value`, without its own tag and length. */
  private value(value: unknown, depth: number): void {
    if (depth > MAX_DEPTH) return this.string(ANY_STRING, TOO_DEEP);
    switch (kindOf(value)) {
      case KIND_STRING:
        return this.string(ANY_STRING, stringOf(value));
      case KIND_BOOL:
        this.ensure(2);
        this.byte(ANY_BOOL);
        this.byte(value ? 1 : 0);
        this.flat += value ? 4 : 5;
        return;
      case KIND_INT:
        this.ensure(11);
        this.byte(ANY_INT);
        this.int64(value as number | bigint);
        this.flat += typeof value === 'bigint' ? bigintDigits(value) : integerDigits(value as number);
        return;
      case KIND_DOUBLE:
        this.ensure(9);
        this.byte(ANY_DOUBLE);
        this.at = this.buffer.writeDoubleLE(value as number, this.at);
        this.flat += doubleBytes(value as number);
        return;
      case KIND_BYTES: {
        const bytes = value as Uint8Array;
        this.ensure(1 + 10 + bytes.byteLength);
        this.byte(ANY_BYTES);
        this.at = writeVarint(this.buffer, this.at, bytes.byteLength);
        this.buffer.set(bytes, this.at);
        this.at += bytes.byteLength;
        this.flat += base64Bytes(bytes.byteLength);
        return;
      }
      case KIND_ARRAY: {
        const items = value as unknown[];
        const lengthAt = this.open(ANY_ARRAY);
        for (let i = 0; i < items.length; i++) this.nested(FIELD1_LEN, items[i], depth + 1);
        this.close(lengthAt);
        this.flat += 2 + Math.max(0, items.length - 1);
        return;
      }
      case KIND_KVLIST: {
        const lengthAt = this.open(ANY_KVLIST);
        this.keyValues(FIELD1_LEN, value as Record<string, unknown>, undefined, depth + 1);
        this.close(lengthAt);
        return;
      }
      default:
        this.flat += 4; // null: an empty AnyValue
    }
  }

  /** A length-delimited AnyValue field (array item, key-value value, body). */
  private nested(tag: number, value: unknown, depth: number): void {
    const lengthAt = this.open(tag);
    this.value(value, depth);
    this.close(lengthAt);
  }

  /**
   * The repeated KeyValue fields for `attributes` (without `skip`), each under `tag`; their flattened JSON is an
   * object `{"key":value,…}`.
   */
  keyValues(tag: number, attributes: Readonly<Record<string, unknown>>, skip: ReadonlySet<string> | undefined, depth: number): void {
    let count = 0;
    // for…in with an own-key check: Object.keys' order and keys without allocating their array per record.
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key) || skip?.has(key)) continue;
      count++;
      const lengthAt = this.open(tag);
      this.string(FIELD1_LEN, key);
      this.nested(FIELD2_LEN, attributes[key], depth);
      this.close(lengthAt);
    }
    this.flat += 2 + Math.max(0, count - 1) + count; // braces, commas and the colons
  }

  /** The LogRecord message, routing attributes left out; `flat` gets the record's part of the event. */
  record(entry: LogEntry): void {
    this.ensure(2 * 9 + 11);
    this.byte(LOG_TIME);
    this.fixed64(entry.timeUnixNano);
    this.flat += FLAT.time.length + bigintDigits(uint64(entry.timeUnixNano)) + 1; // and the event's closing brace
    if (entry.observedTimeUnixNano) {
      this.byte(LOG_OBSERVED_TIME);
      this.fixed64(entry.observedTimeUnixNano);
      this.flat += FLAT.observed.length + bigintDigits(uint64(entry.observedTimeUnixNano));
    }
    if (presentInteger(entry.severityNumber, -(2 ** 31))) {
      this.byte(LOG_SEVERITY_NUMBER);
      this.int64(entry.severityNumber);
      this.flat += FLAT.severityNumber.length + integerDigits(entry.severityNumber);
    }
    if (entry.severityText) {
      this.flat += FLAT.severityText.length;
      this.string(LOG_SEVERITY_TEXT, entry.severityText);
    }
    if (entry.body !== undefined) {
      this.flat += FLAT.body.length;
      this.nested(LOG_BODY, entry.body, 0);
    }
    if (hasAttributes(entry.attributes)) {
      this.flat += FLAT.attributes.length;
      this.keyValues(LOG_ATTRIBUTES, entry.attributes, ROUTING_KEYS, 0);
    }
    if (presentInteger(entry.traceFlags, 1)) {
      this.ensure(5);
      this.byte(LOG_FLAGS);
      this.at = this.buffer.writeUInt32LE(entry.traceFlags, this.at);
      this.flat += FLAT.flags.length + integerDigits(entry.traceFlags);
    }
    if (validHexId(entry.traceId, 16)) {
      this.hexBytes(LOG_TRACE_ID, entry.traceId, 16);
      this.flat += FLAT.traceId.length + 34;
    }
    if (validHexId(entry.spanId, 8)) {
      this.hexBytes(LOG_SPAN_ID, entry.spanId, 8);
      this.flat += FLAT.spanId.length + 18;
    }
    if (entry.eventName) {
      this.flat += FLAT.eventName.length;
      this.string(LOG_EVENT_NAME, entry.eventName);
    }
  }

  private hexBytes(tag: number, hex: string, bytes: number): void {
    this.ensure(2 + bytes);
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
