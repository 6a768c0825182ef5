import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ProblemReporter, type LogEntry } from '@otel-cloud-logs/core';
import { estimateDecodedBytes } from '../otlp/decoded-size.ts';
import { encodeLogsResponseProtobuf, encodeStatusProtobuf } from '../otlp/proto.ts';
import { decodeLogEntries, encodingOf, OtlpHttpError, readRequestBody, type OtlpEncoding } from '../otlp/request.ts';
import type { LogPipeline, PipelineStats, RoutedRecord } from '../pipeline.ts';
import type { ExporterSink } from '../sink.ts';
import { InflightBudget } from './budget.ts';
import { renderPrometheus, type GatewayMetrics } from './metrics.ts';
import { answerAfterBody, send, sendJson } from './respond.ts';
import { httpsServerOptions, isLoopbackAddress } from './tls.ts';
import { DEFAULT_MAX_INFLIGHT_BYTES, DEFAULT_MAX_REQUEST_BODY_BYTES, type GatewayOptions, type ReceiverOptions } from './options.ts';
import { serveStatusPage } from './status-page.ts';

export { DEFAULT_MAX_INFLIGHT_BYTES, DEFAULT_MAX_REQUEST_BODY_BYTES, type BackpressureOptions, type GatewayOptions, type ReceiverOptions } from './options.ts';

export interface StopReport {
  /** True when every queued record was delivered (or refused by the service) before the deadline. */
  readonly complete: boolean;
  readonly undeliveredRecords: number;
}

// google.rpc.Code values for the OTLP error body.
const RPC_CODE: Readonly<Record<number, number>> = { 400: 3, 401: 16, 404: 5, 405: 12, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14 };

interface Listener {
  readonly options: ReceiverOptions;
  readonly server: Server;
  readonly sinks: readonly ExporterSink[];
}

/**
 * The OTLP/HTTP gateway: `POST /v1/logs` (JSON or protobuf; gzip, deflate, zstd or not) into the pipelines, `GET /healthz`,
 * `GET /metrics` (Prometheus text; JSON with `?format=json` or `Accept: application/json`), and the status page at `GET /`.
 */
export class Gateway {
  private readonly options: GatewayOptions;
  private readonly listeners: Listener[] = [];
  private readonly queueFillThreshold: number;
  private readonly retryAfterSeconds: number;
  private readonly budget: InflightBudget;
  private readonly problems = new ProblemReporter('@otel-cloud-logs/pipeline gateway');
  private readonly responses = new Map<string, number>();
  private readonly requests = new Map<string, number>();
  private receivedRecords = 0;
  private rejectedRecords = 0;
  private draining = false;
  private stopPromise: Promise<StopReport> | undefined;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.queueFillThreshold = options.backpressure?.queueFillThreshold ?? 0.8;
    this.retryAfterSeconds = options.backpressure?.retryAfterSeconds ?? 5;
    this.budget = new InflightBudget(options.backpressure?.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES);
    if (!(this.queueFillThreshold > 0 && this.queueFillThreshold <= 1)) throw new RangeError('backpressure.queueFillThreshold must be in (0, 1]');
    if (options.receivers.length === 0) throw new TypeError('the gateway needs at least one receiver');
  }

  /** Starts every receiver and returns their base URLs (e.g. http://127.0.0.1:4318). */
  async start(): Promise<string[]> {
    for (const extension of this.options.extensions ?? []) await extension.start?.();
    for (const receiver of this.options.receivers) {
      const handler = (request: IncomingMessage, response: ServerResponse) => {
        // A bug must cost one request a 500, not the whole gateway an unhandled rejection.
        this.onRequest(listener, request, response).catch((error: unknown) => {
          this.problems.error('request', `unexpected error on ${request.method} ${request.url}: ${(error as Error).message}`);
          if (response.headersSent) response.destroy();
          else this.fail(request, response, 'json', new OtlpHttpError(500, 'internal error in the gateway; see its log'), { connection: 'close' });
        });
      };
      const server = receiver.tls ? createHttpsServer(httpsServerOptions(receiver.tls), handler) : createServer(handler);
      // A client without an accepted certificate (mutual TLS), or speaking plain HTTP: say so once in a while.
      server.on('tlsClientError', (error: Error) => this.problems.warn(`tls:${receiver.name}`, `receiver ${receiver.name}: a TLS handshake failed: ${error.message}`));
      const listener: Listener = { options: receiver, server, sinks: [...new Set(receiver.pipelines.flatMap((pipeline) => pipeline.sinks()))] };
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(receiver.port, receiver.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.listeners.push(listener);
      this.warnIfExposed(listener);
    }
    return this.urls;
  }

  get urls(): string[] {
    return this.listeners.map(({ server, options }) => {
      const address = server.address() as AddressInfo;
      return `${options.tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    });
  }

  /** Plain HTTP or no authentication is fine on loopback; on any other address, say loudly what that exposes. */
  private warnIfExposed({ server, options }: Listener): void {
    const { address, port } = server.address() as AddressInfo;
    if (isLoopbackAddress(address) || (options.tls && options.auth)) return;
    const missing = [options.tls ? undefined : 'TLS (anyone on the network can read the logs and any token in transit)', options.auth ? undefined : 'authentication (anyone who can reach it can send logs and read /metrics)']
      .filter((part) => part !== undefined)
      .join(' and without ');
    this.problems.warn(
      `exposed:${options.name}`,
      `WARNING: receiver ${options.name} listens on ${address}:${port}, beyond this host, without ${missing}; set protocols.http.tls { cert_file, key_file } and protocols.http.auth { authenticator: bearertokenauth }, or listen on 127.0.0.1`,
    );
  }

  metrics(): GatewayMetrics {
    const pipelines: Record<string, PipelineStats> = {};
    for (const receiver of this.options.receivers) for (const pipeline of receiver.pipelines) pipelines[pipeline.name] = pipeline.stats();
    return {
      exporters: Object.fromEntries(this.options.sinks.map((sink) => [sink.name, sink.metrics()])),
      pipelines,
      gateway: {
        responses: Object.fromEntries(this.responses),
        requests: Object.fromEntries(this.requests),
        receivedRecords: this.receivedRecords,
        rejectedRecords: this.rejectedRecords,
        inflightBytes: this.budget.heldBytes,
        peakInflightBytes: this.budget.peakBytes,
      },
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
            // Keep-alive connections whose request was in flight become idle only later; close them as soon as
            // they do, rather than wait for their keep-alive timeout while the drain deadline runs.
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            server.close(() => {
              clearTimeout(force);
              clearInterval(sweep);
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
    for (const extension of this.options.extensions ?? []) await extension.shutdown?.();
    return { complete, undeliveredRecords: reports.reduce((sum, report) => sum + report.undeliveredRecords, 0) };
  }

  private async onRequest(listener: Listener, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.draining) response.setHeader('connection', 'close');
    const url = new URL(request.url ?? '/', 'http://gateway');
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    if (url.pathname === '/healthz' && isRead) {
      sendJson(response, this.draining ? 503 : 200, { status: this.draining ? 'draining' : 'ok' });
      return;
    }
    const encoding = url.pathname === '/v1/logs' ? (encodingOf(request.headers['content-type']) ?? 'json') : 'json';
    const auth = listener.options.auth;
    const authFailure = auth?.authenticate(request.headers);
    if (auth && authFailure) {
      // RFC 6750: no error code when no credentials came, invalid_token when they did not match.
      const challenge = `${auth.challengeScheme} realm="otel-cloud-logs"${authFailure === 'invalid' ? ', error="invalid_token"' : ''}`;
      const message = authFailure === 'missing' ? `send Authorization: ${auth.challengeScheme} <token>` : 'the token is not accepted';
      this.fail(request, response, encoding, new OtlpHttpError(401, `unauthenticated: ${message}`), { 'www-authenticate': challenge });
      return;
    }
    if (url.pathname === '/metrics' && isRead) {
      const wantsJson = url.searchParams.get('format') === 'json' || (request.headers.accept ?? '').includes('application/json');
      if (wantsJson) sendJson(response, 200, this.metrics());
      else send(response, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, renderPrometheus(this.metrics()));
      return;
    }
    if (isRead && serveStatusPage(url, response, { options: this.options, metrics: () => this.metrics(), urls: () => this.urls })) return;
    if (url.pathname !== '/v1/logs') {
      this.fail(request, response, 'json', new OtlpHttpError(404, `no such path ${url.pathname}; OTLP logs go to POST /v1/logs`));
      return;
    }
    if (request.method !== 'POST') {
      this.fail(request, response, 'json', new OtlpHttpError(405, 'use POST for /v1/logs'), { allow: 'POST' });
      return;
    }
    if (!encodingOf(request.headers['content-type'])) {
      this.fail(request, response, 'json', new OtlpHttpError(415, `unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/json or application/x-protobuf`));
      return;
    }
    if (this.draining) {
      this.fail(request, response, encoding, new OtlpHttpError(503, 'the gateway is shutting down; retry against another replica'), {
        'retry-after': String(this.retryAfterSeconds),
        connection: 'close',
      });
      return;
    }
    // Every exporter behind: no need to read the body to know the answer.
    if (listener.sinks.every((sink) => this.isBehind(sink))) {
      this.refuseBehind(request, response, encoding, listener.sinks[0]!);
      return;
    }
    const share = this.budget.open();
    try {
      let entries: LogEntry[];
      try {
        const body = await readRequestBody(request, listener.options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES, (bytes) => share.reserve(bytes, 'read'));
        this.countRequest(encoding, request.headers['content-encoding']);
        // Before decoding: the decoded objects, not the body bytes, are what a request of many small ones costs.
        share.reserve(estimateDecodedBytes(body, encoding), 'decoded');
        entries = decodeLogEntries(body, encoding, BigInt(Date.now()) * 1_000_000n);
      } catch (error) {
        const failure = error instanceof OtlpHttpError ? error : new OtlpHttpError(400, (error as Error).message);
        this.fail(request, response, encoding, failure, failure.status === 429 ? { 'retry-after': String(this.retryAfterSeconds) } : {});
        return;
      }
      this.accept(request, response, encoding, entries, listener.options.pipelines);
    } finally {
      share.release();
    }
  }

  private isBehind(sink: ExporterSink): boolean {
    return sink.queueFill() >= this.queueFillThreshold;
  }

  private refuseBehind(request: IncomingMessage, response: ServerResponse, encoding: OtlpEncoding, sink: ExporterSink): void {
    this.fail(request, response, encoding, new OtlpHttpError(429, `exporter ${sink.name} is behind (queue over ${Math.round(this.queueFillThreshold * 100)} %); retry later`), {
      'retry-after': String(this.retryAfterSeconds),
    });
  }

  /**
   * Routes every record first: when one of them is headed for an exporter that is behind, the whole request is
   * refused (429) before anything is queued, so the client's retry does not duplicate the rest. Otherwise every
   * record is queued and those not accepted are reported as a partial success.
   */
  private accept(request: IncomingMessage, response: ServerResponse, encoding: OtlpEncoding, entries: readonly LogEntry[], pipelines: readonly LogPipeline[]): void {
    const routed: { pipeline: LogPipeline; records: RoutedRecord[] }[] = pipelines.map((pipeline) => ({ pipeline, records: entries.map((entry) => pipeline.route(entry)) }));
    const targets = new Set(routed.flatMap(({ records }) => records.flatMap((record) => record.sinks)));
    const behind = [...targets].find((sink) => this.isBehind(sink));
    if (behind) {
      this.refuseBehind(request, response, encoding, behind);
      return;
    }
    const rejectedBy = new Map<string, number>();
    let rejected = 0;
    for (let i = 0; i < entries.length; i++) {
      let queued = false;
      const reasons = new Set<string>();
      for (const { pipeline, records } of routed) {
        const verdict = pipeline.deliver(records[i]!);
        if (verdict.status === 'queued') queued = true;
        else reasons.add(verdict.reason);
      }
      if (queued) continue;
      rejected++;
      for (const reason of reasons) rejectedBy.set(reason, (rejectedBy.get(reason) ?? 0) + 1);
    }
    this.receivedRecords += entries.length;
    this.rejectedRecords += rejected;
    // With durable queues, the client hears 2xx only once its records are in their files: after a kill, every
    // record of an acknowledged request is still delivered.
    void Promise.all([...targets].map((sink) => sink.durable())).then(
      () => this.acknowledge(response, encoding, rejected, rejectedBy),
      (error: unknown) => this.fail(request, response, encoding, new OtlpHttpError(503, `the durable queue cannot be written: ${(error as Error).message}; retry later`)),
    );
  }

  private acknowledge(response: ServerResponse, encoding: OtlpEncoding, rejected: number, rejectedBy: ReadonlyMap<string, number>): void {
    this.count(200);
    const partialSuccess = rejected > 0 ? { rejectedLogRecords: rejected, errorMessage: describeRejections(rejected, rejectedBy) } : undefined;
    if (encoding === 'protobuf') {
      send(response, 200, { 'content-type': 'application/x-protobuf' }, Buffer.from(encodeLogsResponseProtobuf(partialSuccess)));
    } else {
      sendJson(response, 200, partialSuccess ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: partialSuccess.errorMessage } } : {});
    }
  }

  /** Answers with an OTLP error (a `google.rpc.Status`), once the client has sent its whole body (see `answerAfterBody`). */
  private fail(request: IncomingMessage, response: ServerResponse, encoding: OtlpEncoding, error: OtlpHttpError, headers: Record<string, string> = {}): void {
    this.count(error.status);
    const code = RPC_CODE[error.status] ?? 2;
    answerAfterBody(request, (closeAfter) => {
      const all = closeAfter ? { ...headers, connection: 'close' } : headers;
      if (encoding === 'protobuf') send(response, error.status, { ...all, 'content-type': 'application/x-protobuf' }, Buffer.from(encodeStatusProtobuf(code, error.message)));
      else sendJson(response, error.status, { code, message: error.message }, all);
    });
  }

  private countRequest(encoding: OtlpEncoding, contentEncoding: string | undefined): void {
    const compression = (contentEncoding ?? 'identity').trim().toLowerCase();
    const key = compression === 'identity' ? encoding : `${encoding}+${compression}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
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
