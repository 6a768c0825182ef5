import { createHmac } from 'node:crypto';
import type { ServiceWatchConnection } from './config.ts';

/** The client type the official SDKs sign with and send in `Scp-ClientType`. */
export const CLIENT_TYPE = 'Openapi';

export interface SignatureInput {
  readonly method: string;
  /** The exact URL sent, with `?query` if any. */
  readonly url: string;
  /** Milliseconds since the epoch, as sent in `Scp-Timestamp`. */
  readonly timestampMillis: number;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Usually empty (as in the official SDK). */
  readonly accountId?: string;
  readonly clientType?: string;
}

/**
 * `Scp-Signature`: base64(HMAC-SHA256(secretKey, METHOD + url + timestamp + accessKey + accountId + clientType)),
 * concatenated without separators (SamsungSDSCloud terraform-sdk-samsungcloudplatformv2, client/signature_generator.go).
 * The body is not signed.
 */
export function scpSignature(input: SignatureInput): string {
  const message =
    input.method.toUpperCase() + input.url + String(input.timestampMillis) + input.accessKey + (input.accountId ?? '') + (input.clientType ?? CLIENT_TYPE);
  return createHmac('sha256', input.secretKey).update(message, 'utf8').digest('base64');
}

/**
 * Every header a ServiceWatch request carries, signed for `method` and `url` at `timestampMillis`. A non-empty
 * signing account id is also sent as `Scp-AccountId` (as the official SDK does): the service can only check a
 * signature over an account id it is told.
 */
export function signedHeaders(connection: ServiceWatchConnection, method: string, url: string, timestampMillis: number = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    'Scp-Accesskey': connection.accessKey,
    'Scp-Signature': scpSignature({
      method,
      url,
      timestampMillis,
      accessKey: connection.accessKey,
      secretKey: connection.secretKey,
      accountId: connection.signingAccountId,
    }),
    'Scp-Timestamp': String(timestampMillis),
    'Scp-ClientType': CLIENT_TYPE,
    'Accept-Language': 'en-US',
    'Scp-Api-Version': connection.apiVersion,
    'Content-Type': 'application/json',
  };
  if (connection.signingAccountId) headers['Scp-AccountId'] = connection.signingAccountId;
  return headers;
}
