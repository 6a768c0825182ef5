import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { Gateway, gatewayOptionsFromFile } from '../src/index.ts';
import { emulatorEnv, PIPELINE_YAML } from './emulator-env.ts';

const run = promisify(execFile);
const SEND_LOGS = fileURLToPath(new URL('./fixtures/send-logs.ts', import.meta.url));

describe('OTLP clients in another process → gateway → every provider emulator', () => {
  const cloudwatch = new CloudWatchLogsEmulator();
  const huawei = new HuaweiLtsEmulator();
  const scp = new ServiceWatchEmulator();
  let gateway: Gateway;
  let gatewayUrl: string;
  const clientOutput: Record<string, string> = {};

  beforeAll(async () => {
    const urls = { cloudwatch: await cloudwatch.start(), huawei: await huawei.start(), scp: await scp.start() };
    gateway = new Gateway(await gatewayOptionsFromFile(PIPELINE_YAML, { env: emulatorEnv(urls) }));
    [gatewayUrl] = (await gateway.start()) as [string];
    // Both stock exporters: OTLP/JSON plain, OTLP/protobuf gzipped.
    for (const [encoding, compression] of [['json', 'none'], ['protobuf', 'gzip']] as const) {
      const { stdout } = await run(process.execPath, [SEND_LOGS, gatewayUrl, encoding], {
        env: { ...process.env, OTEL_EXPORTER_OTLP_COMPRESSION: compression },
        timeout: 30_000,
      });
      clientOutput[encoding] = stdout;
    }
    await gateway.stop();
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([cloudwatch.stop(), huawei.stop(), scp.stop()]);
  });

  it('tells each client, as an OTLP partial success, how many records were not accepted and why', () => {
    for (const encoding of ['json', 'protobuf']) {
      expect(clientOutput[encoding]).toContain('DONE');
      expect(clientOutput[encoding]).toMatch(/WARN Received Partial Success response: .*"rejectedLogRecords":"?2"?/);
      expect(clientOutput[encoding]).toContain('1 dropped by processor filter/no_debug');
      expect(clientOutput[encoding]).toContain('1 refused by every exporter');
      expect(clientOutput[encoding]).not.toMatch(/ERROR/);
    }
  });

  it('delivers default-routed records to CloudWatch Logs once each, redacted, in the templated group and stream', () => {
    expect(cloudwatch.logGroups().map((group) => group.logGroupName)).toEqual(['checkout']);
    for (const client of ['json', 'protobuf']) {
      expect(cloudwatch.events('checkout', `web-1-${client}`).map((event) => event.message)).toEqual(['order placed by [REDACTED:email]']);
    }
  });

  it('delivers tenant=huawei records to Huawei LTS once each, redacted', () => {
    const lines = huawei.allLines();
    expect(lines.map((line) => [line.logGroupName, line.logStreamName]).sort()).toEqual([
      ['checkout', 'web-1-json'],
      ['checkout', 'web-1-protobuf'],
    ]);
    for (const line of lines) expect(line.line).toBe('card [REDACTED:credit_card] declined');
  });

  it('delivers tenant=scp records to SCP ServiceWatch once each, with attributes and trace context intact', () => {
    const records = scp.records();
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({
        accountId: ServiceWatchEmulator.DEFAULT_ACCOUNT_ID,
        logGroupValue: 'checkout',
        body: 'retrying with token=[REDACTED:secret_assignment]',
        severityNumber: 13,
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
      });
      expect(record.attributes).toMatchObject({ tenant: 'scp', attempt: 2 });
    }
    expect(records.map((record) => record.logStreamValue).sort()).toEqual(['web-1-json', 'web-1-protobuf']);
  });

  it('counts every drop: by processor in the pipeline, by reason in the exporter', () => {
    const metrics = gateway.metrics();
    expect(metrics.pipelines.logs).toEqual({ name: 'logs', received: 10, forwarded: 6, dropped: { 'filter/no_debug': 2 }, refused: 2 });
    expect(metrics.exporters.cloudwatch_logs).toMatchObject({ exported: 2, dropped: { invalid_destination: 2 }, rejectedTotal: 0 });
    expect(metrics.exporters.huawei_lts).toMatchObject({ exported: 2, droppedTotal: 0, rejectedTotal: 0 });
    expect(metrics.exporters.scp_servicewatch).toMatchObject({ exported: 2, droppedTotal: 0, rejectedTotal: 0 });
    // The JSON client sent plain bodies, the protobuf client gzipped ones.
    expect(metrics.gateway).toEqual({ responses: { '200': 2 }, requests: { json: 1, 'protobuf+gzip': 1 }, receivedRecords: 10, rejectedRecords: 4, inflightBytes: 0, peakInflightBytes: expect.any(Number) });
  });
});
