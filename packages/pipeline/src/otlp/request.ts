import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, zstdDecompress, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { logEntriesFromOtlpJson, type LogEntry, type OtlpLogsRequest } from '@otel-cloud-logs/core';
import { decodeLogsRequestProtobuf } from './proto.ts';

// The encodings OTel SDKs and the Collector's otlphttp exporter send (snappy and lz4 are not supported).
const DECOMPRESSORS: Readonly<Record<string, (body: Buffer, options: ZlibOptions) => Promise<Buffer>>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  zstd: promisify(zstdDecompress) as (body: Buffer, options: ZlibOptions) => Promise<Buffer>,
};

export type OtlpEncoding = 'json' | 'protobuf';

/** A request the gateway refuses, with the HTTP status that says why. */
export class OtlpHttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'OtlpHttpError';
    this.status = status;
  }
}

/** The body encoding from Content-Type, or undefined when it is neither OTLP/JSON nor OTLP/protobuf. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  return undefined;
}

/**
 * Reads the body, refusing (413) as soon as it passes `maxBytes`, and decompresses it (gzip, deflate or zstd;
 * again within `maxBytes`).
 * `reserve` is told of every byte held (read, then decompressed) and throws to refuse the request.
 */
export async function readRequestBody(request: IncomingMessage, maxBytes: number, reserve: (bytes: number) => void = () => {}): Promise<Buffer> {
  const contentEncoding = (request.headers['content-encoding'] || 'identity').trim().toLowerCase();
  const decompress = contentEncoding === 'identity' ? undefined : DECOMPRESSORS[contentEncoding];
  if (contentEncoding !== 'identity' && !decompress) {
    throw new OtlpHttpError(415, `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}; send gzip, deflate, zstd or no encoding`);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const body = await collectBody(request, (chunk, length) => {
    if (length > maxBytes) throw tooLarge(maxBytes);
    reserve(chunk.length);
  });
  if (!decompress) return body;
  let decompressed: Buffer;
  try {
    decompressed = await decompress(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes, 'after decompression');
    throw new OtlpHttpError(400, `the body is not valid ${contentEncoding}: ${(error as Error).message}`);
  }
  reserve(decompressed.length);
  return decompressed;
}

/**
 * Collects the body chunk by chunk; when `check` throws, it stops reading and rejects with that error, leaving
 * the rest of the body for the gateway to discard before it answers (see `answerAfterBody`).
 */
function collectBody(request: IncomingMessage, check: (chunk: Buffer, length: number) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      try {
        check(chunk, length);
      } catch (error) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        reject(error);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, length));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
    // A client that goes away mid-body: without this the caller would wait (and hold its bytes) forever.
    request.once('close', () => reject(new OtlpHttpError(400, 'the client closed the connection before the body was complete')));
  });
}

function tooLarge(maxBytes: number, when = ''): OtlpHttpError {
  return new OtlpHttpError(413, `the request body is larger than ${maxBytes} bytes${when ? ` ${when}` : ''} (max_request_body_size); send smaller batches`);
}

/** Parses an OTLP/JSON or OTLP/protobuf `ExportLogsServiceRequest` into the OTLP/JSON shape; 400 when malformed. */
function parseLogsRequest(body: Buffer, encoding: OtlpEncoding): OtlpLogsRequest {
  if (encoding === 'protobuf') {
    try {
      return decodeLogsRequestProtobuf(body);
    } catch (error) {
      throw new OtlpHttpError(400, `the body is not a valid protobuf ExportLogsServiceRequest: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new OtlpHttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OtlpHttpError(400, 'the body must be a JSON object with resourceLogs (an OTLP ExportLogsServiceRequest)');
  }
  return parsed as OtlpLogsRequest;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpHttpError(400, `${path} must be an array`);
  return value;
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OtlpHttpError(400, `${path} must be an object`);
  return value as Record<string, unknown>;
}

/** OTLP/JSON carries ids as hex (not base64 as protobuf JSON mapping would); an empty id means none. */
function expectHexId(value: unknown, digits: number, path: string): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string' || value.length !== digits || !/^[0-9a-fA-F]+$/.test(value)) {
    throw new OtlpHttpError(400, `${path} must be ${digits} hex digits (${digits / 2} bytes)`);
  }
}

/** Checks the nesting of an OTLP/JSON request so that a malformed one is refused with the path of the problem. */
function checkLogsRequestShape(request: OtlpLogsRequest): void {
  expectArray(request.resourceLogs, 'resourceLogs').forEach((resourceLogs, r) => {
    const rl = expectObject(resourceLogs, `resourceLogs[${r}]`);
    if (rl.resource !== undefined) checkKeyValues(expectObject(rl.resource, `resourceLogs[${r}].resource`).attributes, `resourceLogs[${r}].resource.attributes`);
    expectArray(rl.scopeLogs, `resourceLogs[${r}].scopeLogs`).forEach((scopeLogs, s) => {
      const sl = expectObject(scopeLogs, `resourceLogs[${r}].scopeLogs[${s}]`);
      expectArray(sl.logRecords, `resourceLogs[${r}].scopeLogs[${s}].logRecords`).forEach((record, l) => {
        const path = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${l}]`;
        const lr = expectObject(record, path);
        checkKeyValues(lr.attributes, `${path}.attributes`);
        if (lr.body !== undefined && lr.body !== null) checkAnyValue(lr.body, `${path}.body`);
        expectHexId(lr.traceId, 32, `${path}.traceId`);
        expectHexId(lr.spanId, 16, `${path}.spanId`);
      });
    });
  });
}

function checkKeyValues(list: unknown, path: string): void {
  expectArray(list, path).forEach((kv, k) => {
    const pair = expectObject(kv, `${path}[${k}]`);
    if (typeof pair.key !== 'string') throw new OtlpHttpError(400, `${path}[${k}].key must be a string`);
    if (pair.value !== undefined && pair.value !== null) checkAnyValue(pair.value, `${path}[${k}].value`);
  });
}

const INTEGER = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** An OTLP/JSON AnyValue: int64 as an integer or its decimal string, bytes as base64, nested lists and maps. */
function checkAnyValue(value: unknown, path: string): void {
  const any = expectObject(value, path);
  if (any.intValue !== undefined && !(Number.isSafeInteger(any.intValue) || (typeof any.intValue === 'string' && INTEGER.test(any.intValue)))) {
    throw new OtlpHttpError(400, `${path}.intValue must be an integer (int64 as a decimal string)`);
  }
  // Proto3 JSON accepts a double as a number or a string ("1.5", "NaN", "Infinity").
  if (any.doubleValue !== undefined && typeof any.doubleValue !== 'number' && !(typeof any.doubleValue === 'string' && (any.doubleValue === 'NaN' || !Number.isNaN(Number(any.doubleValue))))) {
    throw new OtlpHttpError(400, `${path}.doubleValue must be a number`);
  }
  if (any.bytesValue !== undefined && !(typeof any.bytesValue === 'string' && BASE64.test(any.bytesValue))) {
    throw new OtlpHttpError(400, `${path}.bytesValue must be base64`);
  }
  if (any.arrayValue !== undefined) {
    expectArray(expectObject(any.arrayValue, `${path}.arrayValue`).values, `${path}.arrayValue.values`).forEach((item, i) => checkAnyValue(item, `${path}.arrayValue.values[${i}]`));
  }
  if (any.kvlistValue !== undefined) checkKeyValues(expectObject(any.kvlistValue, `${path}.kvlistValue`).values, `${path}.kvlistValue.values`);
}

function isUnset(time: string | number | undefined): boolean {
  return time === undefined || time === null || time === '' || time === 0 || time === '0';
}

/**
 * Sets `observedTimeUnixNano` to the time of receipt on records that carry neither timestamp, as the log data
 * model asks of a collection system; otherwise they would count as 1970 and be dropped as too old.
 */
function fillObservedTime(request: OtlpLogsRequest, receivedAtNanos: bigint): void {
  const now = receivedAtNanos.toString();
  for (const resourceLogs of request.resourceLogs ?? []) {
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        if (isUnset(record.timeUnixNano) && isUnset(record.observedTimeUnixNano)) record.observedTimeUnixNano = now;
      }
    }
  }
}

/**
 * Decodes a request body into entries: parsed, its shape checked, untimed records given the time of receipt.
 * The decoded tree lives only in here, so that it can be collected while the entries are routed.
 */
export function decodeLogEntries(body: Buffer, encoding: OtlpEncoding, receivedAtNanos: bigint): LogEntry[] {
  const otlp = parseLogsRequest(body, encoding);
  checkLogsRequestShape(otlp);
  fillObservedTime(otlp, receivedAtNanos);
  try {
    return logEntriesFromOtlpJson(otlp);
  } catch (error) {
    throw new OtlpHttpError(400, `invalid log record: ${(error as Error).message}`);
  }
}
