import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor, EncodedBatch, emptyEncodedRecord, type Destination } from '@otel-cloud-logs/core';
import { HUAWEI_LTS_EMULATOR_DEFAULTS as D, HuaweiLtsEmulator } from '@otel-cloud-logs/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formsOf, SecretLeakWatch } from '../../core/test/support/secret-leaks.ts';
import { HuaweiLtsExporter, HuaweiLtsProvisioner, type HuaweiCloudAuth } from '../src/index.ts';

// Secrets with the characters that JSON escaping and URL encoding change, so that every form is exercised.
const USER = { domainName: 'leak-account', userName: 'leak-user', password: 'pa/ss+w"rd-3c9e' };
const AKSK = { type: 'aksk', accessKeyId: 'HWLEAKAK00000000001', secretAccessKey: 'hw-sk/with+plus"quote-7d21' } as const;
const STS = { type: 'aksk', accessKeyId: 'HWLEAKSTS0000000002', secretAccessKey: 'hw-sts-sk/4b8f+e', securityToken: 'gQ5sts-token/with+slash==-8a1c' } as const;

const emulator = new HuaweiLtsEmulator({ users: [USER] });
let url: string;
let destination: Destination;
let watch: SecretLeakWatch;

beforeAll(async () => {
  url = await emulator.start();
  const group = emulator.createLogGroup(D.projectId, 'leaks');
  destination = { accountId: D.projectId, logGroup: group, logStream: emulator.createLogStream(D.projectId, group, 'leaks') };
});
afterAll(() => emulator.stop());
afterEach(async () => {
  emulator.faults.clear();
  await watch.stop();
});

/** The exporter's own secrets, and the others a service might quote from what it knows of the caller. */
function secretsOf(auth: HuaweiCloudAuth): string[] {
  if (auth.type === 'aksk') return [auth.accessKeyId, auth.secretAccessKey, ...(auth.securityToken ? [auth.securityToken] : [])];
  return auth.type === 'token' ? [auth.token] : [auth.password];
}

function oneRecord(exporter: HuaweiLtsExporter): EncodedBatch {
  const out = emptyEncodedRecord();
  const now = Date.now();
  exporter.encode({ timeUnixNano: BigInt(now) * 1_000_000n, timeMillis: now, body: 'hello', attributes: {}, resource: {}, destination }, out);
  const batch = new EncodedBatch(exporter.frame(), exporter.limits.perEventOverheadBytes);
  batch.append(out.fragment, out.fragmentBytes, out.size, out.timeMillis);
  return batch;
}

const kinds: [string, () => HuaweiCloudAuth][] = [
  ['AK/SK', () => AKSK],
  ['AK/SK with a securityToken', () => STS],
  ['a static IAM token', () => ({ type: 'token', token: emulator.issueToken() })],
  ['a password (IAM token obtained by the exporter)', () => ({ type: 'password', ...USER })],
];

describe('no secret of any Huawei credential kind reaches a diag line, an error or a metric', () => {
  it.each(kinds)('%s, when the gateway refuses with a 403 that quotes the request headers and the secrets', async (_, authOf) => {
    watch = new SecretLeakWatch();
    const auth = authOf();
    const secrets = secretsOf(auth);
    const options = { endpoint: url, ingestEndpoint: url, iamEndpoint: url, gaEndpoint: url, projectId: D.projectId, auth };
    const echoText = `(caller's secrets: ${secrets.flatMap(formsOf).join(' ')})`;
    emulator.faults.add({ kind: 'echo', operation: 'ReportHighAccuracyLogs', echoText });
    emulator.faults.add({ kind: 'echo', operation: 'ListLogGroups', echoText });

    const exporter = new HuaweiLtsExporter({ ...options, logGroup: destination.logGroup, logStream: destination.logStream, meterProvider: watch.meterProvider });
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 })] });
    for (let i = 0; i < 3; i++) provider.getLogger('leaks').emit({ body: `record ${i}` });
    await provider.shutdown();
    expect(exporter.metrics.snapshot().rejected).toEqual({ 'APIGW.0301': 3 });

    // Called directly, the sender hands its outcome (and error) to the caller.
    const twin = new HuaweiLtsExporter(options);
    watch.surface(await twin.send(destination, oneRecord(twin), { signal: new AbortController().signal, timeoutMillis: 5_000, attempt: 0 }));
    await twin.shutdown();

    // The provisioning API throws what the service answered.
    const provisioner = new HuaweiLtsProvisioner(options);
    const thrown = await provisioner.ensureLogGroup('leak-check').catch((error: unknown) => error);
    await provisioner.close();
    expect(thrown).toBeInstanceOf(Error);
    watch.surface(thrown);

    const sent = watch.sentSecrets();
    expect(sent.length).toBeGreaterThan(0);
    expect(await watch.leaks(secrets, exporter.metrics)).toEqual([]);
    expect(watch.diagLines.some((line) => line.includes('APIGW.0301') && line.includes('[REDACTED]'))).toBe(true);
  });
});
