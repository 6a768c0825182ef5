import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator, HUAWEI_LTS_EMULATOR_DEFAULTS, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { runExample } from './support/run-example.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first ts block under a `### heading` of examples/README.md. */
function blockUnder(heading: string): string {
  const section = README.indexOf(`\n### ${heading}\n`);
  if (section < 0) throw new Error(`examples/README.md has no section "${heading}"`);
  const match = /```ts\n([\s\S]*?)```/.exec(README.slice(section));
  if (!match) throw new Error(`no ts block under "${heading}"`);
  return match[1]!;
}

/**
 * The README's telemetry.ts for logs only (its two commented lines switched on), then what an app does: a pino
 * line inside a span, and shutdown. Run as a user runs it, configured only by environment variables.
 */
async function runTelemetry(name: string, heading: string, env: Record<string, string>): Promise<void> {
  const appCode = `
const { trace } = await import('@opentelemetry/api');
const { createRequire } = await import('node:module');
const logger = createRequire(import.meta.url)('pino')();
trace.getTracer('app').startActiveSpan('pay', (span) => {
  logger.info({ orderId: 7 }, 'order paid 注文');
  span.end();
});
await sdk.shutdown();
`;
  const telemetry = blockUnder(heading).replace('// spanProcessors:', 'spanProcessors:').replace('// metricReaders:', 'metricReaders:');
  await runFile(name, telemetry + appCode, env);
}

async function runFile(name: string, code: string, env: Record<string, string>): Promise<void> {
  const file = `examples/.readme-use-${name}.ts`;
  writeFileSync(new URL(`../../${file}`, import.meta.url), code);
  try {
    const run = runExample(file, env);
    expect(await run.exited(30_000), run.stderr()).toBe(0);
  } finally {
    rmSync(new URL(`../../${file}`, import.meta.url), { force: true });
  }
}

interface JsonLine {
  body: unknown;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  traceId?: string;
}

describe('examples/README.md "Use it in your app" runs as written, configured by each ecosystem\'s variables', () => {
  const cloudWatch = new CloudWatchLogsEmulator();
  const huaweiLts = new HuaweiLtsEmulator();
  const serviceWatch = new ServiceWatchEmulator();
  let awsEnv: Record<string, string>;
  let huaweiUrl: string;
  let serviceWatchUrl: string;

  beforeAll(async () => {
    const [cloudWatchUrl] = await Promise.all([cloudWatch.start(), huaweiLts.start().then((url) => (huaweiUrl = url)), serviceWatch.start().then((url) => (serviceWatchUrl = url))]);
    const { accessKeyId, secretAccessKey } = cloudWatch.defaultCredentials;
    awsEnv = { AWS_REGION: cloudWatch.region, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudWatchUrl, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
  });
  afterAll(async () => {
    await Promise.all([cloudWatch.stop(), huaweiLts.stop(), serviceWatch.stop()]);
  });

  test('Amazon CloudWatch Logs: the group is created with its retention; the pino record carries the trace id', async () => {
    await runTelemetry('cloudwatch', 'Amazon CloudWatch Logs', awsEnv);
    const [record] = cloudWatch.events('/my-company/checkout', 'web-1').map((event) => JSON.parse(event.message) as JsonLine);
    expect(record).toMatchObject({ body: 'order paid 注文', attributes: { orderId: 7 } });
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(cloudWatch.logGroup('/my-company/checkout')?.retentionInDays).toBe(30);
  });

  test('Amazon CloudWatch Logs through its OTLP endpoint: SigV4, then the same code with AWS_BEARER_TOKEN_LOGS', async () => {
    cloudWatch.setBearerTokenAuthentication('/my-company/checkout', true);
    await runTelemetry('cloudwatch-otlp-sigv4', 'Amazon CloudWatch Logs through its OTLP endpoint', awsEnv);
    // No AWS credentials at all: only the API key (were it signing instead, the run would fail).
    const { AWS_ACCESS_KEY_ID: _, AWS_SECRET_ACCESS_KEY: __, ...withoutKeys } = awsEnv;
    const apiKey = cloudWatch.createApiKey({ logGroupNames: ['/my-company/checkout'] });
    await runTelemetry('cloudwatch-otlp-bearer', 'Amazon CloudWatch Logs through its OTLP endpoint', { ...withoutKeys, AWS_BEARER_TOKEN_LOGS: apiKey });
    const records = cloudWatch.events('/my-company/checkout', 'web-1').map((event) => JSON.parse(event.message) as JsonLine);
    expect(records.slice(-2)).toEqual([0, 1].map(() => expect.objectContaining({ body: 'order paid 注文', attributes: { orderId: 7 }, resource: { attributes: expect.objectContaining({ 'service.name': 'checkout' }) } })));
    for (const record of records.slice(-2)) expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('Huawei Cloud LTS: group and stream created by name; one camelCase JSON line per record', async () => {
    const defaults = HUAWEI_LTS_EMULATOR_DEFAULTS;
    await runTelemetry('huawei-lts', 'Huawei Cloud LTS', {
      HUAWEICLOUD_REGION: defaults.region,
      HUAWEICLOUD_SDK_PROJECT_ID: defaults.projectId,
      HUAWEICLOUD_SDK_AK: defaults.accessKeyId,
      HUAWEICLOUD_SDK_SK: defaults.secretAccessKey,
      HUAWEICLOUD_LTS_ENDPOINT: huaweiUrl,
      HUAWEICLOUD_LTS_INGEST_ENDPOINT: huaweiUrl,
    });
    const [record] = huaweiLts.lines(defaults.projectId, 'checkout', 'web-1').map((line) => JSON.parse(line.line) as JsonLine);
    expect(record).toMatchObject({ body: 'order paid 注文', attributes: { orderId: 7 }, resource: { 'service.name': 'checkout' } });
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('SCP ServiceWatch: the custom log stream is provisioned and records are routed by its values', async () => {
    await runTelemetry('scp-servicewatch', 'SCP ServiceWatch', {
      SCP_SERVICEWATCH_ENDPOINT: serviceWatchUrl,
      SCP_ACCESS_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.accessKey,
      SCP_SECRET_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.secretKey,
    });
    const stream = serviceWatch.logStreams().find((candidate) => candidate.log_stream_name === 'web-1')!;
    expect(stream).toMatchObject({ log_group_name: 'checkout' });
    const [record] = serviceWatch.records();
    expect(record).toMatchObject({ body: 'order paid 注文', accountId: stream.account_id, logGroupValue: stream.log_group_value, logStreamValue: stream.log_stream_value });
    expect(record.resource['service.name']).toBe('checkout');
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('Without NodeSDK: a LoggerProvider of your own', async () => {
    await runFile('plain', blockUnder('Without NodeSDK'), awsEnv);
    const records = cloudWatch.events('/my-company/billing', 'worker-1').map((event) => JSON.parse(event.message) as JsonLine);
    expect(records).toEqual([expect.objectContaining({ body: 'invoice created', attributes: { 'invoice.id': 'INV-1001' } })]);
  });
});
