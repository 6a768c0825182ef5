import { createHash, createHmac, webcrypto } from 'node:crypto';

/**
 * Huawei Cloud "SDK-HMAC-SHA256" request signing (AK/SK), as the API gateway in front of LTS, IAM and GA
 * verifies it. Written from the published algorithm; the tests compare it with the official Node SDK signer.
 */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface AkSkCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Set for temporary credentials (sent and signed as `X-Security-Token`). */
  readonly securityToken?: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Full URL with the path exactly as it will be sent (segments already percent-encoded). */
  readonly url: URL;
  /** Headers to send; all of them are signed. Must not contain `Authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body bytes exactly as sent (empty for GET/DELETE). */
  readonly body: string | Uint8Array;
}

/**
 * Percent-encodes every byte except the RFC 3986 unreserved characters (A–Z a–z 0–9 - . _ ~), the encoding the
 * signature uses for path segments and query keys and values. Use it to build request paths as well, so that the
 * path on the wire is the one that was signed.
 */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `YYYYMMDDTHHmmssZ`, the `X-Sdk-Date` format. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The body's SHA-256 in hex for `signRequest`. A large body (a batch of log lines, up to 512 KiB and more) is
 * hashed on libuv's thread pool (WebCrypto `digest`) instead of the application's thread.
 */
export async function payloadHash(body: string | Uint8Array): Promise<string> {
  if (typeof body === 'string' || body.length < 64 * 1024) return sha256Hex(body);
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', body)).toString('hex');
}

/**
 * The path as signed: each segment of the sent path decoded, then encoded with `encodeRfc3986`, always ending in
 * `/`. The official SDKs sign the raw (unencoded) segments and the gateway decodes what it receives, so a path
 * sent as `/a%20b` is signed as `/a%20b/`, never as `/a%2520b/`.
 */
export function canonicalUri(sentPath: string): string {
  const path = sentPath.split('/').map((segment) => encodeRfc3986(decodeSegment(segment))).join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not valid percent-encoding: the bytes are what they are.
    return segment;
  }
}

/** Query parameters sorted by key (then value), keys and values encoded. */
export function canonicalQuery(search: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of search) {
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const parts: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    for (const value of byKey.get(key)!.sort()) parts.push(`${encodeRfc3986(key)}=${encodeRfc3986(value)}`);
  }
  return parts.join('&');
}

export interface CanonicalParts {
  readonly canonicalRequest: string;
  readonly signedHeaders: string;
}

/** Builds the canonical request over the given headers (names lower-cased and sorted, values as sent). */
export function canonicalRequest(method: string, url: URL, headers: Readonly<Record<string, string>>, payloadHash: string): CanonicalParts {
  const lowered = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = lowered.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = lowered.map(([name]) => name).join(';');
  return {
    canonicalRequest: [method.toUpperCase(), canonicalUri(url.pathname), canonicalQuery(url.searchParams), canonicalHeaders, signedHeaders, payloadHash].join('\n'),
    signedHeaders,
  };
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/**
 * Returns the headers to send: the given ones plus `Host`, `X-Sdk-Date`, `X-Security-Token` (temporary
 * credentials) and `Authorization`. `Host` is the URL's host, which is what HTTP clients send. `bodyHash`: the
 * body's hash when it was computed already (`payloadHash`).
 */
export function signRequest(request: RequestToSign, credentials: AkSkCredentials, now: Date = new Date(), bodyHash?: string): Record<string, string> {
  if (Object.keys(request.headers).some((name) => name.toLowerCase() === 'authorization')) {
    throw new TypeError('signRequest: the request already has an Authorization header');
  }
  const headers: Record<string, string> = { ...request.headers, host: request.url.host, 'X-Sdk-Date': formatSdkDate(now) };
  if (credentials.securityToken) headers['X-Security-Token'] = credentials.securityToken;
  const explicitHash = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-sdk-content-sha256')?.[1];
  const hash = explicitHash ?? bodyHash ?? sha256Hex(request.body);
  const { canonicalRequest: canonical, signedHeaders } = canonicalRequest(request.method, request.url, headers, hash);
  const signature = createHmac('sha256', credentials.secretAccessKey).update(stringToSign(headers['X-Sdk-Date']!, canonical)).digest('hex');
  headers.Authorization = `${SIGNING_ALGORITHM} Access=${credentials.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
