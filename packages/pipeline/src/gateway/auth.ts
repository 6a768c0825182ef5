import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { ProblemReporter } from '@otel-cloud-logs/core';
import type { GatewayExtension } from './extension.ts';

/** Why a request was not let in: no credentials of the expected kind, or credentials that do not match. */
export type AuthFailure = 'missing' | 'invalid';

/** Decides whether a request may use a receiver (the Collector's server authenticator). */
export interface RequestAuthenticator {
  /** The scheme named in `WWW-Authenticate` on 401 answers, e.g. `Bearer`. */
  readonly challengeScheme: string;
  /** undefined when the request may go on. */
  authenticate(headers: IncomingHttpHeaders): AuthFailure | undefined;
}

export function isRequestAuthenticator(extension: GatewayExtension): extension is GatewayExtension & RequestAuthenticator {
  return typeof (extension as Partial<RequestAuthenticator>).authenticate === 'function';
}

export interface BearerTokenAuthOptions {
  /** As in the configuration, e.g. `bearertokenauth` or `bearertokenauth/clients`. */
  readonly name: string;
  /** Accepted tokens (or `filename`). */
  readonly tokens?: readonly string[];
  /** A file of accepted tokens, one a line, instead of `tokens`; read now and again whenever it changes (rotation). */
  readonly filename?: string;
  /** Default `Bearer`; an empty scheme takes the whole header value as the token. */
  readonly scheme?: string;
  /** The request header carrying the credentials. Default `authorization`. */
  readonly header?: string;
}

// b64token (RFC 6750 section 2.1): what a bearer token may be made of.
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const FILE_POLL_MILLIS = 1_000;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The tokens of a token file, one a line (blank lines skipped). Errors name the file and line, never a token. */
export function readTokenFile(filename: string): string[] {
  let text: string;
  try {
    text = readFileSync(filename, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the token file ${filename}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const tokens: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const token = line.trim();
    if (token === '') return;
    if (!TOKEN.test(token)) throw new Error(`${filename} line ${i + 1} is not a bearer token (letters, digits and - . _ ~ + / only, optionally = at the end)`);
    tokens.push(token);
  });
  if (tokens.length === 0) throw new Error(`the token file ${filename} holds no token; write one token a line`);
  return tokens;
}

/**
 * Bearer token authentication, as the Collector's `bearertokenauth` extension: a request passes when its
 * `Authorization: Bearer <token>` names one of the tokens. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, against every token each time, so the time taken says nothing about how much of a token
 * matched or which one.
 */
export class BearerTokenAuthenticator implements GatewayExtension, RequestAuthenticator {
  readonly name: string;
  readonly challengeScheme: string;
  private readonly header: string;
  private readonly scheme: string;
  private readonly filename: string | undefined;
  private readonly problems = new ProblemReporter('@otel-cloud-logs/pipeline gateway');
  private digests: readonly Buffer[];
  private watching = false;

  constructor(options: BearerTokenAuthOptions) {
    this.name = options.name;
    this.scheme = options.scheme ?? 'Bearer';
    this.challengeScheme = this.scheme || 'Bearer';
    this.header = (options.header ?? 'authorization').toLowerCase();
    this.filename = options.filename;
    if (options.filename !== undefined && options.tokens !== undefined) throw new TypeError(`${options.name}: give tokens or a filename, not both`);
    const tokens = options.filename !== undefined ? readTokenFile(options.filename) : (options.tokens ?? []);
    if (tokens.length === 0) throw new TypeError(`${options.name}: give tokens or a filename`);
    for (const [i, token] of tokens.entries()) {
      if (!TOKEN.test(token)) throw new TypeError(`${options.name}: token ${i + 1} is not a bearer token (letters, digits and - . _ ~ + / only, optionally = at the end)`);
    }
    this.digests = tokens.map(digest);
  }

  /** Watches the token file, if any, so that rotated tokens apply without a restart. */
  start(): void {
    if (this.filename === undefined || this.watching) return;
    this.watching = true;
    watchFile(this.filename, { interval: FILE_POLL_MILLIS, persistent: false }, (current: Stats, previous: Stats) => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size) this.reload();
    });
  }

  shutdown(): void {
    if (this.filename === undefined || !this.watching) return;
    unwatchFile(this.filename);
    this.watching = false;
  }

  authenticate(headers: IncomingHttpHeaders): AuthFailure | undefined {
    const value = headers[this.header];
    if (typeof value !== 'string' || value === '') return 'missing';
    let token = value.trim();
    if (this.scheme !== '') {
      const space = token.indexOf(' ');
      if (space <= 0 || token.slice(0, space).toLowerCase() !== this.scheme.toLowerCase()) return 'missing';
      token = token.slice(space + 1).trim();
    }
    const presented = digest(token);
    let matched = false;
    for (const expected of this.digests) matched = timingSafeEqual(expected, presented) || matched;
    return matched ? undefined : 'invalid';
  }

  private reload(): void {
    try {
      this.digests = readTokenFile(this.filename!).map(digest);
    } catch (error) {
      // Keep the tokens in force: a file caught half-written must not lock every client out.
      this.problems.warn(`token-file:${this.name}`, `${this.name}: ${(error as Error).message}; the previous tokens stay in force`);
    }
  }
}
