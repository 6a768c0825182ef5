import { ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { ServiceWatchError, ServiceWatchLogsExporter, ServiceWatchProvisioner, provisionCustomLogStream } from '@otel-cloud-logs/scp-servicewatch';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, startEmulator } from './helpers.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** OTLP/JSON records without routing attributes: they go to the exporter's provisioned stream. */
function records(count: number) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: count }, (_, i) => ({ timeUnixNano: String(now + BigInt(i)), body: { stringValue: `r${i}` } })) }] }],
  };
}

describe('provisioning from names', () => {
  it('creates the log group with retention and the custom stream, repeatably, and the exporter sends to it', async () => {
    const { emulator, connection } = await startEmulator();
    stop = () => emulator.stop();
    const stream = await provisionCustomLogStream({ ...connection, logGroupName: 'app-logs', logStreamName: 'web-1', retentionPeriodDays: 7, tags: { team: 'obs' } }, {});
    expect(stream).toEqual({
      accountId: ServiceWatchEmulator.DEFAULT_ACCOUNT_ID,
      logGroupValue: emulator.logGroups()[0]!.id,
      logStreamValue: emulator.logStreams()[0]!.log_stream_value,
      requestsPerSecond: 50,
    });
    expect(emulator.logGroups()).toMatchObject([{ name: 'app-logs', retention_period: 7, tags: [{ key: 'team', value: 'obs' }] }]);
    expect(await provisionCustomLogStream({ ...connection, logGroupName: 'app-logs', logStreamName: 'web-1' }, {})).toEqual(stream);
    expect(emulator.logGroups()).toHaveLength(1);

    const exporter = new ServiceWatchLogsExporter({ ...connection, ...stream, retry: FAST_RETRY }, {});
    expect(await exporter.exportOtlpJson(records(3))).toBe(0);
    await exporter.shutdown();
    expect(emulator.records({ accountId: stream.accountId, logGroupValue: stream.logGroupValue, logStreamValue: stream.logStreamValue }).map((r) => r.body)).toEqual(['r0', 'r1', 'r2']);
  });

  it('finds a group created by someone else, and reports a missing group clearly', async () => {
    const { emulator, connection } = await startEmulator();
    stop = () => emulator.stop();
    const provisioner = new ServiceWatchProvisioner(connection, {});
    const created = await provisioner.createLogGroup('shared');
    expect(await provisioner.ensureLogGroup('shared')).toEqual(created);
    expect(await provisioner.findLogGroup('shar')).toBeUndefined();
    const missing = provisioner.createCustomLogStream('nope', 's');
    await expect(missing).rejects.toBeInstanceOf(ServiceWatchError);
    await expect(missing).rejects.toThrow(/CreateCustomLogStream failed with 404 NotFound: log group nope not found/);
    await expect(provisioner.createLogGroup('bad', 0)).rejects.toThrow(/retentionPeriodDays/);
    await provisioner.close();
  });
});

describe('provisioning retries (the exporter policy: backoff, Retry-After, deadline)', () => {
  it('provisions through 503s, throttling and connection resets, five in a row on one call, one attempt per fault', async () => {
    const { emulator, connection } = await startEmulator();
    stop = () => emulator.stop();
    emulator.injectFault({ kind: 'unavailable', operation: 'ListLogGroups', times: 1 });
    emulator.injectFault({ kind: 'reset', operation: 'CreateLogGroup', times: 2 });
    emulator.injectFault({ kind: 'unavailable', operation: 'CreateLogGroup', times: 1, retryAfterSeconds: 0 });
    emulator.injectFault({ kind: 'throttle', operation: 'CreateCustomLogStream', times: 2, retryAfterSeconds: 0 });
    emulator.injectFault({ kind: 'reset', operation: 'CreateCustomLogStream', times: 2 });
    emulator.injectFault({ kind: 'unavailable', operation: 'CreateCustomLogStream', times: 1 });
    const stream = await provisionCustomLogStream({ ...connection, logGroupName: 'flaky', logStreamName: 's', retry: FAST_RETRY }, {});
    expect(stream.logStreamValue).toBe(emulator.logStreams()[0]!.log_stream_value);
    expect(emulator.logGroups()).toHaveLength(1);
    const counts = emulator.server.requestCounts;
    expect([counts.get('ListLogGroups'), counts.get('CreateLogGroup'), counts.get('CreateCustomLogStream')]).toEqual([2, 4, 6]);
  });

  it('does not retry a refusal of the request (missing group, wrong key): it is thrown at once', async () => {
    const { emulator, connection } = await startEmulator();
    stop = () => emulator.stop();
    const provisioner = new ServiceWatchProvisioner({ ...connection, retry: FAST_RETRY }, {});
    await expect(provisioner.createCustomLogStream('absent', 's')).rejects.toMatchObject({ status: 404, reason: 'not_found' });
    const wrongKey = new ServiceWatchProvisioner({ ...connection, secretKey: 'not-the-key', retry: FAST_RETRY }, {});
    await expect(wrongKey.findLogGroup('g')).rejects.toThrow(/401 HmacValidFail.*check the access key/);
    const counts = emulator.server.requestCounts;
    expect([counts.get('CreateCustomLogStream'), counts.get('ListLogGroups')]).toEqual([1, 1]);
    await Promise.all([provisioner.close(), wrongKey.close()]);
  });
});

describe('per-stream request rate', () => {
  it('spaces requests to the stream requests_per_second, so the service never throttles', async () => {
    const { emulator, connection } = await startEmulator({ requestsPerSecondPerStream: 20 });
    stop = () => emulator.stop();
    const stream = await provisionCustomLogStream({ ...connection, logGroupName: 'g', logStreamName: 's' }, {});
    expect(stream.requestsPerSecond).toBe(20);
    const exporter = new ServiceWatchLogsExporter({ ...connection, ...stream, retry: FAST_RETRY, limits: { maxEventsPerRequest: 1 } }, {});
    const started = Date.now();
    // 45 requests at 20/s: the emulator's bucket (20) would run dry after about a second without spacing.
    expect(await exporter.exportOtlpJson(records(45))).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_100);
    expect(emulator.logEventsRequests.map((r) => r.status)).toEqual(Array(45).fill(202));
    await exporter.shutdown();
  });

  it('without a known rate, the emulator throttles and the exporter retries until all is delivered', async () => {
    const { emulator, connection } = await startEmulator({ requestsPerSecondPerStream: 20 });
    stop = () => emulator.stop();
    const stream = await provisionCustomLogStream({ ...connection, logGroupName: 'g', logStreamName: 's' }, {});
    const exporter = new ServiceWatchLogsExporter({ ...connection, ...stream, requestsPerSecond: undefined, retry: FAST_RETRY, limits: { maxEventsPerRequest: 1 } }, {});
    expect(await exporter.exportOtlpJson(records(30))).toBe(0);
    expect(emulator.logEventsRequests.some((r) => r.status === 429)).toBe(true);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 30, droppedTotal: 0 });
    await exporter.shutdown();
  });
});
