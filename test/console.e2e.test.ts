import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConstraintAwareBatchProcessor, type ConstraintAwareExporter } from '@otel-cloud-logs/core';
import { EmulatorConsole, HUAWEI_LTS_EMULATOR_DEFAULTS as LTS, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { HuaweiLtsExporter } from '@otel-cloud-logs/huawei-lts';
import { provisionCustomLogStream, ServiceWatchLogsExporter } from '@otel-cloud-logs/scp-servicewatch';

// The console's view of Huawei LTS and SCP ServiceWatch, fed by their real exporters: destinations named from the
// ids in LTS paths and from the routing values ServiceWatch provisioning answered, records as each service shows them.

const huaweiLts = new HuaweiLtsEmulator();
const serviceWatch = new ServiceWatchEmulator();
const webConsole = new EmulatorConsole({ huaweiLts, serviceWatch });
let consoleUrl: string;

beforeAll(async () => {
  await Promise.all([huaweiLts.start(), serviceWatch.start()]);
  consoleUrl = await webConsole.start();
});
afterAll(async () => {
  await webConsole.stop();
  await Promise.all([huaweiLts.stop(), serviceWatch.stop()]);
});

async function send(exporter: ConstraintAwareExporter, bodies: string[]): Promise<void> {
  const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 10 })] });
  for (const body of bodies) provider.getLogger('console-e2e').emit({ body, severityNumber: 17, severityText: 'ERROR', attributes: { orderId: 7 } });
  await provider.shutdown();
}

const fragment = async (path: string) => (await fetch(`${consoleUrl}/fragment/${path}`)).text();

describe('the console, fed by the Huawei LTS and ServiceWatch exporters', () => {
  test('LTS: destinations by group and stream name, lines with their time, and the groups with ids and TTL', async () => {
    const url = huaweiLts.url;
    const exporter = new HuaweiLtsExporter({
      region: LTS.region,
      projectId: LTS.projectId,
      auth: { type: 'aksk', accessKeyId: LTS.accessKeyId, secretAccessKey: LTS.secretAccessKey },
      endpoint: url,
      ingestEndpoint: url,
      iamEndpoint: url,
      gaEndpoint: url,
      logGroup: 'console-e2e',
      logStream: 'api',
      createMissing: true,
    });
    await send(exporter, ['stock low', 'stock out']);
    const destinations = await fragment('huawei-lts/destinations');
    expect(destinations).toContain('data-destination="console-e2e › api"');
    expect(destinations).toMatch(/records stored<\/span><b>2</);
    const records = await fragment('huawei-lts/records?range=0&filter=%22stock%20out%22');
    expect(records).toContain('data-count="1"');
    expect(records).toContain('title="log_time_ns ');
    const resources = await fragment('huawei-lts/resources');
    const group = [...huaweiLts.state.project(LTS.projectId)!.groups.values()].find((candidate) => candidate.name === 'console-e2e')!;
    expect(resources).toContain(group.id);
    expect(resources).toContain([...group.streams.values()][0]!.id);
  });

  test('ServiceWatch: destinations by the names behind the routing values, records with severity and attributes', async () => {
    const connection = { endpoint: serviceWatch.url, ...ServiceWatchEmulator.DEFAULT_CREDENTIAL };
    const stream = await provisionCustomLogStream({ ...connection, logGroupName: 'console-e2e', logStreamName: 'worker' }, {});
    const exporter = new ServiceWatchLogsExporter({ ...connection, ...stream }, {});
    await send(exporter, ['job failed', 'job retried']);
    const destinations = await fragment('servicewatch/destinations');
    expect(destinations).toContain('data-destination="console-e2e › worker"');
    expect(destinations).toMatch(/records stored<\/span><b>2</);
    const records = await fragment(`servicewatch/records?range=0&filter=${encodeURIComponent('{ $.severityText = "ERROR" }')}&scope=console-e2e/worker`);
    expect(records).toContain('data-count="2"');
    expect(records).toContain('orderId=7');
    const resources = await fragment('servicewatch/resources');
    expect(resources).toContain(stream.logGroupValue);
    expect(resources).toContain(stream.logStreamValue);
  });
});
