import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { runExample } from './support/run-example.ts';

const GROUP = '/otel-cloud-logs/examples';
const STREAM = 'cloudwatch-otlp';

describe('examples/cloudwatch-otlp.ts (the OTLP endpoint with SigV4 and with an API-key bearer token)', () => {
  const cloudWatch = new CloudWatchLogsEmulator();
  const authorizations: string[] = [];
  let awsEnv: Record<string, string>;

  beforeAll(async () => {
    const endpoint = await cloudWatch.start();
    const { accessKeyId, secretAccessKey } = cloudWatch.defaultCredentials;
    awsEnv = { AWS_REGION: cloudWatch.region, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
    cloudWatch.observeRequests(({ operation, request }) => {
      if (operation === 'PutOpenTelemetryLogs') authorizations.push((request.headers['authorization'] ?? '').split(' ', 1)[0]!);
    });
  });
  beforeEach(() => {
    cloudWatch.reset();
    authorizations.length = 0;
  });
  afterAll(async () => {
    await cloudWatch.stop();
  });

  const storedAuth = () => cloudWatch.events(GROUP, STREAM).map((event) => (JSON.parse(event.message) as { attributes: { auth: string } }).attributes.auth);

  test('on a fresh clone: an in-process emulator, both kinds of auth, every record stored', async () => {
    const script = runExample('examples/cloudwatch-otlp.ts');
    expect(await script.exited(30_000), script.stderr()).toBe(0);
    expect(script.stderr()).toContain('(in-process emulator), log group /otel-cloud-logs/examples, stream cloudwatch-otlp');
    expect(script.stderr()).toMatch(/sigv4 +protobuf accepted 2 in 1 request\(s\)\n +bearer +json +accepted 2 in 1 request\(s\)/);
    expect(script.stderr().match(/stored: /g)).toHaveLength(4);
  });

  test('set by environment: SigV4 creates the group and stream, then AWS_BEARER_TOKEN_LOGS writes to them with Bearer', async () => {
    cloudWatch.setBearerTokenAuthentication(GROUP, true);
    const apiKey = cloudWatch.createApiKey({ logGroupNames: [GROUP] });
    const script = runExample('examples/cloudwatch-otlp.ts', { ...awsEnv, AWS_BEARER_TOKEN_LOGS: apiKey });
    expect(await script.exited(30_000), script.stderr()).toBe(0);
    expect(script.stderr()).toMatch(/set by environment/);
    expect(storedAuth()).toEqual(['sigv4', 'sigv4', 'bearer', 'bearer']);
    // The first signed request finds no stream (the group was made for bearer auth), creates it and is resent.
    expect(authorizations).toEqual(['AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256', 'Bearer']);
    expect(cloudWatch.requestCount('CreateLogStream')).toBe(1);
    expect(cloudWatch.requestCount('PutLogEvents')).toBe(0);
  });

  test('without AWS_BEARER_TOKEN_LOGS: SigV4 only, and it says how to add the bearer part', async () => {
    const script = runExample('examples/cloudwatch-otlp.ts', awsEnv);
    expect(await script.exited(30_000), script.stderr()).toBe(0);
    expect(script.stderr()).toContain('bearer  skipped: set AWS_BEARER_TOKEN_LOGS to a CloudWatch Logs API key');
    expect(storedAuth()).toEqual(['sigv4', 'sigv4']);
  });

  test('a group without bearer authentication: exits 1, and OTEL_LOG_LEVEL=warn names the command to enable it, never the key', async () => {
    const apiKey = cloudWatch.createApiKey();
    const script = runExample('examples/cloudwatch-otlp.ts', { ...awsEnv, AWS_BEARER_TOKEN_LOGS: apiKey, OTEL_LOG_LEVEL: 'warn' });
    expect(await script.exited(30_000)).toBe(1);
    expect(script.stderr()).toMatch(/bearer +json +accepted 0 in 0 request\(s\), not sent: AccessDeniedException 2/);
    expect(script.stderr()).toContain('put-bearer-token-authentication');
    expect(script.stderr()).not.toContain(apiKey);
    expect(storedAuth()).toEqual(['sigv4', 'sigv4']);
  });
});
