import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { HUAWEI_LTS_EMULATOR_DEFAULTS as D, HuaweiLtsEmulator } from '@otel-cloud-logs/emulators';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HuaweiLtsExporter, type HuaweiLtsExporterOptions } from '../src/index.ts';

const P2 = '1234567890abcdef1234567890abcdef';
const MARKER = /…\[truncated by otel-cloud-logs: \d+ bytes\]$/;
const HOUR = 3_600_000;
const retry = { initialDelayMillis: 10, maxDelayMillis: 100 };
const aksk = { type: 'aksk', accessKeyId: D.accessKeyId, secretAccessKey: D.secretAccessKey } as const;

let emulator: HuaweiLtsEmulator;
let url: string;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function exporterOptions(extra: Partial<HuaweiLtsExporterOptions> = {}): HuaweiLtsExporterOptions {
  return { endpoint: url, ingestEndpoint: url, iamEndpoint: url, gaEndpoint: url, projectId: D.projectId, auth: aksk, retry, ...extra };
}

afterEach(() => emulator.stop());

describe('HuaweiLtsExporter end to end under ConstraintAwareBatchProcessor', () => {
  beforeEach(async () => {
    emulator = new HuaweiLtsEmulator({ projects: { [D.projectId]: D.region, [P2]: 'other-region' }, maxRequestBytes: 2 * 1024 * 1024 });
    url = await emulator.start();
  });

  it('delivers every valid record exactly once across destinations by name and by id, through faults, and counts the rest by reason', async () => {
    const ordersGroup = emulator.createLogGroup(D.projectId, 'orders');
    emulator.createLogStream(D.projectId, ordersGroup, 'api');
    const p2Group = emulator.createLogGroup(P2, 'by-id-group');
    const p2Stream = emulator.createLogStream(P2, p2Group, 'by-id-stream');

    const exporter = new HuaweiLtsExporter(exporterOptions({ createMissing: true, ttlInDays: 3, maxRequestBytes: 2 * 1024 * 1024, labels: { env: 'e2e' } }));
    expect(exporter.limits.maxEventBytes).toBe(1_000_000);
    const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 50 });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'e2e' }), processors: [processor] });
    const logger = provider.getLogger('e2e');

    emulator.faults.add({ kind: 'throttle', operation: 'ReportHighAccuracyLogs', times: 3, retryAfterSeconds: 0 });
    emulator.faults.add({ kind: 'unavailable', operation: 'ReportHighAccuracyLogs', times: 3 });
    emulator.faults.add({ kind: 'reset', operation: 'ReportHighAccuracyLogs', times: 3 });
    emulator.faults.add({ kind: 'internal', operation: 'ReportHighAccuracyLogs', times: 2 });
    emulator.faults.add({ kind: 'throttle', operation: 'ListLogStreams', times: 1 });

    const destinations = [
      { account_id: D.projectId, log_group_value: 'orders', log_stream_value: 'api' },
      { account_id: D.projectId, log_group_value: 'created-group', log_stream_value: 'created-stream' },
      { account_id: P2, log_group_value: p2Group, log_stream_value: p2Stream },
    ];
    const next = random(7);
    const now = Date.now();
    const expected = new Map<number, { destination: number; truncated: boolean; body: string | undefined }>();
    const dropped = { too_old: 0, too_new: 0, invalid_destination: 0 };
    let truncated = 0;
    const total = 100_000;
    const order = Array.from({ length: total }, (_, i) => i).sort(() => next() - 0.5);
    for (const seq of order) {
      const destination = seq % 3;
      const kind = seq % 100;
      let body: string | undefined = `record ${seq} ${'ü中😀'.repeat(seq % 7)}`;
      if (kind === 5 && seq < 1000) body = 'L'.repeat(200_000 + seq * 100);
      if (seq === 42 || seq === 1742) body = `big ${'é'.repeat(600_000)}`; // 1.2 MB: truncated to the 1 MB line limit
      if (kind === 23) body = '';
      if (kind === 24) body = undefined;
      let time = now - Math.floor(next() * 23 * HOUR) + Math.floor(next() * 22 * HOUR);
      const attributes: Record<string, string | number> = { seq, ...destinations[destination] };
      // Attributes alone over the line limit: the huge one is cut, the line stays JSON.
      if (seq === 1333) attributes['zz.blob'] = '"q"'.repeat(400_000);
      if (kind === 17) {
        time = now - 25 * HOUR;
        dropped.too_old++;
      } else if (kind === 18) {
        time = now + 25 * HOUR;
        dropped.too_new++;
      } else if (kind === 19) {
        attributes.log_group_value = '.invalid-name';
        dropped.invalid_destination++;
      } else if (kind === 21) {
        attributes.account_id = 'not-a-project';
        dropped.invalid_destination++;
      } else {
        const isBig = (body?.length ?? 0) > 1_000_000 / 2 || seq === 1333;
        if (isBig) truncated++;
        expected.set(seq, { destination, truncated: isBig, body });
      }
      logger.emit({ body, attributes, timestamp: time, severityText: 'INFO', severityNumber: 9 });
    }
    await provider.forceFlush();
    await provider.shutdown();

    const seen = new Map<number, number>();
    for (const stored of emulator.allLines()) {
      const seq = Number(/"seq":(\d+)/.exec(stored.line)![1]);
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
      const want = expected.get(seq);
      expect(want, `unexpected record ${seq}`).toBeDefined();
      expect(Buffer.byteLength(stored.line)).toBeLessThanOrEqual(1_000_000);
      const line = JSON.parse(stored.line) as { body: string | null; severityText: string; attributes: { seq: number; 'zz.blob'?: string }; resource: Record<string, string> };
      if (seq === 1333) {
        expect(line.body).toBe(want!.body);
        expect(line.attributes['zz.blob']).toMatch(MARKER);
        continue;
      }
      expect(line.severityText).toBe('INFO');
      const destination = destinations[want!.destination]!;
      expect(stored.projectId).toBe(destination.account_id);
      expect([stored.logGroupName, stored.logGroupId]).toContain(destination.log_group_value);
      expect([stored.logStreamName, stored.logStreamId]).toContain(destination.log_stream_value);
      expect(stored.labels).toEqual({ env: 'e2e' });
      expect(line.resource).toEqual({ 'service.name': 'e2e' });
      if (want!.truncated) {
        expect(line.body).toMatch(MARKER);
      } else {
        // A record without a body keeps its place in the envelope as null.
        expect(line.body).toBe(want!.body ?? null);
      }
    }
    expect(seen.size).toBe(expected.size);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);

    const metrics = exporter.metrics.snapshot();
    expect(metrics.exported).toBe(expected.size);
    expect(metrics.dropped).toEqual(dropped);
    expect(metrics.truncated).toBe(truncated);
    expect(metrics.rejectedTotal).toBe(0);
    // One retry per injected fault: the throttled lookup that several requests waited for is retried once, not once per request.
    const { throttle, unavailable, internal, reset } = emulator.faults.injected;
    expect(throttle + unavailable + internal + reset).toBe(12);
    expect(metrics.retriedRequests).toBe(12);
    expect(metrics.throttledRequests).toBe(throttle);
    // Names were looked up once per destination, not once per request.
    expect(emulator.requestCounts.get('ListLogGroups')).toBe(2);
    expect(emulator.requestCounts.get('ListLogStreams')).toBe(3); // two names, one throttled lookup tried again
    expect(emulator.requestCounts.get('CreateLogGroup')).toBe(1);
    expect(emulator.requestCounts.get('CreateLogStream')).toBe(1);
    const created = emulator.state.project(D.projectId)!;
    expect([...created.groups.values()].find((g) => g.name === 'created-group')?.ttlInDays).toBe(3);
  });

  it("delivers from a worker thread (thread: 'worker'), rebuilt from its plain options, exactly once through faults, the records the application encodes itself for the lagging worker included", async () => {
    const exporter = new HuaweiLtsExporter(exporterOptions({ logGroup: 'worker-group', logStream: 'worker-stream', createMissing: true, labels: { env: 'w' }, meterProvider: metrics.getMeterProvider() }));
    const recipe = exporter.recipeForWorker();
    expect(recipe).toMatchObject({ moduleUrl: new URL('../src/exporter.ts', import.meta.url).href, exportName: 'HuaweiLtsExporter' });
    // The meter provider is an object a thread cannot take; it stays on the application's thread.
    expect(typeof recipe === 'string' ? recipe : recipe.options).not.toHaveProperty('meterProvider');
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, thread: 'worker', scheduledDelayMillis: 20 })] });
    emulator.faults.add({ kind: 'unavailable', operation: 'ReportHighAccuracyLogs', times: 2 });
    emulator.faults.add({ kind: 'reset', operation: 'ReportHighAccuracyLogs', times: 1 });
    // On the application's thread the exporter encodes only records it takes over from a lagging worker: ~13 MB
    // logged in one go leave the worker behind.
    const encodedHere = vi.spyOn(exporter, 'encode');
    const total = 10_000;
    for (let seq = 0; seq < total; seq++) provider.getLogger('worker').emit({ body: `worker ${seq} ${'ü中😀'.repeat(150)}`, attributes: { seq } });
    expect(encodedHere.mock.calls.length).toBeGreaterThan(1_000); // 3,651–4,452 in three runs
    await provider.shutdown();

    const lines = emulator.lines(D.projectId, 'worker-group', 'worker-stream');
    expect(new Set(lines.map((stored) => (JSON.parse(stored.line) as { attributes: { seq: number } }).attributes.seq)).size).toBe(total);
    expect(lines).toHaveLength(total);
    expect(lines.every((stored) => stored.labels.env === 'w')).toBe(true);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: total, droppedTotal: 0, rejectedTotal: 0, retriedRequests: 3 });
  });

  it('counts service refusals by code without retrying (quota full, odd body code, missing stream, bad credentials, wrong project) and reports them without secrets', async () => {
    const group = emulator.createLogGroup(D.projectId, 'g');
    const stream = emulator.createLogStream(D.projectId, group, 's');
    const emit = async (exporter: HuaweiLtsExporter, attributes: Record<string, string>, count: number) => {
      const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 20 });
      const provider = new LoggerProvider({ processors: [processor] });
      for (let i = 0; i < count; i++) provider.getLogger('t').emit({ body: `line ${i}`, attributes });
      await provider.shutdown();
      return exporter.metrics.snapshot();
    };

    const reported: string[] = [];
    const collect = (message: string) => void reported.push(message);
    diag.setLogger({ error: collect, warn: collect, info: collect, debug: collect, verbose: collect }, DiagLogLevel.WARN);

    emulator.setQuotaFull(true);
    const quota = await emit(new HuaweiLtsExporter(exporterOptions({ logGroup: 'g', logStream: 's' })), {}, 5);
    expect(quota.rejected).toEqual({ 'SVCSTG.ALS.200.210': 5 });
    expect(quota.retriedRequests).toBe(0);
    expect(reported.find((m) => m.includes('SVCSTG.ALS.200.210'))).toMatch(/log quota .* is full/);
    emulator.setQuotaFull(false);

    emulator.injectReportAnswer({ code: 'SVCSTG.ALS.200.299', times: 1 });
    const oddCode = await emit(new HuaweiLtsExporter(exporterOptions({ logGroup: 'g', logStream: 's' })), {}, 3);
    expect(oddCode.rejected).toEqual({ 'SVCSTG.ALS.200.299': 3 });
    expect(oddCode.exported).toBe(0);

    const missing = await emit(new HuaweiLtsExporter(exporterOptions({ logGroup: 'g', logStream: 'absent' })), {}, 4);
    expect(missing.rejected).toEqual({ 'LTS.0208': 4 });

    const badAuth = await emit(new HuaweiLtsExporter(exporterOptions({ logGroup: 'g', logStream: 's', auth: { ...aksk, secretAccessKey: 'sk-wrong-6f1d' } })), {}, 2);
    expect(badAuth.rejected).toEqual({ 'APIGW.0301': 2 });
    expect(badAuth.retriedRequests).toBe(0);
    const token = emulator.issueToken({ projectId: P2 });
    // By ids, so that the report itself meets the token of another project.
    const wrongProject = await emit(new HuaweiLtsExporter(exporterOptions({ logGroup: group, logStream: stream, auth: { type: 'token', token } })), {}, 3);
    expect(wrongProject.rejected).toEqual({ 'SVCSTG.ALS.403.105': 3 });
    expect(emulator.lines(D.projectId, 'g', 's')).toEqual([]);

    diag.disable();
    expect(reported.some((m) => m.includes('APIGW.0301'))).toBe(true);
    for (const secret of ['sk-wrong-6f1d', D.secretAccessKey, token, 'Signature=']) {
      expect(reported.filter((m) => m.includes(secret))).toEqual([]);
    }
  });
});

describe('HuaweiLtsExporter under the stock BatchLogRecordProcessor', () => {
  beforeEach(async () => {
    // Room for one 1 MB line and its frame: a line over the 512 KiB request target travels alone.
    emulator = new HuaweiLtsEmulator({ maxRequestBytes: 1_000_000 + 1_024 });
    url = await emulator.start();
  });

  it('sends text lines with password auth, keeps an exactly-at-limit (1 MB) line whole, alone in its request, and truncates one byte more', async () => {
    const group = emulator.createLogGroup(D.projectId, 'stock');
    const stream = emulator.createLogStream(D.projectId, group, 'lines');
    const exporter = new HuaweiLtsExporter(exporterOptions({ auth: { type: 'password', ...D.user }, logGroup: 'stock', logStream: stream, lineFormat: 'text' }));
    const limit = exporter.limits.maxEventBytes;
    expect(limit).toBe(1_000_000); // over the 512 KiB request target: such a line travels alone
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 20 })] });
    emulator.faults.add({ kind: 'unavailable', operation: 'ReportHighAccuracyLogs', times: 2 });
    const logger = provider.getLogger('stock');
    const atLimit = 'a'.repeat(limit);
    logger.emit({ body: atLimit });
    logger.emit({ body: `${'b'.repeat(limit)}c` });
    for (let i = 0; i < 1500; i++) logger.emit({ body: `small ${i} ✓` });
    await provider.forceFlush();
    await provider.shutdown();

    const lines = emulator.lines(D.projectId, group, stream).map((l) => l.line);
    expect(lines).toHaveLength(1502);
    expect(lines).toContain(atLimit);
    const cut = lines.find((l) => l.startsWith('b'))!;
    expect(cut).toMatch(MARKER);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
    expect(new Set(lines.filter((l) => l.startsWith('small'))).size).toBe(1500);
    const metrics = exporter.metrics.snapshot();
    expect(metrics).toMatchObject({ exported: 1502, truncated: 1, droppedTotal: 0, rejectedTotal: 0 });
    expect(emulator.requestCounts.get('CreateToken')).toBe(1);
  });
});
