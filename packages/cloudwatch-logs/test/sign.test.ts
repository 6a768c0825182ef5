import { createHash, createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CloudWatchSigner } from '../src/sign.ts';

// A SigV4 written from the AWS specification, independent of the Smithy signer CloudWatchSigner wraps. It is
// first checked against the AWS SigV4 test suite, then used to check what CloudWatchSigner puts on the wire.
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

interface Signable {
  readonly method: string;
  readonly path: string;
  /** Lower-case names; every header here is signed. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function referenceAuthorization(request: Signable): string {
  const names = Object.keys(request.headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${request.headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [request.method, request.path, '', canonicalHeaders, signedHeaders, sha256(request.body)].join('\n');
  const day = request.amzDate.slice(0, 8);
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${request.secretAccessKey}`, day), request.region), request.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${request.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

// The credentials and time of the AWS SigV4 test suite.
const ACCESS_KEY_ID = 'AKIDEXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AMZ_DATE = '20150830T123600Z';

describe('the reference SigV4', () => {
  test('gives the signatures of the AWS test suite (get-vanilla, post-vanilla)', () => {
    const common = { path: '/', body: '', amzDate: AMZ_DATE, region: 'us-east-1', service: 'service', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
    const headers = { host: 'example.amazonaws.com', 'x-amz-date': AMZ_DATE };
    expect(referenceAuthorization({ ...common, method: 'GET', headers })).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(referenceAuthorization({ ...common, method: 'POST', headers })).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    );
  });
});

describe('CloudWatchSigner', () => {
  beforeEach(() => {
    // The signature covers the time: a fixed clock makes it one known value.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2015-08-30T12:36:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const body = '{"logGroupName":"app","logStreamName":"web-1","logEvents":[{"timestamp":1440938160000,"message":"hello"}]}';
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents', 'user-agent': 'otel-cloud-logs/0.1' };
  const expected = (extra: Record<string, string> = {}, host = 'logs.eu-west-1.amazonaws.com') =>
    referenceAuthorization({
      method: 'POST',
      path: '/',
      // user-agent is not signed (proxies rewrite it); the payload hash header is.
      headers: { 'content-type': headers['content-type'], host, 'x-amz-content-sha256': sha256(body), 'x-amz-date': AMZ_DATE, 'x-amz-target': headers['x-amz-target'], ...extra },
      body,
      amzDate: AMZ_DATE,
      region: 'eu-west-1',
      service: 'logs',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
    });

  test('signs a PutLogEvents request for service logs exactly as SigV4 says', async () => {
    const signer = new CloudWatchSigner('eu-west-1', { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY });
    const signed = await signer.sign({ url: new URL('https://logs.eu-west-1.amazonaws.com/'), headers, body });
    expect(signed['x-amz-date']).toBe(AMZ_DATE);
    expect(signed['x-amz-content-sha256']).toBe(sha256(body));
    expect(signed['host']).toBe('logs.eu-west-1.amazonaws.com');
    expect(signed['authorization']).toBe(expected());
    expect(signed['x-amz-security-token']).toBeUndefined();
  });

  test('signs the session token of temporary credentials, and a body of bytes as its text', async () => {
    const signer = new CloudWatchSigner('eu-west-1', async () => ({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: 'SESSION-TOKEN' }));
    const signed = await signer.sign({ url: new URL('https://logs.eu-west-1.amazonaws.com/'), headers, body: Buffer.from(body) });
    expect(signed['x-amz-security-token']).toBe('SESSION-TOKEN');
    expect(signed['authorization']).toBe(expected({ 'x-amz-security-token': 'SESSION-TOKEN' }));
  });

  test('signs the port of a local endpoint into the host header', async () => {
    const signer = new CloudWatchSigner('eu-west-1', { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY });
    const signed = await signer.sign({ url: new URL('http://127.0.0.1:4566/'), headers, body });
    expect(signed['host']).toBe('127.0.0.1:4566');
    expect(signed['authorization']).toBe(expected({}, '127.0.0.1:4566'));
  });

  test('a changed body or a wrong key gives another signature', async () => {
    const signer = new CloudWatchSigner('eu-west-1', { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'another-secret' });
    const signed = await signer.sign({ url: new URL('https://logs.eu-west-1.amazonaws.com/'), headers, body });
    expect(signed['authorization']).not.toBe(expected());
  });
});
