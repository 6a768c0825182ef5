import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { LogEntry } from '@otel-cloud-logs/core';
import { HUAWEI_LTS_EMULATOR_DEFAULTS as D, HuaweiLtsEmulator } from '@otel-cloud-logs/emulators';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiCloudError } from '../src/errors.ts';
import { HuaweiLtsExporter } from '../src/exporter.ts';
import { HuaweiLtsProvisioner } from '../src/provision/index.ts';

const retry = { initialDelayMillis: 10, maxDelayMillis: 50 };
const auth = { type: 'aksk', accessKeyId: D.accessKeyId, secretAccessKey: D.secretAccessKey } as const;

let emulator: HuaweiLtsEmulator;
let connection: { endpoint: string; ingestEndpoint: string; iamEndpoint: string; gaEndpoint: string; projectId: string; auth: typeof auth };

async function start(options: ConstructorParameters<typeof HuaweiLtsEmulator>[0] = {}): Promise<void> {
  emulator = new HuaweiLtsEmulator({ logtankSettleMillis: 20, ...options });
  const url = await emulator.start();
  connection = { endpoint: url, ingestEndpoint: url, iamEndpoint: url, gaEndpoint: url, projectId: D.projectId, auth };
}

const count = (operation: string) => emulator.requestCounts.get(operation) ?? 0;

/** Entries for one destination (the same object: the exporter groups requests by destination identity). */
function entries(destination: LogEntry['destination'], from: number, length: number): LogEntry[] {
  const now = Date.now();
  return Array.from({ length }, (_, i) => ({
    timeUnixNano: BigInt(now) * 1_000_000n,
    timeMillis: now,
    body: `line ${from + i}`,
    attributes: {},
    resource: {},
    destination,
  }));
}

afterEach(() => emulator.stop());

describe('HuaweiLtsProvisioner retries like the exporters', () => {
  beforeEach(() => start());

  it('creates a group and a stream through 503s and connection resets, each failed call retried alone', async () => {
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogGroup', times: 1, retryAfterSeconds: 0 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogGroup', times: 1 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogStream', times: 1 });
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogStream', times: 1 });
    const lts = new HuaweiLtsProvisioner({ ...connection, retry });
    const result = await lts.ensureLogStream('flaky-group', 'flaky-stream', { ttlInDays: 5 });
    expect(result).toMatchObject({ createdLogGroup: true, createdLogStream: true });
    expect([count('ListLogGroups'), count('CreateLogGroup'), count('ListLogStreams'), count('CreateLogStream')]).toEqual([1, 3, 1, 3]);
    expect(emulator.faults.injected).toMatchObject({ unavailable: 2, reset: 2 });
    expect((await lts.listLogStreams(result.logGroupId)).map((s) => s.logStreamName)).toEqual(['flaky-stream']);
    await lts.close();
  });

  it('creates a logtank through a 503 and a reset, and a retry after an attempt that timed out takes the logtank it created', async () => {
    const lts = new HuaweiLtsProvisioner({ ...connection, retry });
    const { logGroupId, logStreamId } = await lts.ensureLogStream('ga', 'access');
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogtank', times: 1 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogtank', times: 1 });
    const flaky = await lts.createLogtank({ resourceId: 'listener-flaky', logGroupId, logStreamId, pollIntervalMillis: 10 });
    expect(flaky).toMatchObject({ status: 'ACTIVE', resourceId: 'listener-flaky' });
    expect(count('CreateLogtank')).toBe(3);

    // The service creates it after the client gave up waiting: the retry finds it instead of creating a second.
    emulator.faults.add({ kind: 'delay', operation: 'CreateLogtank', times: 1, delayMillis: 150 });
    const slowLts = new HuaweiLtsProvisioner({ ...connection, requestTimeoutMillis: 50, retry: { initialDelayMillis: 500, maxDelayMillis: 500 } });
    const adopted = await slowLts.createLogtank({ resourceId: 'listener-slow', logGroupId, logStreamId, pollIntervalMillis: 10 });
    expect(adopted.status).toBe('ACTIVE');
    expect([...emulator.state.logtanks.values()].filter((t) => t.resourceId === 'listener-slow').map((t) => t.id)).toEqual([adopted.id]);
    await Promise.all([lts.close(), slowLts.close()]);
  });

  it('does not retry a refusal of the request itself (4xx): it is thrown at once with what to fix', async () => {
    const lts = new HuaweiLtsProvisioner({ ...connection, retry });
    const { logGroupId } = await lts.ensureLogStream('ga', 'access');
    const before = count('CreateLogtank');
    const error = await lts.createLogtank({ resourceId: 'listener', logGroupId, logStreamId: '00000000-0000-0000-0000-000000000000' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect(error).toMatchObject({ status: 400 });
    expect(count('CreateLogtank')).toBe(before + 1);

    const bad = new HuaweiLtsProvisioner({ ...connection, auth: { ...auth, secretAccessKey: 'wrong-secret' }, retry });
    await expect(bad.ensureLogGroup('never')).rejects.toMatchObject({ status: 401, code: 'APIGW.0301' });
    expect(count('ListLogGroups')).toBe(2);
    await Promise.all([lts.close(), bad.close()]);
  });
});

describe('HuaweiLtsExporter (createMissing) retries its lookup and creation calls', () => {
  it('delivers every record through 503s, resets and throttling of the name lookup and creation, one retry per failed call', async () => {
    await start();
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogGroup', times: 2, retryAfterSeconds: 0 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogGroup', times: 1 });
    emulator.faults.add({ kind: 'throttle', operation: 'ListLogStreams', times: 1, retryAfterSeconds: 0 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogStream', times: 2 });
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogStream', times: 1 });
    const exporter = new HuaweiLtsExporter({ ...connection, createMissing: true, retry });
    const destination = { accountId: D.projectId, logGroup: 'new-group', logStream: 'new-stream' };
    // Two exports at once: both requests wait for the same lookup.
    const failures = await Promise.all([exporter.exportEntries(entries(destination, 0, 50)), exporter.exportEntries(entries(destination, 50, 50))]);
    expect(failures).toEqual([0, 0]);

    const bodies = emulator.lines(D.projectId, 'new-group', 'new-stream').map((l) => (JSON.parse(l.line) as { body: string }).body);
    expect(bodies.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`).sort());
    const injected = emulator.faults.injected;
    expect(injected).toMatchObject({ unavailable: 3, reset: 3, throttle: 1 });
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 100, droppedTotal: 0, rejectedTotal: 0, retriedRequests: 7, throttledRequests: 1 });
    expect([count('ListLogGroups'), count('CreateLogGroup'), count('ListLogStreams'), count('CreateLogStream'), count('ReportHighAccuracyLogs')]).toEqual([1, 4, 2, 4, 2]);
    await exporter.shutdown();
  });

  it('does not retry a creation refused for a configuration reason, and says what it is', async () => {
    await start({ maxGroupsPerProject: 0 });
    const reported: string[] = [];
    diag.setLogger({ error: (m) => void reported.push(m), warn: (m) => void reported.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
    const exporter = new HuaweiLtsExporter({ ...connection, createMissing: true, retry });
    const failures = await exporter.exportEntries(entries({ accountId: D.projectId, logGroup: 'over-quota', logStream: 's' }, 0, 3));
    diag.disable();
    expect(failures).toBe(1);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 0, rejected: { 'LTS.0104': 3 }, retriedRequests: 0 });
    expect(count('CreateLogGroup')).toBe(1);
    expect(reported.find((m) => m.includes('LTS.0104'))).toMatch(/not retried .*log group quota .* is used up/);
    await exporter.shutdown();
  });
});
