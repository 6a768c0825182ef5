import { HttpTransport, callWithRetry, parseRetryAfter, type CallRetryOptions, type HttpResponse } from '@otel-cloud-logs/core';
import { classifyFailure } from './classify.ts';
import { resolveConnection, type HuaweiCloudConnectionOptions, type ResolvedConnection } from './config.ts';
import { quoteBody, serviceError } from './errors.ts';
import { IamTokenSource, type TokenScope } from './iam.ts';
import { encodeRfc3986, payloadHash, signRequest } from './sign.ts';

/** Which host a call goes to. */
export type HuaweiService = 'lts' | 'ingest' | 'ga';

export interface ApiRequest {
  readonly service: HuaweiService;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path segments, each encoded here (e.g. ['v2', projectId, 'groups']). */
  readonly segments: readonly string[];
  readonly query?: Readonly<Record<string, string>>;
  /** Serialised as JSON. */
  readonly body?: unknown;
  /** A body already serialised as JSON, sent and signed byte for byte (takes precedence over `body`). */
  readonly rawBody?: string | Uint8Array;
  /** Project the call is for (`X-Project-Id` with AK/SK, token scope with password auth). */
  readonly projectId?: string;
  readonly timeoutMillis: number;
  readonly signal?: AbortSignal;
}

/**
 * Authenticated JSON calls to Huawei Cloud: builds the URL for the service, adds `X-Auth-Token` (static or
 * IAM-issued) or the AK/SK signature, and sends through a keep-alive transport. Shared by the exporter and
 * the provisioning API.
 */
export class HuaweiCloudClient {
  readonly connection: ResolvedConnection;
  private readonly http: HttpTransport;
  private readonly ownsHttp: boolean;
  private readonly tokens: IamTokenSource | undefined;

  constructor(options: HuaweiCloudConnectionOptions & { readonly requestTimeoutMillis?: number }, http?: HttpTransport, owner = 'HuaweiCloudClient') {
    this.connection = resolveConnection(owner, options);
    this.http = http ?? new HttpTransport();
    this.ownsHttp = http === undefined;
    const { auth, iamEndpoint } = this.connection;
    this.tokens =
      auth.type === 'password'
        ? new IamTokenSource({
            http: this.http,
            iamEndpoint: iamEndpoint!,
            auth,
            refreshMarginMillis: this.connection.tokenRefreshMarginMillis,
            timeoutMillis: options.requestTimeoutMillis ?? 10_000,
          })
        : undefined;
  }

  /**
   * Sends a call and returns the raw response (any status). Network failures throw core's NetworkError. With
   * password auth, a 401 (token revoked or expired early) gets a new token and the call is sent once more.
   */
  async call(request: ApiRequest): Promise<HttpResponse> {
    const response = await this.send(request);
    if (response.status !== 401 || !this.tokens) return response;
    this.tokens.invalidate(this.scopeOf(request));
    return this.send(request);
  }

  private async send(request: ApiRequest): Promise<HttpResponse> {
    const url = this.urlOf(request);
    const hasBody = request.rawBody !== undefined || request.body !== undefined;
    const body = request.rawBody ?? (request.body === undefined ? '' : JSON.stringify(request.body));
    const headers: Record<string, string> = {};
    if (hasBody) headers['content-type'] = 'application/json;charset=UTF-8';
    const auth = this.connection.auth;
    if (auth.type === 'aksk') {
      if (request.service === 'ga') {
        if (this.connection.domainId) headers['x-domain-id'] = this.connection.domainId;
      } else if (request.projectId) {
        headers['x-project-id'] = request.projectId;
      }
      Object.assign(headers, signRequest({ method: request.method, url, headers, body }, auth, new Date(), await payloadHash(body)));
    } else {
      headers['x-auth-token'] = auth.type === 'token' ? auth.token : await this.tokens!.token(this.scopeOf(request), request.signal);
    }
    return this.http.request({
      url,
      method: request.method,
      headers,
      body: hasBody ? body : undefined,
      timeoutMillis: request.timeoutMillis,
      signal: request.signal,
    });
  }

  /**
   * Sends a call and parses the JSON answer; a status outside `expected` throws a HuaweiCloudError. Throttling, 5xx
   * and network failures are retried (the exporters' policy, or `retry`); other answers are thrown at once.
   */
  json<T>(operation: string, request: ApiRequest, expected: readonly number[], retry: CallRetryOptions = {}): Promise<{ status: number; body: T }> {
    return callWithRetry(() => this.jsonOnce<T>(operation, request, expected), classifyFailure, { ...retry, signal: request.signal });
  }

  private async jsonOnce<T>(operation: string, request: ApiRequest, expected: readonly number[]): Promise<{ status: number; body: T }> {
    const response = await this.call(request);
    if (!expected.includes(response.status)) throw serviceError(operation, response.status, response.body, parseRetryAfter(response.headers['retry-after']));
    try {
      return { status: response.status, body: (response.body === '' ? {} : JSON.parse(response.body)) as T };
    } catch {
      throw new Error(`${operation}: HTTP ${response.status} with a body that is not JSON: ${quoteBody(response.body)}`);
    }
  }

  /** Gets a fresh IAM token now (password auth), e.g. to fail fast on bad credentials at startup. */
  async token(projectId: string): Promise<string | undefined> {
    const auth = this.connection.auth;
    if (auth.type === 'token') return auth.token;
    return this.tokens?.token({ projectId });
  }

  async close(): Promise<void> {
    if (this.ownsHttp) await this.http.close();
  }

  private scopeOf(request: ApiRequest): TokenScope {
    if (request.service === 'ga') return { domain: true };
    if (request.projectId) return { projectId: request.projectId };
    if (this.connection.region) return { projectName: this.connection.region };
    throw new TypeError('HuaweiCloudClient: a project id or a region is needed to obtain a project-scoped IAM token');
  }

  private urlOf(request: ApiRequest): URL {
    const base = request.service === 'lts' ? this.connection.endpoint : request.service === 'ingest' ? this.connection.ingestEndpoint : this.connection.gaEndpoint;
    const prefix = base.pathname.replace(/\/+$/, '');
    const url = new URL(base.origin);
    url.pathname = `${prefix}/${request.segments.map(encodeRfc3986).join('/')}`;
    // Encoded like the signature encodes it (URLSearchParams would write spaces as '+').
    if (request.query) url.search = Object.entries(request.query).map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
    return url;
  }
}
