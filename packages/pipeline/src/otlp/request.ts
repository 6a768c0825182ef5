import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { OtlpLogsRequest } from '@otel-cloud-logs/core';
import { decodeLogsRequestProtobuf } from './proto.ts';

const gunzipAsync = promisify(gunzip);

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

/** Reads the body, refusing (413) as soon as it passes `maxBytes`, and gunzips it (again within `maxBytes`). */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const contentEncoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
    throw new OtlpHttpError(415, `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}; send gzip or no encoding`);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks, length);
  if (contentEncoding === 'identity') return body;
  try {
    return await gunzipAsync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes, 'after decompression');
    throw new OtlpHttpError(400, `the body is not valid gzip: ${(error as Error).message}`);
  }
}

function tooLarge(maxBytes: number, when = ''): OtlpHttpError {
  return new OtlpHttpError(413, `the request body is larger than ${maxBytes} bytes${when ? ` ${when}` : ''} (max_request_body_size); send smaller batches`);
}

/** Parses an OTLP/JSON or OTLP/protobuf `ExportLogsServiceRequest` into the OTLP/JSON shape; 400 when malformed. */
export function parseLogsRequest(body: Buffer, encoding: OtlpEncoding): OtlpLogsRequest {
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

/** Checks the nesting of an OTLP/JSON request so that a malformed one is refused with the path of the problem. */
export function checkLogsRequestShape(request: OtlpLogsRequest): void {
  expectArray(request.resourceLogs, 'resourceLogs').forEach((resourceLogs, r) => {
    const rl = expectObject(resourceLogs, `resourceLogs[${r}]`);
    if (rl.resource !== undefined) expectArray(expectObject(rl.resource, `resourceLogs[${r}].resource`).attributes, `resourceLogs[${r}].resource.attributes`);
    expectArray(rl.scopeLogs, `resourceLogs[${r}].scopeLogs`).forEach((scopeLogs, s) => {
      const sl = expectObject(scopeLogs, `resourceLogs[${r}].scopeLogs[${s}]`);
      expectArray(sl.logRecords, `resourceLogs[${r}].scopeLogs[${s}].logRecords`).forEach((record, l) => {
        const path = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${l}]`;
        const lr = expectObject(record, path);
        expectArray(lr.attributes, `${path}.attributes`).forEach((kv, k) => {
          if (typeof expectObject(kv, `${path}.attributes[${k}]`).key !== 'string') throw new OtlpHttpError(400, `${path}.attributes[${k}].key must be a string`);
        });
        if (lr.body !== undefined && lr.body !== null) expectObject(lr.body, `${path}.body`);
      });
    });
  });
}

function isUnset(time: string | number | undefined): boolean {
  return time === undefined || time === null || time === '' || time === 0 || time === '0';
}

/**
 * Sets `observedTimeUnixNano` to the time of receipt on records that carry neither timestamp, as the log data
 * model asks of a collection system; otherwise they would count as 1970 and be dropped as too old.
 */
export function fillObservedTime(request: OtlpLogsRequest, receivedAtNanos: bigint): void {
  const now = receivedAtNanos.toString();
  for (const resourceLogs of request.resourceLogs ?? []) {
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        if (isUnset(record.timeUnixNano) && isUnset(record.observedTimeUnixNano)) record.observedTimeUnixNano = now;
      }
    }
  }
}
