/**
 * A small protobuf reader for what CloudWatch's OTLP endpoint receives (opentelemetry-proto logs/v1): an
 * `ExportLogsServiceRequest` decoded into the OTLP/JSON shape (int64 and fixed64 as decimal strings, bytes as
 * base64, trace and span ids as hex), so that protobuf and JSON requests take one path. Written by hand,
 * independently of the exporters' encoder, so that tests compare two implementations. Unknown fields are skipped.
 */
import type { OtlpAnyValue, OtlpKeyValue, OtlpLogRecord, OtlpLogsRequest, OtlpResourceLogs, OtlpScopeLogs } from '@otel-cloud-logs/core';

/** A malformed message (the handler answers 400). */
export class ProtobufError extends Error {}

class Reader {
  private at: number;
  private readonly end: number;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.at = start;
    this.end = end;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  /** A varint as a bigint (int64 and uint64 values need all 64 bits). */
  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.at >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.bytes[this.at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** A field key: [field number, wire type]. */
  key(): [number, number] {
    const key = Number(this.varint());
    return [Math.floor(key / 8), key & 7];
  }

  /** The content of a length-delimited field, as a reader over it. */
  nested(): Reader {
    const length = Number(this.varint());
    if (this.at + length > this.end) throw new ProtobufError('length-delimited field runs past its message');
    const reader = new Reader(this.bytes, this.at, this.at + length);
    this.at += length;
    return reader;
  }

  bytesField(): Buffer {
    const nested = this.nested();
    return nested.bytes.subarray(nested.at, nested.end);
  }

  string(): string {
    return this.bytesField().toString('utf8');
  }

  fixed64(): bigint {
    if (this.at + 8 > this.end) throw new ProtobufError('truncated fixed64');
    const value = this.bytes.readBigUInt64LE(this.at);
    this.at += 8;
    return value;
  }

  fixed32(): number {
    if (this.at + 4 > this.end) throw new ProtobufError('truncated fixed32');
    const value = this.bytes.readUInt32LE(this.at);
    this.at += 4;
    return value;
  }

  double(): number {
    if (this.at + 8 > this.end) throw new ProtobufError('truncated double');
    const value = this.bytes.readDoubleLE(this.at);
    this.at += 8;
    return value;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.fixed64();
    else if (wireType === 2) this.nested();
    else if (wireType === 5) this.fixed32();
    else throw new ProtobufError(`unsupported wire type ${wireType}`);
  }

  /** Reads every field of the message, handing each to `onField` (which must consume it or return false to skip). */
  fields(onField: (field: number, wireType: number) => boolean): void {
    while (!this.done) {
      const [field, wireType] = this.key();
      if (!onField(field, wireType)) this.skip(wireType);
    }
  }
}

function anyValue(reader: Reader): OtlpAnyValue {
  let value: OtlpAnyValue = {};
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) value = { stringValue: reader.string() };
    else if (field === 2 && wireType === 0) value = { boolValue: reader.varint() !== 0n };
    else if (field === 3 && wireType === 0) value = { intValue: BigInt.asIntN(64, reader.varint()).toString() };
    else if (field === 4 && wireType === 1) value = { doubleValue: reader.double() };
    else if (field === 5 && wireType === 2) value = { arrayValue: { values: repeated(reader.nested(), anyValue) } };
    else if (field === 6 && wireType === 2) value = { kvlistValue: { values: repeated(reader.nested(), keyValue) } };
    else if (field === 7 && wireType === 2) value = { bytesValue: reader.bytesField().toString('base64') };
    else return false;
    return true;
  });
  return value;
}

/** The entries of a message whose field 1 is a repeated message (ArrayValue, KeyValueList). */
function repeated<T>(reader: Reader, read: (item: Reader) => T): T[] {
  const items: T[] = [];
  reader.fields((field, wireType) => {
    if (field !== 1 || wireType !== 2) return false;
    items.push(read(reader.nested()));
    return true;
  });
  return items;
}

function keyValue(reader: Reader): OtlpKeyValue {
  const kv: OtlpKeyValue = { key: '' };
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) kv.key = reader.string();
    else if (field === 2 && wireType === 2) kv.value = anyValue(reader.nested());
    else return false;
    return true;
  });
  return kv;
}

function logRecord(reader: Reader): OtlpLogRecord {
  const record: Record<string, unknown> = {};
  const attributes: OtlpKeyValue[] = [];
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 1) record.timeUnixNano = reader.fixed64().toString();
    else if (field === 11 && wireType === 1) record.observedTimeUnixNano = reader.fixed64().toString();
    else if (field === 2 && wireType === 0) record.severityNumber = Number(BigInt.asIntN(32, reader.varint()));
    else if (field === 3 && wireType === 2) record.severityText = reader.string();
    else if (field === 5 && wireType === 2) record.body = anyValue(reader.nested());
    else if (field === 6 && wireType === 2) attributes.push(keyValue(reader.nested()));
    else if (field === 7 && wireType === 0) record.droppedAttributesCount = Number(reader.varint());
    else if (field === 8 && wireType === 5) record.flags = reader.fixed32();
    else if (field === 9 && wireType === 2) record.traceId = reader.bytesField().toString('hex');
    else if (field === 10 && wireType === 2) record.spanId = reader.bytesField().toString('hex');
    else if (field === 12 && wireType === 2) record.eventName = reader.string();
    else return false;
    return true;
  });
  if (attributes.length > 0) record.attributes = attributes;
  return record as OtlpLogRecord;
}

function scopeLogs(reader: Reader): OtlpScopeLogs {
  const out: Record<string, unknown> = { logRecords: [] };
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) {
      const scope: Record<string, unknown> = {};
      const nested = reader.nested();
      nested.fields((inner, innerType) => {
        if (inner === 1 && innerType === 2) scope.name = nested.string();
        else if (inner === 2 && innerType === 2) scope.version = nested.string();
        else return false;
        return true;
      });
      out.scope = scope;
    } else if (field === 2 && wireType === 2) (out.logRecords as OtlpLogRecord[]).push(logRecord(reader.nested()));
    else return false;
    return true;
  });
  return out as OtlpScopeLogs;
}

function resourceLogs(reader: Reader): OtlpResourceLogs {
  const out: Record<string, unknown> = { scopeLogs: [] };
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) {
      const attributes: OtlpKeyValue[] = [];
      const nested = reader.nested();
      nested.fields((inner, innerType) => {
        if (inner !== 1 || innerType !== 2) return false;
        attributes.push(keyValue(nested.nested()));
        return true;
      });
      out.resource = { attributes };
    } else if (field === 2 && wireType === 2) (out.scopeLogs as OtlpScopeLogs[]).push(scopeLogs(reader.nested()));
    else return false;
    return true;
  });
  return out as OtlpResourceLogs;
}

/** Decodes an `ExportLogsServiceRequest`; throws ProtobufError when it is malformed. */
export function decodeLogsRequest(body: Buffer): OtlpLogsRequest {
  const reader = new Reader(body);
  const request: OtlpResourceLogs[] = [];
  reader.fields((field, wireType) => {
    if (field !== 1 || wireType !== 2) return false;
    request.push(resourceLogs(reader.nested()));
    return true;
  });
  return { resourceLogs: request };
}

/** An `ExportLogsServiceResponse`: empty, or with `partial_success { rejected_log_records, error_message }`. */
export function encodeLogsResponse(partial: { rejectedLogRecords: number; errorMessage: string } | undefined): Buffer {
  if (!partial) return Buffer.alloc(0);
  const message = Buffer.from(partial.errorMessage, 'utf8');
  const inner = Buffer.concat([Buffer.of(0x08), varint(partial.rejectedLogRecords), Buffer.of(0x12), varint(message.length), message]);
  return Buffer.concat([Buffer.of(0x0a), varint(inner.length), inner]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 0x80)) bytes.push((value % 0x80) | 0x80);
  bytes.push(value);
  return Buffer.from(bytes);
}
