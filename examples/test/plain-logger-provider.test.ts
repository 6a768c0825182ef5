import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { runExample } from './support/run-example.ts';

describe('examples/plain-logger-provider.ts (LoggerProvider + ConstraintAwareBatchProcessor)', () => {
  const cloudWatch = new CloudWatchLogsEmulator();
  const serviceWatch = new ServiceWatchEmulator();
  let cloudWatchUrl: string;
  let serviceWatchUrl: string;

  beforeAll(async () => {
    cloudWatchUrl = await cloudWatch.start();
    serviceWatchUrl = await serviceWatch.start();
  });
  afterAll(async () => {
    await cloudWatch.stop();
    await serviceWatch.stop();
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
  });

  test('SCP ServiceWatch: configured by SCP_* variables, the stream is provisioned and the resource carries OTEL_SERVICE_NAME', async () => {
    const script = runExample('examples/plain-logger-provider.ts', {
      LOGS_PROVIDER: 'scp-servicewatch',
      SCP_ACCESS_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.accessKey,
      SCP_SECRET_KEY: ServiceWatchEmulator.DEFAULT_CREDENTIAL.secretKey,
      SCP_SERVICEWATCH_ENDPOINT: serviceWatchUrl,
      OTEL_SERVICE_NAME: 'billing',
    });
    expect(await script.exited(30_000)).toBe(0);
    const [stream] = serviceWatch.logStreams();
    expect(stream).toMatchObject({ log_group_name: 'otel-cloud-logs/examples', log_stream_name: 'plain-logger-provider' });
    const records = serviceWatch.records();
    expect(records.map((record) => record.body)).toEqual(['invoice created', { event: 'retrying charge', attempt: 2, card: 'visa' }, 'refund approved by finance']);
    expect(records[0]).toMatchObject({ accountId: stream.account_id, logGroupValue: stream.log_group_value, logStreamValue: stream.log_stream_value });
    expect(records[0].resource['service.name']).toBe('billing');
    expect(records[2].logStreamValue).toBe('audit');
  });
});
