import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, UnrecognizedClientException } from '@aws-sdk/client-cloudwatch-logs';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator, type CloudWatchEmulatorCredentials } from '@otel-cloud-logs/emulators';

const temporary: CloudWatchEmulatorCredentials = { accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: 'temporary-secret', sessionToken: 'session-token-1' };
const emulator = new CloudWatchLogsEmulator({ credentials: [CLOUDWATCH_EMULATOR_CREDENTIALS, temporary] });

beforeAll(() => emulator.start());
afterAll(() => emulator.stop());

function clientWith(credentials: CloudWatchEmulatorCredentials, region = 'us-east-1'): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region, endpoint: emulator.url, credentials: { ...credentials }, maxAttempts: 1 });
}

/** Signs a DescribeLogGroups request by hand so that the date, body and headers can be chosen. */
async function signedRequest(options: { signingDate?: Date; body?: string; credentials?: CloudWatchEmulatorCredentials } = {}) {
  const url = new URL(emulator.url);
  const body = options.body ?? '{}';
  const signer = new SignatureV4({ credentials: { ...(options.credentials ?? CLOUDWATCH_EMULATOR_CREDENTIALS) }, region: 'us-east-1', service: 'logs', sha256: Sha256 });
  return signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
      body,
    },
    { signingDate: options.signingDate ?? new Date() },
  );
}

async function send(headers: Record<string, string>, body: string): Promise<{ status: number; errorType: string | null; json: { __type?: string; message?: string } }> {
  const response = await fetch(emulator.url, { method: 'POST', headers, body });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), json: (await response.json()) as { __type?: string; message?: string } };
}

describe('CloudWatchLogsEmulator SigV4 verification', () => {
  it('accepts requests signed by the SDK with a known key, and with a session token', async () => {
    await clientWith(CLOUDWATCH_EMULATOR_CREDENTIALS).send(new CreateLogGroupCommand({ logGroupName: 'auth-ok' }));
    const described = await clientWith(temporary).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'auth-ok' }));
    expect(described.logGroups!.map((group) => group.logGroupName)).toEqual(['auth-ok']);
  });

  it('answers UnrecognizedClientException for an unknown access key', async () => {
    const error = await clientWith({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' })
      .send(new DescribeLogGroupsCommand({}))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnrecognizedClientException);
    expect(error).toMatchObject({ message: 'The security token included in the request is invalid.', $metadata: { httpStatusCode: 400 } });
  });

  it('answers UnrecognizedClientException for a wrong or missing session token', async () => {
    await expect(clientWith({ ...temporary, sessionToken: 'stolen' }).send(new DescribeLogGroupsCommand({}))).rejects.toBeInstanceOf(UnrecognizedClientException);
    await expect(clientWith({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey }).send(new DescribeLogGroupsCommand({}))).rejects.toBeInstanceOf(
      UnrecognizedClientException,
    );
  });

  it('answers InvalidSignatureException for a wrong secret key', async () => {
    const error = await clientWith({ accessKeyId: CLOUDWATCH_EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong-secret' })
      .send(new CreateLogGroupCommand({ logGroupName: 'never-created' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(/^The request signature we calculated does not match/);
    expect(emulator.logGroup('never-created')).toBeUndefined();
  });

  it('answers InvalidSignatureException for a credential scoped to another region', async () => {
    await expect(clientWith(CLOUDWATCH_EMULATOR_CREDENTIALS, 'eu-west-1').send(new DescribeLogGroupsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining("not 'eu-west-1'"),
    });
  });

  it('accepts a correctly hand-signed request and refuses it once the body is altered', async () => {
    const request = await signedRequest({ body: '{"limit":5}' });
    const ok = await fetch(emulator.url, { method: 'POST', headers: request.headers, body: '{"limit":5}' });
    expect(ok.status).toBe(200);
    const tampered = await send(request.headers, '{"limit":6}');
    expect(tampered).toMatchObject({ status: 400, errorType: 'InvalidSignatureException', json: { __type: 'InvalidSignatureException' } });
  });

  it('refuses a signed header changed after signing', async () => {
    const request = await signedRequest();
    const altered = await send({ ...request.headers, 'x-amz-target': 'Logs_20140328.DescribeLogStreams' }, '{}');
    expect(altered).toMatchObject({ status: 400, errorType: 'InvalidSignatureException' });
  });

  it('answers "Signature expired" outside the 5 minute skew and accepts within it', async () => {
    const stale = await signedRequest({ signingDate: new Date(Date.now() - 6 * 60_000) });
    const expired = await send(stale.headers, '{}');
    expect(expired).toMatchObject({ status: 400, errorType: 'InvalidSignatureException', json: { message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/) } });
    const future = await signedRequest({ signingDate: new Date(Date.now() + 6 * 60_000) });
    expect(await send(future.headers, '{}')).toMatchObject({ status: 400, json: { message: expect.stringMatching(/^Signature not yet current/) } });
    const recent = await signedRequest({ signingDate: new Date(Date.now() - 4 * 60_000) });
    expect((await send(recent.headers, '{}')).status).toBe(200);
  });

  it('answers MissingAuthenticationTokenException without an Authorization header', async () => {
    const request = await signedRequest();
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    expect(await send(headers, '{}')).toMatchObject({ status: 400, errorType: 'MissingAuthenticationTokenException', json: { __type: 'MissingAuthenticationTokenException' } });
  });

  it('never echoes the signature or secret in error messages', async () => {
    const request = await signedRequest();
    const signature = /Signature=(\w+)/.exec(request.headers['authorization']!)![1]!;
    const answer = await send(request.headers, '{"changed":true}');
    expect(JSON.stringify(answer.json)).not.toContain(signature);
    expect(JSON.stringify(answer.json)).not.toContain(CLOUDWATCH_EMULATOR_CREDENTIALS.secretAccessKey);
  });
});
