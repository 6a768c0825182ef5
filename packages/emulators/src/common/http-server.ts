import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { FaultInjector, type AnsweringFaultKind, type FaultRule } from './faults.ts';
import type { EmulatorRequest, EmulatorResponse } from './exchange.ts';
import type { ExchangeObserver, ObservedExchange } from './observer.ts';

/** A request as the emulators see it: the raw body is kept because signatures are computed over it. */
export type { EmulatorRequest, EmulatorResponse } from './exchange.ts';

export interface EmulatorHandler {
  /** The operation name used for fault matching (e.g. 'PutLogEvents'), from the request alone. */
  operationOf(request: EmulatorRequest): string;
  /** The answer of an injected throttle / unavailable / internal / echo fault to `operation`, in the provider's format. */
  faultResponse(kind: AnsweringFaultKind, rule: FaultRule, request: EmulatorRequest, operation: string): EmulatorResponse;
  handle(request: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse>;
}

export interface ListenOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

/**
 * The HTTP side every emulator shares: a real `node:http` server on loopback, request bodies read whole
 * (gzip decoded when `Content-Encoding: gzip`), fault injection before the provider logic runs.
 */
export class EmulatorHttpServer {
  readonly faults = new FaultInjector();
  private readonly handler: EmulatorHandler;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Requests received, by operation (faulted ones included). */
  readonly requestCounts = new Map<string, number>();

  /** Told about every answered request (the web console's charts); unset, nothing is computed. */
  observer: ExchangeObserver | undefined;

  /** Larger request bodies are answered 413 and not kept, so a runaway client cannot exhaust memory. */
  readonly maxBodyBytes: number;

  constructor(handler: EmulatorHandler, maxBodyBytes = 64 * 1024 * 1024) {
    this.handler = handler;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Starts listening and returns the base URL, e.g. http://127.0.0.1:40123 */
  async listen(options: ListenOptions = {}): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.url;
  }

  get url(): string {
    if (!this.server) throw new Error('emulator is not listening; call listen() first');
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of req) {
        received += (chunk as Buffer).length;
        // Past the limit the rest is read and discarded, so the client still gets the answer.
        if (received <= this.maxBodyBytes) chunks.push(chunk as Buffer);
      }
      if (received > this.maxBodyBytes) {
        send(res, { status: 413, body: { message: `request body of ${received} bytes is over the emulator's ${this.maxBodyBytes} byte limit` } });
        return;
      }
      const rawBody = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const body = headers['content-encoding']?.toLowerCase() === 'gzip' ? gunzipSync(rawBody) : rawBody;
      const url = new URL(req.url ?? '/', 'http://emulator');
      const request: EmulatorRequest = { method: req.method ?? 'GET', url: req.url ?? '/', path: url.pathname, query: url.searchParams, headers, body, rawBody };
      const operation = this.handler.operationOf(request);
      this.requestCounts.set(operation, (this.requestCounts.get(operation) ?? 0) + 1);
      const { delay, fault } = this.faults.next(operation);
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay.delayMillis ?? 1_000));
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        this.notify({ operation, request, fault: 'reset' });
        return;
      }
      const response = fault ? this.handler.faultResponse(fault.kind as AnsweringFaultKind, fault, request, operation) : await this.handler.handle(request);
      send(res, response);
      this.notify({ operation, request, fault: fault?.kind, response });
    } catch (error) {
      send(res, { status: 500, body: { message: `emulator error: ${(error as Error).message}` } });
    }
  }

  private notify(exchange: ObservedExchange): void {
    try {
      this.observer?.(exchange);
    } catch {
      // An observer's bug must not change what clients get.
    }
  }
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const isRaw = typeof response.body === 'string' || Buffer.isBuffer(response.body);
  const payload = response.body === undefined ? '' : isRaw ? (response.body as string | Buffer) : JSON.stringify(response.body);
  const headers: Record<string, string | number> = { ...response.headers, 'content-length': Buffer.byteLength(payload) };
  if (!isRaw && response.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}
