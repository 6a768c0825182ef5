import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator, HUAWEI_LTS_EMULATOR_DEFAULTS, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { runExample } from './support/run-example.ts';

describe('examples/plain-logger-provider.ts (LoggerProvider + ConstraintAwareBatchProcessor)', () => {
  const cloudWatch = new CloudWatchLogsEmulator();
  const huaweiLts = new HuaweiLtsEmulator();
  const serviceWatch = new ServiceWatchEmulator();
  let cloudWatchUrl: string;
  let huaweiLtsUrl: string;
  let serviceWatchUrl: string;

  beforeAll(async () => {
    [cloudWatchUrl, huaweiLtsUrl, serviceWatchUrl] = await Promise.all([cloudWatch.start(), huaweiLts.start(), serviceWatch.start()]);
  });
  afterAll(async () => {
    await Promise.all([cloudWatch.stop(), huaweiLts.stop(), serviceWatch.stop()]);
  });

  test('CloudWatch Logs: records go to the default stream, the routed one to "audit"', async () => {
    const { accessKeyId, secretAccessKey } = cloudWatch.defaultCredentials;
    const script = runExample('examples/plain-logger-provider.ts', {
      AWS_REGION: cloudWatch.region,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudWatchUrl,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    });
    expect(await script.exited(30_000)).toBe(0);
    const group = '/otel-cloud-logs/examples';
    const bodies = (stream: string) => cloudWatch.events(group, stream).map((event) => (JSON.parse(event.message) as { body: unknown }).body);
    expect(bodies('plain-logger-provider')).toEqual(['invoice created', { event: 'retrying charge', attempt: 2, card: 'visa' }]);
    expect(bodies('audit')).toEqual(['refund approved by finance']);
    expect(script.stderr()).toMatch(/cloudwatch-logs\s+set by environment\s+http:\/\/127\.0\.0\.1:\d+ /);
  });

  test('Huawei LTS: configured by HUAWEICLOUD_* variables, group and streams created, camelCase JSON lines', async () => {
    const defaults = HUAWEI_LTS_EMULATOR_DEFAULTS;
    const script = runExample('examples/plain-logger-provider.ts', {
      LOGS_PROVIDER: 'huawei-lts',
      HUAWEICLOUD_SDK_AK: defaults.accessKeyId,
      HUAWEICLOUD_SDK_SK: defaults.secretAccessKey,
      HUAWEICLOUD_SDK_PROJECT_ID: defaults.projectId,
      HUAWEICLOUD_REGION: defaults.region,
      HUAWEICLOUD_LTS_ENDPOINT: huaweiLtsUrl,
      HUAWEICLOUD_LTS_INGEST_ENDPOINT: huaweiLtsUrl,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
    });
    expect(await script.exited(30_000)).toBe(0);
    const lines = (stream: string) => huaweiLts.lines(defaults.projectId, 'otel-cloud-logs-examples', stream).map((line) => JSON.parse(line.line) as Record<string, unknown>);
    const main = lines('plain-logger-provider');
    expect(main.map((line) => line.body)).toEqual(['invoice created', { event: 'retrying charge', attempt: 2, card: 'visa' }]);
    expect(main[0]).toMatchObject({
      severityText: 'INFO',
      severityNumber: 9,
      attributes: { 'invoice.id': 'INV-1001', amount: 129.5 },
      resource: { 'service.name': 'plain-logger-provider', 'deployment.environment': 'test' },
      scope: { name: 'billing', version: '1.0.0' },
    });
    // The routing attribute chose the stream and is not repeated in the line.
    const [audit] = lines('audit');
    expect(audit).toMatchObject({ body: 'refund approved by finance', attributes: { approver: 'kim' } });
    expect(audit.attributes).not.toHaveProperty('log_stream_value');
    expect(script.stderr()).toMatch(/huawei-lts\s+accepted 3 in \d+ request\(s\)/);
  });

  test('SCP ServiceWatch: configured by SCP_* variables; the routed record goes to the value provisioning returned for "audit"', async () => {
    const script = runExample('examples/plain-logger-provider.ts', {
      LOGS_PROVIDER: 'scp-servicewatch',
      SCP_ACCESS_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.accessKey,
      SCP_SECRET_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.secretKey,
      SCP_SERVICEWATCH_ENDPOINT: serviceWatchUrl,
      OTEL_SERVICE_NAME: 'billing',
    });
    expect(await script.exited(30_000)).toBe(0);
    const streams = serviceWatch.logStreams();
    const byName = (name: string) => streams.find((stream) => stream.log_stream_name === name)!;
    expect(byName('plain-logger-provider')).toMatchObject({ log_group_name: 'otel-cloud-logs/examples' });
    expect(byName('audit')).toMatchObject({ log_group_name: 'otel-cloud-logs/examples' });
    const records = serviceWatch.records();
    expect(records.map((record) => record.body)).toEqual(['invoice created', { event: 'retrying charge', attempt: 2, card: 'visa' }, 'refund approved by finance']);
    const main = byName('plain-logger-provider');
    expect(records[0]).toMatchObject({ accountId: main.account_id, logGroupValue: main.log_group_value, logStreamValue: main.log_stream_value });
    expect(records[0].resource['service.name']).toBe('billing');
    expect(records[2]).toMatchObject({ logGroupValue: main.log_group_value, logStreamValue: byName('audit').log_stream_value });
    expect(byName('audit').log_stream_value).not.toBe(main.log_stream_value);
  });

  test('a missing variable: exits 1, counts what was not sent, and OTEL_LOG_LEVEL=warn says which variable to set', async () => {
    const defaults = HUAWEI_LTS_EMULATOR_DEFAULTS;
    const withoutProject = {
      LOGS_PROVIDER: 'huawei-lts',
      HUAWEICLOUD_SDK_AK: defaults.accessKeyId,
      HUAWEICLOUD_SDK_SK: defaults.secretAccessKey,
      HUAWEICLOUD_REGION: defaults.region,
      HUAWEICLOUD_LTS_ENDPOINT: huaweiLtsUrl,
      HUAWEICLOUD_LTS_INGEST_ENDPOINT: huaweiLtsUrl,
    };
    const quiet = runExample('examples/plain-logger-provider.ts', withoutProject);
    expect(await quiet.exited(30_000)).toBe(1);
    expect(quiet.stderr()).toMatch(/huawei-lts\s+accepted 0 in 0 request\(s\), not sent: invalid_destination 3\n {2}\(run with OTEL_LOG_LEVEL=warn to see why records were not sent\)/);

    const told = runExample('examples/plain-logger-provider.ts', { ...withoutProject, OTEL_LOG_LEVEL: 'warn' });
    expect(await told.exited(30_000)).toBe(1);
    expect(told.stderr()).toContain('no project id: set account_id on the record or resource, or the projectId option (HUAWEICLOUD_SDK_PROJECT_ID)');
    expect(told.stderr()).not.toContain(defaults.secretAccessKey);
  });
});
