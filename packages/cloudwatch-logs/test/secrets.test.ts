import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { CloudWatchLogsExporter, type AwsCredentials, type CloudWatchLogsExporterOptions } from '@otel-cloud-logs/cloudwatch-logs';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formsOf, SecretLeakWatch } from '../../core/test/support/secret-leaks.ts';
import { batchOf } from './support.ts';

// Secrets with the characters that JSON escaping and URL encoding change, so that every form is exercised.
const STATIC = { accessKeyId: 'AKIASTATICLEAK000001', secretAccessKey: 'cw-static/secret+key"q-51ab', sessionToken: 'IQoJb3JpZ2luX2Vj/static+session==' };
const ROTATED = [1, 2].map((n) => ({ accessKeyId: `ASIAROTATEDLEAK0000${n}`, secretAccessKey: `cw-rotated/secret+${n}-9c0e`, sessionToken: `IQoJrotated/session+token-${n}==` }));
const CHAIN = { accessKeyId: 'ASIACHAINLEAK0000003', secretAccessKey: 'cw-chain/secret+key-3e7d', sessionToken: 'IQoJchain/session+token==' };
const ENV_NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CREDENTIAL_EXPIRATION'] as const;

const emulator = new CloudWatchLogsEmulator();
let endpoint: string;
let watch: SecretLeakWatch;
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  endpoint = await emulator.start();
});
afterAll(() => emulator.stop());
afterEach(async () => {
  emulator.faults.clear();
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  await watch.stop();
});

const secretsOf = (credentials: readonly AwsCredentials[]) => credentials.flatMap((c) => [c.accessKeyId, c.secretAccessKey, c.sessionToken!]);

/** `used`: the credentials each request is signed with, in order (the last one again for the rest). */
const kinds: [string, () => { credentials: CloudWatchLogsExporterOptions['credentials']; used: AwsCredentials[] }][] = [
  ['static keys with a session token', () => ({ credentials: STATIC, used: [STATIC] })],
  [
    'a credentials function that refreshes them',
    () => {
      let calls = 0;
      return { credentials: async () => ROTATED[Math.min(calls++, 1)]!, used: ROTATED };
    },
  ],
  [
    'the AWS default credential chain (here: the environment)',
    () => {
      for (const name of ENV_NAMES) delete process.env[name];
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: CHAIN.accessKeyId, AWS_SECRET_ACCESS_KEY: CHAIN.secretAccessKey, AWS_SESSION_TOKEN: CHAIN.sessionToken });
      return { credentials: undefined, used: [CHAIN] };
    },
  ],
];

describe('no secret of any CloudWatch credential kind reaches a diag line, an error or a metric', () => {
  it.each(kinds)('%s, when the service refuses with an error that quotes the request headers and the secrets', async (_, kind) => {
    watch = new SecretLeakWatch();
    const { credentials, used } = kind();
    const secrets = secretsOf(used);
    // Each refusal quotes the secrets of the credentials its request was signed with.
    used.forEach((set, index) => {
      const echoText = `(caller's secrets: ${secretsOf([set]).flatMap(formsOf).join(' ')})`;
      emulator.faults.add({ kind: 'echo', operation: 'PutLogEvents', echoText, times: index < used.length - 1 ? 1 : undefined });
    });
    const options = { region: 'us-east-1', endpoint, credentials, logGroupName: 'g', logStreamName: 's' };

    const exporter = new CloudWatchLogsExporter({ ...options, meterProvider: watch.meterProvider });
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 })] });
    for (let i = 0; i < 3; i++) provider.getLogger('leaks').emit({ body: `record ${i}` });
    await provider.shutdown();
    expect(exporter.metrics.snapshot().rejected).toEqual({ AccessDeniedException: 3 });

    // Called directly, the sender hands its outcome (and error) to the caller; a second call may see refreshed credentials.
    const twin = new CloudWatchLogsExporter(options);
    const destination = { logGroup: 'g', logStream: 's', accountId: '' };
    for (let call = 0; call < 2; call++) {
      watch.surface(await twin.send(destination, batchOf(twin, destination, ['x']), { signal: new AbortController().signal, timeoutMillis: 5_000, attempt: 0 }));
    }
    await twin.shutdown();

    expect(watch.sentSecrets().length).toBeGreaterThan(0);
    expect(await watch.leaks(secrets, exporter.metrics)).toEqual([]);
    expect(watch.diagLines.some((line) => line.includes('AccessDeniedException') && line.includes('[REDACTED]'))).toBe(true);
  });
});
