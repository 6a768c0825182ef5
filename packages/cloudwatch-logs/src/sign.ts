import { SignatureV4 } from '@smithy/signature-v4';
import { secretScrubber } from '@otel-cloud-logs/core';
import type { AwsCredentials, AwsCredentialsProvider } from './config.ts';
import { defaultCredentialChain } from './default-credentials.ts';
import { NodeSha256 } from './node-sha256.ts';

export interface SignedRequestParts {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

/** Signs AWS JSON 1.1 requests with SigV4 (service `logs`) using the official Smithy signer. */
export class CloudWatchSigner {
  private readonly signer: SignatureV4;

  constructor(region: string, credentials: AwsCredentials | AwsCredentialsProvider | undefined) {
    const source = credentials ?? defaultCredentialChain();
    const resolve = typeof source === 'function' ? source : async () => source;
    if (typeof source !== 'function') registerSecrets(source);
    this.signer = new SignatureV4({
      // Credentials from a function or the chain are known only once resolved (and refreshed): registered each time.
      credentials: async () => registerSecrets(await resolve()),
      region,
      service: 'logs',
      sha256: NodeSha256,
    });
  }

  /** Returns the headers to send, with `authorization`, `x-amz-date` and (for temporary credentials) `x-amz-security-token`. */
  async sign(request: SignedRequestParts): Promise<Record<string, string>> {
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: request.url.pathname,
      query: {},
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    });
    return signed.headers as Record<string, string>;
  }
}

/** Makes core's scrubber remove these credentials from every error, diag line and metric. */
function registerSecrets(credentials: AwsCredentials): AwsCredentials {
  secretScrubber.register(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken);
  return credentials;
}
