import { Pool } from 'undici';

export interface HttpRequest {
  readonly url: string | URL;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Per-request timeout (connect + headers + body). */
  readonly timeoutMillis: number;
  readonly signal?: AbortSignal;
  /** Also hand back the response body as bytes (for binary answers, e.g. protobuf). */
  readonly binaryResponse?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The body as bytes, when the request asked for `binaryResponse`. */
  readonly bytes?: Buffer;
}

export interface HttpTransportOptions {
  /** Keep-alive connections per origin. Default 16. */
  readonly connectionsPerOrigin?: number;
  /** Idle keep-alive timeout. Default 30,000 ms. */
  readonly keepAliveTimeoutMillis?: number;
}

/** A network failure (reset, refused, timeout): always worth retrying. */
export class NetworkError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'NetworkError';
    this.code = code;
  }
}

/**
 * HTTP over undici: one keep-alive pool per origin, a timeout on every request, and the response
 * body always read to the end so that connections are reused instead of leaked.
 */
export class HttpTransport {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Required<HttpTransportOptions>;

  constructor(options: HttpTransportOptions = {}) {
    this.options = {
      connectionsPerOrigin: options.connectionsPerOrigin ?? 16,
      keepAliveTimeoutMillis: options.keepAliveTimeoutMillis ?? 30_000,
    };
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
    const pool = this.pool(url.origin);
    const timeout = AbortSignal.timeout(request.timeoutMillis);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      const response = await pool.request({
        path: url.pathname + url.search,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
        headersTimeout: request.timeoutMillis,
        bodyTimeout: request.timeoutMillis,
      });
      if (request.binaryResponse) {
        const bytes = Buffer.from(await response.body.arrayBuffer());
        return { status: response.statusCode, headers: response.headers, body: bytes.toString('utf8'), bytes };
      }
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const code = (error as { code?: string }).code;
      const what = timeout.aborted ? `timed out after ${request.timeoutMillis} ms` : (error as Error).message;
      throw new NetworkError(`${request.method} ${url.origin}${url.pathname} failed: ${what}`, timeout.aborted ? 'ETIMEDOUT' : code, error);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close().catch(() => pool.destroy())));
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connectionsPerOrigin,
        keepAliveTimeout: this.options.keepAliveTimeoutMillis,
        connectTimeout: 10_000,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}
