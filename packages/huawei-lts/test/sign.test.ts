import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalUri, encodeRfc3986, formatSdkDate, payloadHash, signRequest } from '../src/sign.ts';

// Deterministic generator so that a failure can be reproduced.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Characters for query keys and values, and for path segments in the direct comparison of canonical URIs.
const ALPHABET = ['a', 'Z', '0', '-', '_', '.', '~', ' ', "'", '(', ')', '*', '!', '+', '%', '&', '=', ':', '@', ',', ';', '$', 'é', '中', '日', '😀', 'ß', '"', '<', '#', '?', '/'];
// Path segments given to the official sign(): it reads the path with Node's legacy url.parse, which pre-escapes
// ' " < > \ ^ ` { | } and space (and then signs them escaped twice, unlike the Go SDK and the gateway), and which
// cannot carry '/', '?' or '#' inside a segment. Those characters are compared through CanonicalURI below.
const PATH_ALPHABET = ALPHABET.filter((c) => !` '"<>\\^\`{|}/?#`.includes(c));

function text(next: () => number, maxLength: number, alphabet = ALPHABET): string {
  const length = 1 + Math.floor(next() * maxLength);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

/** A path segment an HTTP client can send as is ('.' and '..' would be resolved away). */
function segment(next: () => number, alphabet: readonly string[]): string {
  for (;;) {
    const candidate = text(next, 12, [...alphabet]);
    if (!/^\.+$/.test(candidate)) return candidate;
  }
}

interface Generated {
  /** What is sent: every segment and query part encoded with encodeRfc3986. */
  url: URL;
  /** The path before encoding, as the official SDK substitutes path parameters into its URL template. */
  rawPath: string;
  query: Record<string, string | string[]>;
  body: unknown;
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  headers: Record<string, string>;
  securityToken?: string;
}

function generate(next: () => number, index: number): Generated {
  const segments = Array.from({ length: 1 + Math.floor(next() * 5) }, () => segment(next, PATH_ALPHABET));
  const query: Record<string, string | string[]> = {};
  const queryCount = Math.floor(next() * 4);
  for (let i = 0; i < queryCount; i++) {
    const key = text(next, 6);
    query[key] = next() < 0.3 ? [text(next, 6), text(next, 6)] : next() < 0.2 ? '' : text(next, 8);
  }
  const methods = ['GET', 'POST', 'DELETE', 'PUT'] as const;
  const method = methods[index % 4]!;
  const body = method === 'POST' || method === 'PUT' ? { contents: [{ log_time_ns: 1_700_000_000_000_000_000 + index, log: text(next, 40) }], labels: { k: text(next, 5) } } : undefined;
  const url = new URL(`https://lts-access.ap-southeast-1.myhuaweicloud.com${index % 3 === 0 ? ':8102' : ''}`);
  const trailingSlash = index % 5 === 0 ? '/' : '';
  url.pathname = `/${segments.map(encodeRfc3986).join('/')}${trailingSlash}`;
  url.search = Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${encodeRfc3986(k)}=${encodeRfc3986(one)}`))
    .join('&');
  const headers: Record<string, string> = { 'X-Project-Id': '0a1b2c3d4e5f60718293a4b5c6d7e8f9' };
  if (body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
  if (index % 4 === 1) headers['X-Custom-Trace'] = text(next, 10).replace(/[^\x20-\x7e]/g, 'x');
  return { url, rawPath: `/${segments.join('/')}${trailingSlash}`, query, body, method, headers, securityToken: index % 6 === 0 ? `temp-token-${index}` : undefined };
}

const sdkCanonicalUri = (AKSKSigner as unknown as { CanonicalURI(path: string): string }).CanonicalURI.bind(AKSKSigner);

describe('SDK-HMAC-SHA256 signer against the official @huaweicloud/huaweicloud-sdk-core AKSKSigner', () => {
  it('produces the same Authorization for 500 generated requests (encoded paths, queries, multibyte bodies, temporary credentials)', () => {
    const next = random(20240611);
    const credentials = { accessKeyId: 'HPUAEXAMPLEACCESSKEY', secretAccessKey: 'exampleSecretKey/with+chars=' };
    for (let i = 0; i < 500; i++) {
      const request = generate(next, i);
      const now = new Date(Date.UTC(2024, 5, 11, 8, 30, i % 60));
      const body = request.body === undefined ? '' : JSON.stringify(request.body);
      const ours = signRequest(
        { method: request.method, url: request.url, headers: request.headers, body },
        { ...credentials, securityToken: request.securityToken },
        now,
      );
      const sdkHeaders: Record<string, string> = { ...request.headers, 'X-Sdk-Date': formatSdkDate(now) };
      if (request.securityToken) sdkHeaders['X-Security-Token'] = request.securityToken;
      // Given what HcClient gives it: the endpoint with the raw path, the raw query parameters, the body object.
      const official = AKSKSigner.sign(
        { endpoint: request.url.origin + request.rawPath, method: request.method, headers: sdkHeaders, queryParams: request.query, data: request.body },
        { getAk: () => credentials.accessKeyId, getSk: () => credentials.secretAccessKey } as never,
      ) as Record<string, string>;
      expect(ours.Authorization, `request ${i}: ${request.method} ${request.url.href}`).toBe(official.Authorization);
      // The exporter sends its request body as bytes: the signature hashes those bytes, the same as the text.
      const fromBytes = signRequest({ method: request.method, url: request.url, headers: request.headers, body: Buffer.from(body) }, { ...credentials, securityToken: request.securityToken }, now);
      expect(fromBytes.Authorization, `request ${i} as bytes`).toBe(official.Authorization);
    }
  });

  it('signs the path the official SDK signs for the raw segments, for every character, multibyte included', () => {
    const next = random(99);
    for (let i = 0; i < 300; i++) {
      const segments = Array.from({ length: 1 + Math.floor(next() * 4) }, () => segment(next, ALPHABET.filter((c) => c !== '/')));
      const sent = new URL('https://h');
      sent.pathname = `/${segments.map(encodeRfc3986).join('/')}`;
      expect(canonicalUri(sent.pathname), segments.join(' | ')).toBe(sdkCanonicalUri(`/${segments.join('/')}`));
    }
    expect(canonicalUri('/v2/a%20b/%E4%B8%AD')).toBe('/v2/a%20b/%E4%B8%AD/');
  });

  it('changes the signature when the body, path or a header changes', () => {
    const credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
    const now = new Date(Date.UTC(2024, 0, 1));
    const base = { method: 'POST', url: new URL('https://h/v2/p/x'), headers: { 'content-type': 'application/json' }, body: '{"a":"é"}' };
    const signature = signRequest(base, credentials, now).Authorization;
    expect(signRequest({ ...base, body: '{"a":"e"}' }, credentials, now).Authorization).not.toBe(signature);
    expect(signRequest({ ...base, url: new URL('https://h/v2/p/y') }, credentials, now).Authorization).not.toBe(signature);
    expect(signRequest({ ...base, headers: { 'content-type': 'text/plain' } }, credentials, now).Authorization).not.toBe(signature);
    expect(signature).toMatch(/^SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, Signature=[0-9a-f]{64}$/);
  });

  it('formats X-Sdk-Date as YYYYMMDDTHHmmssZ', () => {
    expect(formatSdkDate(new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 789)))).toBe('20240203T040506Z');
  });
});

describe('payloadHash', () => {
  it('is the SHA-256 of the body, hashed off the thread for large bodies, and signs the same', async () => {
    const credentials = { accessKeyId: 'AK', secretAccessKey: 'SK' };
    const url = new URL('https://lts.example.com/v2/p/lts/groups/g/streams/s/tenant/contents/high-accuracy');
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    for (const size of [0, 10, 64 * 1024 - 1, 64 * 1024, 600_000]) {
      const body = Buffer.alloc(size, 'é');
      expect(await payloadHash(body)).toBe(createHash('sha256').update(body).digest('hex'));
      const request = { method: 'POST' as const, url, headers: { 'content-type': 'application/json' }, body };
      expect(signRequest(request, credentials, now, await payloadHash(body))).toEqual(signRequest(request, credentials, now));
    }
  });
});
