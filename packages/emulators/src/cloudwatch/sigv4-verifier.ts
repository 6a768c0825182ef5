import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EmulatorRequest } from '../common/http-server.ts';
import { CloudWatchError } from './errors.ts';

/** An access key pair the emulator accepts; a session token makes it a temporary credential. */
export interface CloudWatchEmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The pair a CloudWatchLogsEmulator accepts when no `credentials` option is given. Test use only. Not frozen:
 * the AWS SDK writes bookkeeping fields onto the credentials object it is given.
 */
export const CLOUDWATCH_EMULATOR_CREDENTIALS: CloudWatchEmulatorCredentials = {
  accessKeyId: 'EMULATORACCESSKEYID1',
  secretAccessKey: 'emulator/secret/access/key/for/tests/only',
};

export interface SignatureVerifierOptions {
  readonly credentials: readonly CloudWatchEmulatorCredentials[];
  /** The region the emulated endpoint serves: credentials must be scoped to it. */
  readonly region: string;
  readonly service: string;
  readonly maxSkewMillis: number;
  /** The clock the request date is compared with. */
  readonly now: () => number;
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly scopeRegion: string;
  readonly scopeService: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';

/**
 * Checks an AWS Signature Version 4 request the way AWS does: who signed (access key, session token), when
 * (X-Amz-Date within the allowed skew), for what (scope date, region, service), and finally the signature itself,
 * recomputed with the official `@smithy/signature-v4` over exactly the signed headers and the raw body.
 * Throws the service's error on the first failed check.
 */
export class SignatureVerifier {
  private readonly options: SignatureVerifierOptions;
  private readonly credentialsByKey: ReadonlyMap<string, CloudWatchEmulatorCredentials>;

  constructor(options: SignatureVerifierOptions) {
    this.options = options;
    this.credentialsByKey = new Map(options.credentials.map((credentials) => [credentials.accessKeyId, credentials]));
  }

  async verify(request: EmulatorRequest): Promise<void> {
    const header = request.headers['authorization'];
    if (header === undefined || header.trim() === '') throw new CloudWatchError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const authorization = parseAuthorization(header);

    const credentials = this.credentialsByKey.get(authorization.accessKeyId);
    if (!credentials) throw new CloudWatchError('UnrecognizedClientException', INVALID_TOKEN_MESSAGE);
    const sentToken = request.headers['x-amz-security-token'];
    if (sentToken !== credentials.sessionToken) throw new CloudWatchError('UnrecognizedClientException', INVALID_TOKEN_MESSAGE);

    const amzDate = request.headers['x-amz-date'];
    if (amzDate === undefined) {
      throw new CloudWatchError('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    const signingDate = parseAmzDate(amzDate);
    this.checkSkew(amzDate, signingDate);
    this.checkScope(authorization, amzDate);
    checkPayloadHash(request);

    const expected = await computeSignature(request, authorization, credentials, signingDate);
    const sent = Buffer.from(authorization.signature, 'utf8');
    const computed = Buffer.from(expected, 'utf8');
    if (sent.length !== computed.length || !timingSafeEqual(sent, computed)) {
      throw new CloudWatchError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
  }

  private checkSkew(amzDate: string, signingDate: Date): void {
    const now = this.options.now();
    const skew = signingDate.getTime() - now;
    if (Math.abs(skew) <= this.options.maxSkewMillis) return;
    const minutes = `${Math.round(this.options.maxSkewMillis / 60_000)} min.`;
    const limit = formatAmzDate(now + (skew < 0 ? -1 : 1) * this.options.maxSkewMillis);
    throw new CloudWatchError(
      'InvalidSignatureException',
      skew < 0
        ? `Signature expired: ${amzDate} is now earlier than ${limit} (${formatAmzDate(now)} - ${minutes})`
        : `Signature not yet current: ${amzDate} is still later than ${limit} (${formatAmzDate(now)} + ${minutes})`,
    );
  }

  private checkScope(authorization: ParsedAuthorization, amzDate: string): void {
    if (authorization.scopeDate !== amzDate.slice(0, 8)) {
      throw new CloudWatchError(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${authorization.scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    if (authorization.scopeRegion !== this.options.region) {
      throw new CloudWatchError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${authorization.scopeRegion}'. This endpoint serves '${this.options.region}'.`);
    }
    if (authorization.scopeService !== this.options.service) {
      throw new CloudWatchError('InvalidSignatureException', `Credential should be scoped to correct service: '${this.options.service}'.`);
    }
  }
}

function parseAuthorization(header: string): ParsedAuthorization {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new CloudWatchError('IncompleteSignatureException', `Unsupported Authorization Type: expected '${ALGORITHM}'.`);
  }
  const parameters = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) parameters.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parameters.get(name)) {
      throw new CloudWatchError('IncompleteSignatureException', `Authorization header requires '${name}' parameter. Authorization=${ALGORITHM} Credential=…, SignedHeaders=…, Signature=…`);
    }
  }
  const scope = parameters.get('Credential')!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw new CloudWatchError('IncompleteSignatureException', "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request.");
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService] = scope as [string, string, string, string];
  return {
    accessKeyId,
    scopeDate,
    scopeRegion,
    scopeService,
    signedHeaders: parameters.get('SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()),
    signature: parameters.get('Signature')!,
  };
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) throw new CloudWatchError('IncompleteSignatureException', `X-Amz-Date must be in the form YYYYMMDDTHHMMSSZ, got '${value}'.`);
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
}

function formatAmzDate(millis: number): string {
  return new Date(millis).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** A client-sent body hash is trusted by the signer, so it must be the hash of the body actually received. */
function checkPayloadHash(request: EmulatorRequest): void {
  const claimed = request.headers['x-amz-content-sha256'];
  if (claimed === undefined) return;
  if (claimed !== createHash('sha256').update(request.rawBody).digest('hex')) {
    throw new CloudWatchError('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match the SHA-256 of the request body.');
  }
}

async function computeSignature(request: EmulatorRequest, authorization: ParsedAuthorization, credentials: CloudWatchEmulatorCredentials, signingDate: Date): Promise<string> {
  const signedHeaders = new Set(authorization.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      // The signer adds the token header itself: only when the client signed it too.
      ...(signedHeaders.has('x-amz-security-token') && credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
    },
    region: authorization.scopeRegion,
    service: authorization.scopeService,
    sha256: Sha256,
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(request.query.keys())) {
    const values = request.query.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  const host = request.headers['host'] ?? '';
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: host.replace(/:\d+$/, ''), path: decodeURIComponent(request.path), query, headers, body: request.rawBody },
    { signingDate, signableHeaders: signedHeaders, signingRegion: authorization.scopeRegion, signingService: authorization.scopeService },
  );
  const signature = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization']))?.[1];
  if (!signature) throw new Error('signer produced no signature');
  return signature;
}
