import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest } from '../common/http-server.ts';

/** An access key the emulator knows. When `accountId` is set, the key may only write to that account. */
export interface ServiceWatchEmulatorCredential {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly accountId?: string;
}

export type AuthVerdict =
  | { readonly ok: true; readonly credential: ServiceWatchEmulatorCredential }
  | { readonly ok: false; readonly detail: string };

/** The documented string-to-sign, computed here independently of any client library. */
function expectedSignature(secretKey: string, method: string, url: string, timestamp: string, accessKey: string, accountId: string, clientType: string): Buffer {
  return createHmac('sha256', secretKey)
    .update(method + url + timestamp + accessKey + accountId + clientType, 'utf8')
    .digest();
}

/**
 * Checks `Scp-Signature` over the account id the client sent in `Scp-AccountId` ('' when absent, as the official
 * SDK usually signs), and that `Scp-Timestamp` is within `maxClockSkewMillis` of `nowMillis`.
 */
export function verifyScpRequest(
  request: EmulatorRequest,
  credentials: ReadonlyMap<string, ServiceWatchEmulatorCredential>,
  nowMillis: number,
  maxClockSkewMillis: number,
): AuthVerdict {
  const headers = request.headers;
  for (const name of ['scp-accesskey', 'scp-signature', 'scp-timestamp', 'scp-clienttype']) {
    if (!headers[name]) return { ok: false, detail: `missing header ${name}` };
  }
  const timestamp = headers['scp-timestamp']!;
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, detail: 'Scp-Timestamp must be milliseconds since the epoch' };
  const skew = Math.abs(nowMillis - Number(timestamp));
  if (skew > maxClockSkewMillis) return { ok: false, detail: `Scp-Timestamp is ${skew} ms away from the server clock (allowed ${maxClockSkewMillis} ms)` };
  const credential = credentials.get(headers['scp-accesskey']!);
  if (!credential) return { ok: false, detail: 'unknown access key' };
  const given = Buffer.from(headers['scp-signature']!, 'base64');
  const url = `http://${headers.host ?? ''}${request.url}`;
  const accountId = headers['scp-accountid'] ?? '';
  const expected = expectedSignature(credential.secretKey, request.method, url, timestamp, credential.accessKey, accountId, headers['scp-clienttype']!);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, credential };
  return { ok: false, detail: 'signature does not match' };
}
