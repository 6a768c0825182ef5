import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest } from '../common/http-server.ts';

/**
 * Server-side check of Huawei's SDK-HMAC-SHA256 signature, written independently of any client: it rebuilds
 * the canonical request from what was received (path segments and query parts decoded and encoded again, the
 * headers named in SignedHeaders, the hash of the body bytes) the way the API gateway does.
 */

export interface EmulatorAkSk {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests must carry it as a signed `X-Security-Token` (temporary credentials). */
  readonly securityToken?: string;
}

export type SignatureVerdict = { readonly ok: true; readonly accessKeyId: string } | { readonly ok: false; readonly reason: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every UTF-8 byte except unreserved characters. */
function strictEncode(text: string): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-decodes a path segment or query part ('+' stays '+'); malformed escapes are kept as they are. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function canonicalQueryOf(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [decodePart(pair), ''] : [decodePart(pair.slice(0, at)), decodePart(pair.slice(at + 1))];
    })
    .sort(([ka, va], [kb, vb]) => (ka !== kb ? (ka! < kb! ? -1 : 1) : va! < vb! ? -1 : va! > vb! ? 1 : 0));
  return pairs.map(([k, v]) => `${strictEncode(k!)}=${strictEncode(v!)}`).join('&');
}

/** Parses `YYYYMMDDTHHmmssZ`. */
function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export function verifySignature(
  request: EmulatorRequest,
  credentials: ReadonlyMap<string, EmulatorAkSk>,
  maxClockSkewMillis: number,
  now: number = Date.now(),
): SignatureVerdict {
  const authorization = request.headers.authorization ?? '';
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(authorization);
  if (!m) return { ok: false, reason: 'Authorization is not an SDK-HMAC-SHA256 signature' };
  const [, accessKeyId, signedHeaderList, signature] = m;
  const credential = credentials.get(accessKeyId!);
  if (!credential) return { ok: false, reason: 'unknown access key' };
  const sdkDate = request.headers['x-sdk-date'];
  const signedAt = sdkDate === undefined ? undefined : parseSdkDate(sdkDate);
  if (signedAt === undefined) return { ok: false, reason: 'X-Sdk-Date missing or not YYYYMMDDTHHmmssZ' };
  if (Math.abs(now - signedAt) > maxClockSkewMillis) return { ok: false, reason: 'X-Sdk-Date is too far from the server time' };
  const signedHeaders = signedHeaderList!.split(';');
  for (const required of ['host', 'x-sdk-date']) {
    if (!signedHeaders.includes(required)) return { ok: false, reason: `${required} is not signed` };
  }
  if (credential.securityToken !== undefined) {
    if (request.headers['x-security-token'] !== credential.securityToken || !signedHeaders.includes('x-security-token')) {
      return { ok: false, reason: 'temporary credentials need the matching, signed X-Security-Token' };
    }
  }
  const headerLines: string[] = [];
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} is missing` };
    headerLines.push(`${name}:${value}\n`);
  }
  const rawPath = request.url.split('?')[0] ?? '/';
  const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  // The gateway decodes each received segment and encodes it again, so a client signs what it meant, not what it sent.
  let canonicalUri = rawPath.split('/').map((segment) => strictEncode(decodePart(segment))).join('/');
  if (!canonicalUri.endsWith('/')) canonicalUri += '/';
  const payloadHash =
    signedHeaders.includes('x-sdk-content-sha256') && request.headers['x-sdk-content-sha256']
      ? request.headers['x-sdk-content-sha256']
      : createHash('sha256').update(request.rawBody).digest('hex');
  const canonical = [request.method, canonicalUri, canonicalQueryOf(rawQuery), headerLines.join(''), signedHeaders.join(';'), payloadHash].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = Buffer.from(createHmac('sha256', credential.secretAccessKey).update(toSign).digest('hex'));
  const given = Buffer.from(signature!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, accessKeyId: accessKeyId! };
}
