import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { NetworkError, type Destination, type HttpResponse, type HttpTransport } from '@otel-cloud-logs/core';
import { secretScrubber } from '@otel-cloud-logs/core';
import { firstLine, headerValue, parseJson } from './client.ts';
import { CloudWatchServiceError } from './errors.ts';
import type { ResolvedAuth } from './otlp-config.ts';
import type { OtlpEncoding } from './otlp-frame.ts';
import type { CloudWatchSigner } from './sign.ts';

/** On libuv's thread pool: compressing a megabyte costs the application's thread nothing. */
const gzipAsync = promisify(gzip);

/** What a 2xx answer carried: `partialSuccess` (zero and undefined when everything was accepted). */
export interface OtlpPartialSuccess {
  readonly rejectedLogRecords: number;
  readonly errorMessage: string | undefined;
}

export interface OtlpRequest {
  readonly destination: Destination;
  /** The uncompressed body. */
  readonly body: Buffer;
  readonly truncatableFields?: string;
  readonly signal: AbortSignal;
  readonly timeoutMillis: number;
}

const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/**
 * Sends OTLP/HTTP log requests to CloudWatch's `/v1/logs`, with the group and stream in headers, SigV4-signed or
 * with a bearer token. Resolves with the partial success; rejects with `CloudWatchServiceError` for an error answer
 * or `NetworkError` when nothing usable came back.
 */
export class OtlpLogsClient {
  private readonly url: URL;
  private readonly auth: ResolvedAuth;
  private readonly signer: CloudWatchSigner | undefined;
  private readonly http: HttpTransport;
  private readonly encoding: OtlpEncoding;
  /** gzip level, or undefined to send bodies uncompressed. */
  private readonly compressionLevel: number | undefined;
  /** A request's compressed body, made once and sent unchanged on every retry. */
  private readonly compressed = new WeakMap<Buffer, Promise<Buffer>>();

  constructor(init: { url: URL; auth: ResolvedAuth; signer: CloudWatchSigner | undefined; http: HttpTransport; encoding: OtlpEncoding; compressionLevel: number | undefined }) {
    this.url = init.url;
    this.auth = init.auth;
    this.signer = init.signer;
    this.http = init.http;
    this.encoding = init.encoding;
    this.compressionLevel = init.compressionLevel;
  }

  async send(request: OtlpRequest): Promise<OtlpPartialSuccess> {
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[this.encoding],
      'x-aws-log-group': request.destination.logGroup,
      'x-aws-log-stream': request.destination.logStream,
      'user-agent': 'otel-cloud-logs/0.1',
    };
    if (request.truncatableFields) headers['x-aws-truncatable-fields'] = request.truncatableFields;
    let body = request.body;
    if (this.compressionLevel !== undefined) {
      headers['content-encoding'] = 'gzip';
      body = await this.compressedBody(body);
    }
    let sent = headers;
    let secrets: Array<string | undefined>;
    if (this.auth.type === 'bearer') {
      sent = { ...headers, authorization: `Bearer ${this.auth.token}` };
      secrets = [this.auth.token];
    } else {
      sent = await this.signer!.sign({ url: this.url, headers, body });
      secrets = [sent['x-amz-security-token'], /Signature=([0-9a-f]+)/.exec(sent['authorization'] ?? '')?.[1]];
    }
    const response = await this.http.request({
      url: this.url,
      method: 'POST',
      headers: sent,
      body,
      timeoutMillis: request.timeoutMillis,
      signal: request.signal,
      binaryResponse: true,
    });
    if (response.status >= 200 && response.status < 300) return partialSuccessOf(response);
    throw serviceError(response, secrets);
  }

  private compressedBody(body: Buffer): Promise<Buffer> {
    let compressed = this.compressed.get(body);
    if (!compressed) {
      compressed = gzipAsync(body, { level: this.compressionLevel });
      this.compressed.set(body, compressed);
    }
    return compressed;
  }
}

/** An error answer as a CloudWatchServiceError: AWS JSON (`__type`, `message`), `x-amzn-ErrorType`, or a protobuf `google.rpc.Status`. */
function serviceError(response: HttpResponse, secrets: ReadonlyArray<string | undefined>): Error {
  const parsed = parseJson(response.body) as { __type?: string; message?: string; Message?: string } | undefined;
  const status = isProtobuf(response) ? readStatus(response.bytes!) : undefined;
  const rawType = parsed?.__type ?? headerValue(response.headers['x-amzn-errortype']) ?? `HTTP${response.status}`;
  const type = secretScrubber.scrub(rawType.split('#').pop()!.split(':')[0]!);
  const text = parsed?.message ?? parsed?.Message ?? status?.message ?? (parsed === undefined && !isProtobuf(response) ? response.body : '');
  if (response.status >= 500 && parsed === undefined && status === undefined) {
    return new NetworkError(`PutOpenTelemetryLogs: HTTP ${response.status} with a body that is neither JSON nor protobuf`, `HTTP${response.status}`, undefined);
  }
  // An error answer can quote the request: scrubbed whole (the request's own secrets too), before anything is cut.
  return new CloudWatchServiceError(type, firstLine(secretScrubber.scrub(String(text), secrets)), response.status, headerValue(response.headers['retry-after']));
}

function isProtobuf(response: HttpResponse): boolean {
  return /protobuf/i.test(headerValue(response.headers['content-type']) ?? '') && response.bytes !== undefined;
}

/** `{"partialSuccess":{"rejectedLogRecords":N,"errorMessage":"…"}}` or its `ExportLogsServiceResponse` protobuf. */
function partialSuccessOf(response: HttpResponse): OtlpPartialSuccess {
  try {
    return readPartialSuccess(response);
  } catch {
    // The records were accepted (2xx); an unreadable answer only loses the count of refused ones.
    return { rejectedLogRecords: 0, errorMessage: undefined };
  }
}

function readPartialSuccess(response: HttpResponse): OtlpPartialSuccess {
  if (isProtobuf(response)) {
    let rejectedLogRecords = 0;
    let errorMessage: string | undefined;
    readFields(response.bytes!, (field, value) => {
      if (field !== 1 || typeof value === 'number') return;
      readFields(value, (inner, innerValue) => {
        if (inner === 1 && typeof innerValue === 'number') rejectedLogRecords = innerValue;
        if (inner === 2 && typeof innerValue !== 'number') errorMessage = innerValue.toString('utf8');
      });
    });
    return { rejectedLogRecords, errorMessage: errorMessage || undefined };
  }
  const parsed = parseJson(response.body) as { partialSuccess?: { rejectedLogRecords?: number | string; errorMessage?: string } } | undefined;
  const partial = parsed?.partialSuccess;
  return { rejectedLogRecords: Number(partial?.rejectedLogRecords ?? 0) || 0, errorMessage: partial?.errorMessage || undefined };
}

function readStatus(bytes: Buffer): { message?: string } | undefined {
  let message: string | undefined;
  try {
    readFields(bytes, (field, value) => {
      if (field === 2 && typeof value !== 'number') message = value.toString('utf8');
    });
  } catch {
    return undefined;
  }
  return message === undefined ? undefined : { message };
}

/** Calls `onField` for each varint or length-delimited field of a protobuf message (others are skipped). */
function readFields(bytes: Buffer, onField: (field: number, value: number | Buffer) => void): void {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new RangeError('truncated protobuf varint');
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new RangeError('protobuf varint too long');
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        onField(field, varint());
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (at + length > bytes.length) throw new RangeError('protobuf field runs past the message');
        onField(field, bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new RangeError(`unsupported protobuf wire type ${key & 7}`);
    }
  }
}
