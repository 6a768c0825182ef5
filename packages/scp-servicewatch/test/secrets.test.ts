import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor, EncodedBatch, emptyEncodedRecord } from '@otel-cloud-logs/core';
import { ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { ServiceWatchLogsExporter, ServiceWatchProvisioner, type ServiceWatchEnvironment, type ServiceWatchLogsExporterOptions } from '@otel-cloud-logs/scp-servicewatch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formsOf, SecretLeakWatch } from '../../core/test/support/secret-leaks.ts';
import { ACCOUNT, FAST_RETRY, GROUP, entry } from './helpers.ts';

// Secrets with the characters that JSON escaping and URL encoding change, so that every form is exercised.
const OPTION_KEYS = { accessKey: 'scp-leak-access-key-0001', secretKey: 'scp-leak/secret+key"q-6b2f' };
const ENV_KEYS = { accessKey: 'scp-env-access-key-0002', secretKey: 'scp-env/secret+key-d41a' };

const emulator = new ServiceWatchEmulator();
let endpoint: string;
let watch: SecretLeakWatch;

beforeAll(async () => {
  endpoint = await emulator.start();
});
afterAll(() => emulator.stop());
afterEach(async () => {
  emulator.faults.clear();
  await watch.stop();
});

const kinds: [string, { options: Partial<ServiceWatchLogsExporterOptions>; env: ServiceWatchEnvironment; secrets: string[] }][] = [
  ['access key and secret key in the options', { options: OPTION_KEYS, env: {}, secrets: Object.values(OPTION_KEYS) }],
  ['SCP_ACCESS_KEY and SCP_SECRET_KEY from the environment', { options: {}, env: { SCP_ACCESS_KEY: ENV_KEYS.accessKey, SCP_SECRET_KEY: ENV_KEYS.secretKey }, secrets: Object.values(ENV_KEYS) }],
];

describe('no ServiceWatch secret reaches a diag line, an error or a metric', () => {
  it.each(kinds)('%s, when the service refuses with a 403 that quotes the request headers and the secrets', async (_, { options, env, secrets }) => {
    watch = new SecretLeakWatch();
    const echoText = `(caller's secrets: ${secrets.flatMap(formsOf).join(' ')})`;
    emulator.faults.add({ kind: 'echo', operation: 'CreateCustomLogEvents', echoText });
    emulator.faults.add({ kind: 'echo', operation: 'ListLogGroups', echoText });
    const destination = { accountId: ACCOUNT, logGroup: GROUP, logStream: 'stream' };
    const connection = { endpoint, ...options };

    const exporter = new ServiceWatchLogsExporter(
      { ...connection, accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 'stream', retry: FAST_RETRY, meterProvider: watch.meterProvider },
      env,
    );
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 })] });
    for (let i = 0; i < 3; i++) provider.getLogger('leaks').emit({ body: `record ${i}` });
    await provider.shutdown();
    expect(exporter.metrics.snapshot().rejected).toEqual({ forbidden: 3 });

    // Called directly, the sender hands its outcome (and error) to the caller.
    const twin = new ServiceWatchLogsExporter({ ...connection, retry: FAST_RETRY }, env);
    const record = entry({ destination, timeMillis: Date.now(), timeUnixNano: BigInt(Date.now()) * 1_000_000n });
    const out = emptyEncodedRecord();
    twin.encode(record, out);
    const batch = new EncodedBatch(twin.frame(destination, record), twin.limits.perEventOverheadBytes);
    batch.append(out.fragment, out.fragmentBytes, out.size, out.timeMillis);
    watch.surface(await twin.send(destination, batch, { signal: new AbortController().signal, timeoutMillis: 5_000, attempt: 0 }));
    await twin.shutdown();

    // The provisioning API throws what the service answered.
    const provisioner = new ServiceWatchProvisioner({ ...connection, maxAttempts: 1 }, env);
    const thrown = await provisioner.findLogGroup('leak-check').catch((error: unknown) => error);
    await provisioner.close();
    expect(thrown).toBeInstanceOf(Error);
    watch.surface(thrown);

    expect(watch.sentSecrets().length).toBeGreaterThan(0);
    expect(await watch.leaks(secrets, exporter.metrics)).toEqual([]);
    expect(watch.diagLines.some((line) => line.includes('403 Forbidden') && line.includes('[REDACTED]'))).toBe(true);
  });
});
