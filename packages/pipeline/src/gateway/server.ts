import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logEntriesFromOtlpJson, type LogEntry } from '@otel-cloud-logs/core';
import { encodeLogsResponseProtobuf, encodeStatusProtobuf } from '../otlp/proto.ts';
import { checkLogsRequestShape, encodingOf, fillObservedTime, OtlpHttpError, parseLogsRequest, readRequestBody, type OtlpEncoding } from '../otlp/request.ts';
import type { LogPipeline, PipelineStats } from '../pipeline.ts';
import type { ExporterSink } from '../sink.ts';
import { renderPrometheus, type GatewayMetrics } from './metrics.ts';

export const DEFAULT_MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024;

export interface ReceiverOptions {
  /** As in the configuration, e.g. `otlp` or `otlp/internal`. */
  readonly name: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest body accepted, compressed and after decompression. Default 20 MiB. */
  readonly maxRequestBodyBytes?: number;
  /** Every record received goes through each of these pipelines. */
  readonly pipelines: readonly LogPipeline[];
}

export interface BackpressureOptions {
  /** Refuse requests with 429 once any exporter queue of the receiver's pipelines is this full (0-1). Default 0.8. */
  readonly queueFillThreshold?: number;
  /** Sent as `Retry-After` with 429 and 503 answers. Default 5 s. */
  readonly retryAfterSeconds?: number;
}

export interface GatewayOptions {
  readonly receivers: readonly ReceiverOptions[];
  /** Every exporter of every pipeline: served on /metrics and shut down by `stop()`. */
  readonly sinks: readonly ExporterSink[];
  readonly backpressure?: BackpressureOptions;
  /** Longest time `stop()` spends draining. Default 30,000 ms. */
  readonly shutdownTimeoutMillis?: number;
}

export interface StopReport {
  /** True when every queued record was delivered (or refused by the service) before the deadline. */
  readonly complete: boolean;
  readonly undeliveredRecords: number;
}

// google.rpc.Code values for the OTLP error body.
const RPC_CODE: Readonly<Record<number, number>> = { 400: 3, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 503: 14 };

interface Listener {
  readonly options: ReceiverOptions;
  readonly server: Server;
  readonly sinks: readonly ExporterSink[];
}

/**
 * The OTLP/HTTP gateway: `POST /v1/logs` (JSON or protobuf, gzip or not) into the pipelines, `GET /healthz`,
 * and `GET /metrics` (Prometheus text; JSON with `?format=json` or `Accept: application/json`).
 */
export class Gateway {
  private readonly options: GatewayOptions;
  private readonly listeners: Listener[] = [];
  private readonly queueFillThreshold: number;
  private readonly retryAfterSeconds: number;
  private readonly responses = new Map<string, number>();
  private receivedRecords = 0;
  private rejectedRecords = 0;
  private draining = false;
  private stopPromise: Promise<StopReport> | undefined;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.queueFillThreshold = options.backpressure?.queueFillThreshold ?? 0.8;
    this.retryAfterSeconds = options.backpressure?.retryAfterSeconds ?? 5;
    if (!(this.queueFillThreshold > 0 && this.queueFillThreshold <= 1)) throw new RangeError('backpressure.queueFillThreshold must be in (0, 1]');
    if (options.receivers.length === 0) throw new TypeError('the gateway needs at least one receiver');
  }

  /** Starts every receiver and returns their base URLs (e.g. http://127.0.0.1:4318). */
  async start(): Promise<string[]> {
    for (const receiver of this.options.receivers) {
      const server = createServer((request, response) => void this.onRequest(listener, request, response));
      const listener: Listener = { options: receiver, server, sinks: [...new Set(receiver.pipelines.flatMap((pipeline) => pipeline.sinks()))] };
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(receiver.port, receiver.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.listeners.push(listener);
    }
    return this.urls;
  }

  get urls(): string[] {
    return this.listeners.map(({ server }) => {
      const address = server.address() as AddressInfo;
      return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    });
  }

  metrics(): GatewayMetrics {
    const pipelines: Record<string, PipelineStats> = {};
    for (const receiver of this.options.receivers) for (const pipeline of receiver.pipelines) pipelines[pipeline.name] = pipeline.stats();
    return {
      exporters: Object.fromEntries(this.options.sinks.map((sink) => [sink.name, sink.metrics()])),
      pipelines,
      gateway: { responses: Object.fromEntries(this.responses), receivedRecords: this.receivedRecords, rejectedRecords: this.rejectedRecords },
    };
  }

  /** Stops accepting (new requests get 503), drains every exporter within the deadline, and shuts them down. */
  stop(): Promise<StopReport> {
    this.stopPromise ??= this.drain();
    return this.stopPromise;
  }

  private async drain(): Promise<StopReport> {
    this.draining = true;
    const deadline = Date.now() + (this.options.shutdownTimeoutMillis ?? 30_000);
    await Promise.all(
      this.listeners.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            const force = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
            server.close(() => {
              clearTimeout(force);
              resolve();
            });
            server.closeIdleConnections();
          }),
      ),
    );
    const reports = await Promise.all(this.options.sinks.map((sink) => sink.flush(Math.max(1, deadline - Date.now()))));
    const complete = reports.every((report) => report.complete);
    const shutdown = Promise.all(this.options.sinks.map((sink) => sink.shutdown()));
    // When the deadline already passed, give the exporters a moment to count what they give up, then stop waiting.
    if (complete) await shutdown;
    else await Promise.race([shutdown, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    return { complete, undeliveredRecords: reports.reduce((sum, report) => sum + report.undeliveredRecords, 0) };
  }

  private async onRequest(listener: Listener, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname === '/healthz' && request.method === 'GET') {
      sendJson(response, this.draining ? 503 : 200, { status: this.draining ? 'draining' : 'ok' });
      return;
    }
    if (url.pathname === '/metrics' && request.method === 'GET') {
      const wantsJson = url.searchParams.get('format') === 'json' || (request.headers.accept ?? '').includes('application/json');
      if (wantsJson) sendJson(response, 200, this.metrics());
      else send(response, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, renderPrometheus(this.metrics()));
      return;
    }
    if (url.pathname !== '/v1/logs') {
      this.fail(response, 'json', new OtlpHttpError(404, `no such path ${url.pathname}; OTLP logs go to POST /v1/logs`));
      return;
    }
    if (request.method !== 'POST') {
      this.fail(response, 'json', new OtlpHttpError(405, 'use POST for /v1/logs'), { allow: 'POST' });
      return;
    }
    const encoding = encodingOf(request.headers['content-type']);
    if (!encoding) {
      this.fail(response, 'json', new OtlpHttpError(415, `unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/json or application/x-protobuf`));
      return;
    }
    if (this.draining) {
      this.fail(response, encoding, new OtlpHttpError(503, 'the gateway is shutting down; retry against another replica'), {
        'retry-after': String(this.retryAfterSeconds),
        connection: 'close',
      });
      return;
    }
    const full = listener.sinks.find((sink) => sink.queueFill() >= this.queueFillThreshold);
    if (full) {
      this.fail(response, encoding, new OtlpHttpError(429, `exporter ${full.name} is behind (queue over ${Math.round(this.queueFillThreshold * 100)} %); retry later`), {
        'retry-after': String(this.retryAfterSeconds),
      });
      return;
    }
    let entries: LogEntry[];
    try {
      const body = await readRequestBody(request, listener.options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES);
      const otlp = parseLogsRequest(body, encoding);
      checkLogsRequestShape(otlp);
      fillObservedTime(otlp, BigInt(Date.now()) * 1_000_000n);
      try {
        entries = logEntriesFromOtlpJson(otlp);
      } catch (error) {
        throw new OtlpHttpError(400, `invalid log record: ${(error as Error).message}`);
      }
    } catch (error) {
      const failure = error instanceof OtlpHttpError ? error : new OtlpHttpError(400, (error as Error).message);
      this.fail(response, encoding, failure, failure.status === 413 ? { connection: 'close' } : {});
      return;
    }
    this.accept(response, encoding, entries, listener.options.pipelines);
  }

  private accept(response: ServerResponse, encoding: OtlpEncoding, entries: readonly LogEntry[], pipelines: readonly LogPipeline[]): void {
    const rejectedBy = new Map<string, number>();
    let rejected = 0;
    for (const entry of entries) {
      let queued = false;
      const reasons: string[] = [];
      for (const pipeline of pipelines) {
        const verdict = pipeline.process(entry);
        if (verdict.status === 'queued') queued = true;
        else reasons.push(verdict.reason);
      }
      if (queued) continue;
      rejected++;
      for (const reason of new Set(reasons)) rejectedBy.set(reason, (rejectedBy.get(reason) ?? 0) + 1);
    }
    this.receivedRecords += entries.length;
    this.rejectedRecords += rejected;
    this.count(200);
    const partialSuccess = rejected > 0 ? { rejectedLogRecords: rejected, errorMessage: describeRejections(rejected, rejectedBy) } : undefined;
    if (encoding === 'protobuf') {
      send(response, 200, { 'content-type': 'application/x-protobuf' }, Buffer.from(encodeLogsResponseProtobuf(partialSuccess)));
    } else {
      sendJson(response, 200, partialSuccess ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: partialSuccess.errorMessage } } : {});
    }
  }

  private fail(response: ServerResponse, encoding: OtlpEncoding, error: OtlpHttpError, headers: Record<string, string> = {}): void {
    this.count(error.status);
    const code = RPC_CODE[error.status] ?? 2;
    if (encoding === 'protobuf') {
      send(response, error.status, { ...headers, 'content-type': 'application/x-protobuf' }, Buffer.from(encodeStatusProtobuf(code, error.message)));
    } else {
      sendJson(response, error.status, { code, message: error.message }, headers);
    }
  }

  private count(status: number): void {
    const key = String(status);
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1);
  }
}

function describeRejections(rejected: number, byReason: ReadonlyMap<string, number>): string {
  const parts = [...byReason].map(([reason, count]) => {
    if (reason === 'refused') return `${count} refused by every exporter they were routed to (invalid for the destination, outside the time window or queue full; see /metrics)`;
    if (reason === 'no_route') return `${count} matched no route`;
    if (reason === 'shutdown') return `${count} arrived during shutdown`;
    return `${count} dropped by processor ${reason}`;
  });
  return `${rejected} log record(s) not accepted: ${parts.join('; ')}`;
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(response, status, { ...headers, 'content-type': 'application/json' }, JSON.stringify(body));
}
