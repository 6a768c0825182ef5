/**
 * An application's LoggerProvider (as the NodeSDK builds it from `logRecordProcessors`) → ConstraintAwareBatchProcessor
 * → CloudWatchLogsOtlpExporter → the CloudWatch emulator's /v1/logs, with SigV4 and with an API key, protobuf and
 * JSON, gzip on and off, under injected throttling, 5xx and connection resets.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { CloudWatchLogsOtlpExporter, type CloudWatchLogsOtlpExporterOptions } from '@otel-cloud-logs/cloudwatch-logs';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The emulated service's clock runs this far ahead: records the exporter still sends are too old for it. */
const SERVICE_AHEAD = 2 * HOUR;
const fastRetry = { initialDelayMillis: 5, maxDelayMillis: 50, deadlineMillis: 60_000 };
const STREAMS = [
  { group: '/otel/app', stream: 'web-1', attributes: {} },
  { group: '/otel/app', stream: 'web-2', attributes: { log_stream_value: 'web-2' } },
  { group: '/otel/short', stream: 'jobs', attributes: { log_group_value: '/otel/short', log_stream_value: 'jobs' } },
] as const;

let emulator: CloudWatchLogsEmulator | undefined;
afterEach(() => emulator?.stop());

async function startEmulator(options: { serviceAhead?: number } = {}): Promise<CloudWatchLogsEmulator> {
  emulator = new CloudWatchLogsEmulator({ now: () => Date.now() + (options.serviceAhead ?? 0) });
  await emulator.start();
  for (const { group, stream } of STREAMS) emulator.seedLogStream(group, stream);
  emulator.seedLogGroup('/otel/short', { retentionInDays: 1 });
  for (const group of ['/otel/app', '/otel/short']) emulator.setBearerTokenAuthentication(group, true);
  return emulator;
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

interface Sent {
  readonly id: number;
  readonly where: string;
  /** Why the service refuses it, or undefined when it must arrive. */
  readonly refused?: 'too_old' | 'expired';
}

/** Mixed records over three streams: multibyte, structured, some the service refuses by time (too old, expired). */
async function emit(provider: LoggerProvider, count: number, random: () => number, yieldEvery = 500, padding = 300): Promise<Sent[]> {
  const logger = provider.getLogger('orders', '1.4.0');
  const now = Date.now();
  const sent: Sent[] = [];
  for (let id = 0; id < count; id++) {
    if (id % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
    const target = STREAMS[Math.floor(random() * STREAMS.length)]!;
    const r = random();
    let time = now - Math.floor(random() * 20 * HOUR);
    let refused: Sent['refused'];
    if (target.group === '/otel/short' && r < 0.1) {
      time = now - 2 * DAY - Math.floor(random() * DAY); // past the group's 1-day retention
      refused = 'expired';
    } else if (r < 0.05) {
      time = now - 14 * DAY + 30 * 60_000 + Math.floor(random() * HOUR); // inside the exporter's window, too old for the service's clock
      refused = 'too_old';
    }
    const body = r < 0.5 ? `#${id}| ünïcödé 日本 ${'x'.repeat(Math.floor(random() * padding))}` : { id: `#${id}|`, items: [1, 2.5, 'three'], nested: { ok: true } };
    logger.emit({ body: body as string, timestamp: time, severityText: 'INFO', severityNumber: 9, attributes: { ...target.attributes, n: id } });
    sent.push({ id, where: `${target.group}:${target.stream}`, refused });
  }
  return sent;
}

/** Every record the service accepts arrived exactly once in its stream; the refused ones are counted by reason. */
function expectExactlyOnce(service: CloudWatchLogsEmulator, sent: Sent[], exporter: CloudWatchLogsOtlpExporter): void {
  const arrived = new Map<number, string>();
  for (const { group, stream } of STREAMS) {
    for (const event of service.events(group, stream)) {
      const parsed = JSON.parse(event.message) as { body: string | { id: string }; attributes: { n: number } };
      const id = parsed.attributes.n;
      expect(arrived.has(id), `record ${id} arrived twice`).toBe(false);
      expect(JSON.stringify(parsed.body)).toContain(`#${id}|`);
      arrived.set(id, `${group}:${stream}`);
    }
  }
  const refused: Record<string, number> = {};
  for (const record of sent) {
    if (record.refused) {
      expect(arrived.has(record.id), `record ${record.id} (${record.refused}) was stored`).toBe(false);
      refused[record.refused] = (refused[record.refused] ?? 0) + 1;
    } else expect(arrived.get(record.id), `record ${record.id}`).toBe(record.where);
  }
  const snapshot = exporter.metrics.snapshot();
  expect(snapshot.rejected).toEqual(refused);
  expect(snapshot.exported).toBe(sent.length - Object.values(refused).reduce((a, b) => a + b, 0));
  expect(snapshot.dropped).toEqual({});
  expect(snapshot.queueBytes).toBe(0);
}

function exporterFor(service: CloudWatchLogsEmulator, options: CloudWatchLogsOtlpExporterOptions): CloudWatchLogsOtlpExporter {
  return new CloudWatchLogsOtlpExporter({
    region: 'us-east-1',
    endpoint: service.url,
    credentials: CLOUDWATCH_EMULATOR_CREDENTIALS,
    logGroupName: '/otel/app',
    logStreamName: 'web-1',
    retry: fastRetry,
    ...options,
  });
}

const MATRIX = [
  { auth: 'sigv4', encoding: 'protobuf', compression: 'gzip' },
  { auth: 'sigv4', encoding: 'protobuf', compression: 'none' },
  { auth: 'sigv4', encoding: 'json', compression: 'gzip' },
  { auth: 'sigv4', encoding: 'json', compression: 'none' },
  { auth: 'bearer', encoding: 'protobuf', compression: 'gzip' },
  { auth: 'bearer', encoding: 'protobuf', compression: 'none' },
  { auth: 'bearer', encoding: 'json', compression: 'gzip' },
  { auth: 'bearer', encoding: 'json', compression: 'none' },
] as const;

describe('LoggerProvider → ConstraintAwareBatchProcessor → CloudWatchLogsOtlpExporter → emulator /v1/logs', () => {
  test.each(MATRIX)('$auth, $encoding, $compression: under throttling, 5xx and resets every record arrives exactly once; refused ones are counted by reason', async ({ auth, encoding, compression }) => {
    const service = await startEmulator({ serviceAhead: SERVICE_AHEAD });
    service.faults.seed(126); // the same faults in every run
    // One sure fault first: with few requests (gzip) the random ones below may all miss.
    service.faults.add({ kind: 'unavailable', operation: 'PutOpenTelemetryLogs', times: 1, retryAfterSeconds: 0 });
    service.faults.add({ kind: 'throttle', operation: 'PutOpenTelemetryLogs', probability: 0.3, retryAfterSeconds: 0 });
    service.faults.add({ kind: 'unavailable', operation: 'PutOpenTelemetryLogs', probability: 0.15, retryAfterSeconds: 0 });
    service.faults.add({ kind: 'internal', operation: 'PutOpenTelemetryLogs', probability: 0.05 });
    service.faults.add({ kind: 'reset', operation: 'PutOpenTelemetryLogs', probability: 0.05 });
    const exporter = exporterFor(service, { encoding, compression, auth: auth === 'bearer' ? { type: 'bearer', token: service.createApiKey() } : { type: 'sigv4' } });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'orders', 'deployment.environment': 'test' }),
      processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 50 })],
    });
    const sent = await emit(provider, 4_000, seeded(encoding.length + compression.length + auth.length));
    await provider.shutdown();
    expectExactlyOnce(service, sent, exporter);
    const snapshot = exporter.metrics.snapshot();
    // Every injected fault is one retry (the faults are drawn at random, so which kinds occur varies).
    const injected = service.faults.injected;
    expect(snapshot.throttledRequests).toBe(injected.throttle);
    expect(snapshot.retriedRequests).toBe(injected.throttle + injected.unavailable + injected.internal + injected.reset);
    expect(snapshot.retriedRequests).toBeGreaterThan(0);
    expect(snapshot.rejected.too_old).toBeGreaterThan(0);
    expect(snapshot.rejected.expired).toBeGreaterThan(0);
  });

  test('a 3 MB event is kept whole with largeEvents on (its body a large log object), and cut to 1 MB without', async () => {
    const service = await startEmulator();
    const big = `#0|${'日本語のログ😀'.repeat(100_000)}`; // 3,000,003 bytes
    for (const largeEvents of [{ enabled: true }, undefined]) {
      const exporter = exporterFor(service, { largeEvents, logStreamName: largeEvents ? 'web-1' : 'web-2' });
      const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter })] });
      provider.getLogger('big').emit({ body: big, attributes: { n: 0 } });
      provider.getLogger('big').emit({ body: '#1| small', attributes: { n: 1 } });
      await provider.shutdown();
      expect(exporter.metrics.snapshot()).toMatchObject({ exported: 2, rejectedTotal: 0, truncated: largeEvents ? 0 : 1 });
    }
    const whole = service.events('/otel/app', 'web-1').map((event) => JSON.parse(event.message)).find((event) => event.attributes.n === 0);
    expect(service.logObject(whole["@ptr.$['body']"])?.value).toBe(big);
    const cut = service.events('/otel/app', 'web-2').find((event) => JSON.parse(event.message).attributes.n === 0)!;
    expect(Buffer.byteLength(cut.message) + 26).toBeLessThanOrEqual(1_048_576);
    expect(JSON.parse(cut.message).body).toMatch(/…\[truncated by otel-cloud-logs: \d+ bytes\]$/);
  });

  test("thread: 'worker' with a bearer token: the same guarantees, the twin reads the same options", async () => {
    const service = await startEmulator({ serviceAhead: SERVICE_AHEAD });
    service.faults.seed(168); // the same faults in every run
    service.faults.add({ kind: 'throttle', operation: 'PutOpenTelemetryLogs', probability: 0.2, retryAfterSeconds: 0 });
    const exporter = exporterFor(service, { auth: { type: 'bearer', token: service.createApiKey() } });
    const processor = new ConstraintAwareBatchProcessor({ exporter, thread: 'worker' });
    const provider = new LoggerProvider({ processors: [processor] });
    const sent = await emit(provider, 3_000, seeded(17));
    await provider.shutdown();
    expectExactlyOnce(service, sent, exporter);
  });

  test("thread: 'worker', in a burst the worker cannot keep up with: the records the application encodes itself (protobuf frames per resource) arrive exactly once", async () => {
    const service = await startEmulator({ serviceAhead: SERVICE_AHEAD });
    const exporter = exporterFor(service, {});
    // On the application's thread the exporter encodes only records it takes over from a lagging worker.
    const encodedHere = vi.spyOn(exporter, 'encode');
    const processor = new ConstraintAwareBatchProcessor({ exporter, thread: 'worker' });
    const provider = new LoggerProvider({ processors: [processor] });
    await processor.forceFlush(); // the worker is up
    const sent = await emit(provider, 20_000, seeded(29), Infinity, 4_000); // one event-loop turn
    expect(encodedHere.mock.calls.length).toBeGreaterThan(1_000); // 3,818–7,816 of 20,000 in three runs
    await provider.shutdown();
    expectExactlyOnce(service, sent, exporter);
  });

  test('under the stock BatchLogRecordProcessor the exporter still sends valid requests', async () => {
    const service = await startEmulator({ serviceAhead: SERVICE_AHEAD });
    service.faults.seed(193); // the same faults in every run
    service.faults.add({ kind: 'unavailable', operation: 'PutOpenTelemetryLogs', probability: 0.2, retryAfterSeconds: 0 });
    const exporter = exporterFor(service, {});
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: 10_000, maxExportBatchSize: 2_048, scheduledDelayMillis: 10 })] });
    const sent = await emit(provider, 3_000, seeded(23));
    await provider.shutdown();
    expectExactlyOnce(service, sent, exporter);
  });
});
