import { secretScrubber, type HttpTransport } from '@otel-cloud-logs/core';
import type { PasswordAuth } from './config.ts';
import { HuaweiCloudError, parseServiceCode } from './errors.ts';

/** What a token is scoped to: LTS wants a project-scoped token, Global Accelerator (global) a domain-scoped one. */
export type TokenScope = { readonly projectId: string } | { readonly projectName: string } | { readonly domain: true };

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface IamTokenSourceOptions {
  readonly http: HttpTransport;
  readonly iamEndpoint: URL;
  readonly auth: PasswordAuth;
  readonly refreshMarginMillis: number;
  readonly timeoutMillis: number;
}

function scopeKey(scope: TokenScope): string {
  if ('projectId' in scope) return `project-id:${scope.projectId}`;
  if ('projectName' in scope) return `project-name:${scope.projectName}`;
  return 'domain';
}

/**
 * Obtains IAM tokens with a user's password (`POST /v3/auth/tokens`, token in the `X-Subject-Token` header),
 * one per scope, and gets a new one `refreshMarginMillis` before `expires_at`. Concurrent callers share one request.
 */
export class IamTokenSource {
  private readonly options: IamTokenSourceOptions;
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(options: IamTokenSourceOptions) {
    this.options = options;
  }

  async token(scope: TokenScope, signal?: AbortSignal): Promise<string> {
    const key = scopeKey(scope);
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - this.options.refreshMarginMillis > Date.now()) return cached.token;
    let request = this.pending.get(key);
    if (!request) {
      request = this.fetchToken(scope, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    const fresh = await request;
    this.cache.set(key, fresh);
    return fresh.token;
  }

  /** Forgets a token the service refused, so the next call gets a new one. */
  invalidate(scope: TokenScope): void {
    this.cache.delete(scopeKey(scope));
  }

  private async fetchToken(scope: TokenScope, signal?: AbortSignal): Promise<CachedToken> {
    const { auth, iamEndpoint, http, timeoutMillis } = this.options;
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: auth.userName, password: auth.password, domain: { name: auth.domainName } } },
        },
        scope:
          'projectId' in scope
            ? { project: { id: scope.projectId } }
            : 'projectName' in scope
              ? { project: { name: scope.projectName } }
              : { domain: { name: auth.domainName } },
      },
    };
    const url = new URL('/v3/auth/tokens', iamEndpoint);
    const response = await http.request({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify(body),
      timeoutMillis,
      signal,
    });
    if (response.status !== 201 && response.status !== 200) throw iamError(`IAM token request for user ${auth.userName}`, response.status, response.body);
    const header = response.headers['x-subject-token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token) throw new Error('IAM token request succeeded but the response has no X-Subject-Token header');
    secretScrubber.register(token);
    let expiresAt = Date.now() + 24 * 3_600_000;
    try {
      const parsed = JSON.parse(response.body) as { token?: { expires_at?: string } };
      const stated = parsed.token?.expires_at ? Date.parse(parsed.token.expires_at) : Number.NaN;
      if (!Number.isNaN(stated)) expiresAt = stated;
    } catch {
      // The body is informational; the 24 h default lifetime applies when it cannot be read.
    }
    return { token, expiresAt };
  }
}

/** IAM answers `{error: {code: 401, message}}`: its bare HTTP-like code is counted as `IAM.401`, so it is not mistaken for an LTS code. */
function iamError(operation: string, status: number, body: string): HuaweiCloudError {
  const { code, message } = parseServiceCode(body);
  const resolved = code === undefined ? `IAM.${status}` : /^\d+$/.test(code) ? `IAM.${code}` : code;
  const hint = status === 401 ? 'check auth.userName, auth.password and auth.domainName (the account name)' : undefined;
  return new HuaweiCloudError(operation, status, resolved, message, hint);
}
