import { SignatureV4 } from '@smithy/signature-v4';
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
    this.signer = new SignatureV4({
      credentials: credentials ?? defaultCredentialChain(),
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
