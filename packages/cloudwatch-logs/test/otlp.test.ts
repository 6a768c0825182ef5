import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor, emptyEncodedRecord, planRequests, type Destination, type LogEntry } from '@otel-cloud-logs/core';
import { CloudWatchLogsOtlpExporter, otlpRecordSize, partialSuccessCounts, type CloudWatchLogsOtlpExporterOptions, type OtlpEncoding } from '@otel-cloud-logs/cloudwatch-logs';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const GROUP = '/app/otlp';
const STREAM = 'web-1';
const destination: Destination = { logGroup: GROUP, logStream: STREAM, accountId: '' };
const fastRetry = { initialDelayMillis: 5, maxDelayMillis: 20, deadlineMillis: 10_000 };
let emulator: CloudWatchLogsEmulator;

beforeEach(async () => {
  emulator = new CloudWatchLogsEmulator();
  await emulator.start();
  emulator.seedLogStream(GROUP, STREAM);
});
afterEach(() => emulator.stop());

/** Exports `entries` through a fresh exporter and shuts it down; the records it could not deliver. */
async function exportOnce(exporter: CloudWatchLogsOtlpExporter, entries: LogEntry[]): Promise<number> {
  const failed = await exporter.exportEntries(entries);
  await exporter.shutdown();
  return failed;
}

function exporterFor(options: CloudWatchLogsOtlpExporterOptions = {}, env: NodeJS.ProcessEnv = {}): CloudWatchLogsOtlpExporter {
  return new CloudWatchLogsOtlpExporter(
    { region: 'us-east-1', endpoint: emulator.url, credentials: CLOUDWATCH_EMULATOR_CREDENTIALS, logGroupName: GROUP, logStreamName: STREAM, retry: fastRetry, ...options },
    env,
  );
}

const RESOURCE = { 'service.name': 'orders', 'host.name': 'h-ü', log_group_value: GROUP };
const SCOPE = { name: 'orders-lib', version: '1.0' };

function entry(body: unknown, extra: Partial<LogEntry> = {}, timeMillis = Date.now()): LogEntry {
  return { timeUnixNano: BigInt(timeMillis) * 1_000_000n + 123n, timeMillis, body, attributes: {}, resource: RESOURCE, scope: SCOPE, destination, ...extra };
}

/** Values whose sizes are easy to get wrong: escapes, multibyte, lone surrogates, numbers at the edges, nesting. */
const TRICKY: unknown[] = [
  'plain',
  '',
  'quote " backslash \\ newline \n tab \t bell \u0007 nul \u0000 del \u007f',
  '日本語 ü 😀 \u2028 separator',
  'lone \ud800 and \udfff surrogates, a high one last \ud83d',
  `long: ${'é"\\\n\u0003😀\ud800 '.repeat(40)}`, // past the short-string path: measured natively
  'x'.repeat(64),
  'y'.repeat(65),
  0,
  -1,
  2 ** 53 - 1,
  -(2 ** 63),
  2 ** 63,
  1.5e-7,
  NaN,
  Infinity,
  -0,
  123456789012345678901234567890n,
  -42n,
  true,
  null,
  undefined,
  new Uint8Array([1, 2, 3, 4, 5, 6, 7]),
  [],
  [1, ['two', [3.5, null]], { k: 'v' }],
  { 'key "quoted"': 'v\n', 日本: { deep: [true, false] }, empty: {} },
];

describe('CloudWatchLogsOtlpExporter: the size it counts is what the service stores', () => {
  test.each(['protobuf', 'json'] as const)('%s: every record counts exactly the bytes of its stored event', async (encoding) => {
    const exporter = exporterFor({ encoding });
    const entries = TRICKY.map((body, id) =>
      entry(body, {
        attributes: { id, log_stream_value: STREAM, 'attr "ü"': String(body), nested: { list: [id, `${id}`] } },
        severityNumber: id % 2 ? 9 : undefined,
        severityText: id % 3 ? 'WARN' : undefined,
        traceId: id % 2 ? '5b8efff798038103d269b633813fc60c' : undefined,
        spanId: id % 2 ? 'eee19b7ec3c1b174' : undefined,
        traceFlags: id % 2,
        eventName: id === 3 ? 'evt "x"' : undefined,
        scope: id % 4 === 0 ? undefined : id % 4 === 1 ? { name: 'only-name' } : SCOPE,
        observedTimeUnixNano: id % 5 ? 1_700_000_000_000_000_001n : undefined,
      }),
    );
    expect(await exporter.exportEntries(entries)).toBe(0);
    const stored = emulator.events(GROUP, STREAM).map((event) => event.message);
    expect(stored).toHaveLength(entries.length);
    for (const message of stored) {
      const id = JSON.parse(message).attributes.id as number;
      expect(Buffer.byteLength(message), `record ${id}: ${message.slice(0, 200)}`).toBe(otlpRecordSize(entries[id]!));
    }
    expect(stored.join('\n')).not.toMatch(/log_group_value|log_stream_value/);
  });

  test('protobuf: lengths around every varint boundary (one byte kept per length, the message moved up when it needs more) arrive intact', async () => {
    const exporter = exporterFor({ encoding: 'protobuf' });
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const bodies: unknown[] = [
      ...[...range(60, 70), ...range(118, 132), ...range(16_370, 16_390)].map((n) => 'x'.repeat(n)),
      // Short strings (≤ 64 units) of 2- and 3-byte characters: up to 192 bytes, written natively after an ASCII start.
      ...range(40, 66).map((n) => `a${'é'.repeat(n - 1)}`),
      ...range(40, 66).map((n) => '日'.repeat(n)),
      // Nested messages (the kvlist, its key-value, the body) crossing 128 and 16,384 bytes together.
      ...range(105, 130).map((n) => ({ k: 'v'.repeat(n), list: ['é'.repeat(n % 7)] })),
      ...range(16_360, 16_380).map((n) => ({ deep: { deeper: ['y'.repeat(n)] } })),
    ];
    const entries = bodies.map((body, id) => entry(body, { attributes: { id } }));
    expect(await exporter.exportEntries(entries)).toBe(0);
    const stored = emulator.events(GROUP, STREAM).map((event) => event.message);
    expect(stored).toHaveLength(entries.length);
    for (const message of stored) {
      const event = JSON.parse(message) as { attributes: { id: number }; body: unknown };
      const id = event.attributes.id;
      expect(event.body, `record ${id}`).toEqual(bodies[id]);
      expect(Buffer.byteLength(message), `record ${id}`).toBe(otlpRecordSize(entries[id]!));
    }
  });

  test.each(['protobuf', 'json'] as const)('%s: records filling exactly 1,048,576 bytes (with 26 each) travel in one request the endpoint accepts; one byte more makes two', async (encoding) => {
    const exporter = exporterFor({ encoding });
    const base = otlpRecordSize(entry(''));
    // 15 records of 2-byte 'é' bodies and one ASCII record that takes the remainder.
    const perRecord = Math.floor(1_048_576 / 16);
    const body = 'é'.repeat(Math.floor((perRecord - 26 - base) / 2));
    const bodies = Array.from({ length: 15 }, () => body);
    const used = bodies.reduce((sum, b) => sum + base + Buffer.byteLength(b) + 26, 0);
    bodies.push('x'.repeat(1_048_576 - used - base - 26));
    const entries = bodies.map((b) => entry(b));
    expect(entries.reduce((sum, e) => sum + otlpRecordSize(e) + 26, 0)).toBe(1_048_576);
    const plan = planRequests(exporter, entries, Date.now(), 'truncate', (e, out) => exporter.encodeEntry(e, out));
    expect(plan.requests.map(({ batch }) => batch.requestBytes)).toEqual([1_048_576]);
    expect(await exporter.exportEntries(entries)).toBe(0);
    expect(emulator.requestCount('PutOpenTelemetryLogs')).toBe(1);

    const over = [...entries.slice(0, 15), entry(`${bodies[15]}y`)];
    expect(await exporter.exportEntries(over)).toBe(0);
    expect(emulator.requestCount('PutOpenTelemetryLogs')).toBe(3);
    expect(emulator.events(GROUP, STREAM)).toHaveLength(32);
  });
});

describe('CloudWatchLogsOtlpExporter: events over 1 MB', () => {
  const big = `#big|${'ü'.repeat(1_500_000)}`; // 3 MB

  test('with largeEvents off they are cut to fit (a visible marker) or dropped, counted either way', async () => {
    const cutting = exporterFor();
    expect(await cutting.exportEntries([entry(big, { attributes: { note: 'kept' } })])).toBe(0);
    const [event] = emulator.events(GROUP, STREAM);
    expect(Buffer.byteLength(event!.message) + 26).toBeLessThanOrEqual(1_048_576);
    expect(JSON.parse(event!.message)).toMatchObject({ attributes: { note: 'kept' }, body: expect.stringMatching(/^#big\|ü+…\[truncated by otel-cloud-logs: \d+ bytes\]$/) });
    expect(cutting.metrics.snapshot().truncated).toBe(1);

    const dropping = exporterFor({ oversizeEvents: 'drop' });
    await dropping.exportEntries([entry(big)]);
    expect(dropping.metrics.snapshot().dropped).toEqual({ oversize: 1 });
  });

  test('with largeEvents on they travel whole, alone in their request, with the truncatable fields named', async () => {
    const exporter = exporterFor({ largeEvents: { enabled: true, truncatableFields: ['body'] } });
    const time = Date.now();
    expect(await exporter.exportEntries([entry('small one', {}, time), entry('small two', {}, time), entry(big, {}, time)])).toBe(0);
    expect(emulator.requestCount('PutOpenTelemetryLogs')).toBe(2);
    const large = emulator.events(GROUP, STREAM).map((event) => JSON.parse(event.message)).find((event) => event["@ptr.$['body']"]);
    expect(emulator.logObject(large["@ptr.$['body']"])?.value).toBe(big);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 3, truncated: 0 });
    // The header reaches the service: allowed to cut only a field that is not large, it cannot keep the event.
    const narrow = exporterFor({ largeEvents: { enabled: true, truncatableFields: ['attributes.note'] } });
    await narrow.exportEntries([entry(big, { attributes: { note: 'small' } })]);
    expect(narrow.metrics.snapshot().rejected).toEqual({ InvalidParameterException: 1 });
  });
});

describe('CloudWatchLogsOtlpExporter: configuration', () => {
  test('bearer tokens: from auth.token or AWS_BEARER_TOKEN_LOGS (the default auth when set); never in an error', () => {
    expect(exporterFor({}, { AWS_BEARER_TOKEN_LOGS: 'ACWLfromenv' }).authType).toBe('bearer');
    expect(exporterFor({}).authType).toBe('sigv4');
    expect(exporterFor({ auth: { type: 'sigv4' } }, { AWS_BEARER_TOKEN_LOGS: 'ACWLfromenv' }).authType).toBe('sigv4');
    expect(() => exporterFor({ auth: { type: 'bearer' } })).toThrow(/pass auth.token or set AWS_BEARER_TOKEN_LOGS/);
    const bad = 'ACWLsecretXYZ value\n';
    expect(() => exporterFor({ auth: { type: 'bearer', token: bad } })).toThrow(/printable ASCII/);
    try {
      exporterFor({ auth: { type: 'bearer', token: bad } });
    } catch (error) {
      expect((error as Error).message).not.toContain('secretXYZ');
    }
    expect(() => exporterFor({ endpoint: 'http://logs.example.com', auth: { type: 'bearer', token: 'ACWLx' } })).toThrow(/https only/);
    expect(() => exporterFor({ auth: { type: 'bearer', token: 'ACWLx' }, createLogStream: true })).toThrow(/need SigV4 credentials/);
  });

  test('bad options say what to fix', () => {
    expect(() => exporterFor({ encoding: 'xml' as OtlpEncoding })).toThrow(/encoding must be 'protobuf' or 'json'/);
    expect(() => exporterFor({ compression: 'zstd' as 'gzip' })).toThrow(/compression must be 'gzip' or 'none'/);
    for (const level of [0, 10, 1.5, Number.NaN]) expect(() => exporterFor({ compressionLevel: level })).toThrow(/compressionLevel must be an integer from 1 \(fastest\) to 9/);
    expect(() => exporterFor({ compression: 'none', compressionLevel: 5 })).toThrow(/compressionLevel applies to gzip only/);
    expect(() => exporterFor({ largeEvents: { enabled: true, truncatableFields: ['a,b'] } })).toThrow(/without commas/);
    expect(() => exporterFor({ logStreamName: 'bad:name' })).toThrow(/logStreamName/);
    expect(exporterFor().endpoint.pathname).toBe('/v1/logs');
    expect(exporterFor({ endpoint: `${emulator.url}/v1/logs` }).endpoint.pathname).toBe('/v1/logs');
  });

  test('gzip runs at level 1 unless compressionLevel says otherwise, and every level arrives intact', async () => {
    const gzipFlags: number[] = [];
    const wireBytes: number[] = [];
    emulator.observeRequests(({ request }) => {
      if (request.headers['content-encoding'] !== 'gzip') return;
      // A gzip header's XFL byte: 4 when zlib compressed at its fastest, 2 at its smallest, 0 in between.
      gzipFlags.push(request.rawBody[8]!);
      wireBytes.push(request.rawBody.length);
    });
    const lines = (run: number) => Array.from({ length: 400 }, (_, i) => entry(`run ${run}: GET /api/orders/${100_000 + ((i * 7919) % 900_000)} 200 ${i % 250}ms`));
    for (const [run, options] of [{}, { compressionLevel: 1 }, { compressionLevel: 9 }, { compressionLevel: 6 }].entries()) {
      expect(await exportOnce(exporterFor(options), lines(run))).toBe(0);
    }
    expect(gzipFlags).toEqual([4, 4, 2, 0]);
    expect(wireBytes[2]).toBeLessThan(wireBytes[1]!);
    const stored = emulator.events(GROUP, STREAM);
    expect(stored).toHaveLength(1_600);
    for (const run of [0, 1, 2, 3]) expect(stored.filter((event) => event.message.includes(`run ${run}:`))).toHaveLength(400);
  });

  test('a stream name an HTTP header cannot carry is an unusable destination, counted', async () => {
    const exporter = exporterFor();
    await exporter.exportEntries([entry('x', { destination: { ...destination, logStream: 'trail 日本' } })]);
    expect(exporter.metrics.snapshot().dropped).toEqual({ invalid_destination: 1 });
  });

  test('a resource over 16 KB cannot travel: its records are counted invalid, with the reason', () => {
    const exporter = exporterFor();
    expect(exporter.encodeEntry(entry('x', { resource: { blob: 'r'.repeat(16_001) } }), emptyEncodedRecord())).toBe(false);
    expect(exporter.metrics.snapshot().dropped).toEqual({ invalid_record: 1 });
  });
});

describe('CloudWatchLogsOtlpExporter: answers', () => {
  test('partialSuccess counts by reason; what the message does not account for is partial_success', () => {
    const message = JSON.stringify({ tooOldLogEventCount: 3, tooNewLogEventCount: 1, expiredLogEventCount: 1 });
    expect(partialSuccessCounts({ rejectedLogRecords: 5, errorMessage: message }, 10)).toEqual([
      { reason: 'too_old', count: 3 },
      { reason: 'too_new', count: 1 },
      { reason: 'expired', count: 1 },
    ]);
    expect(partialSuccessCounts({ rejectedLogRecords: 7, errorMessage: message }, 10)).toContainEqual({ reason: 'partial_success', count: 2 });
    expect(partialSuccessCounts({ rejectedLogRecords: 2, errorMessage: 'throttled' }, 10)).toEqual([{ reason: 'partial_success', count: 2 }]);
    expect(partialSuccessCounts({ rejectedLogRecords: 0, errorMessage: undefined }, 10)).toEqual([]);
  });

  test('records the service finds too new (its clock behind ours) are counted too_new, the rest exported', async () => {
    const behind = new CloudWatchLogsEmulator({ now: () => Date.now() - 1.5 * 3_600_000 });
    await behind.start();
    try {
      behind.seedLogStream(GROUP, STREAM);
      for (const encoding of ['protobuf', 'json'] as const) {
        const exporter = new CloudWatchLogsOtlpExporter({ region: 'us-east-1', endpoint: behind.url, credentials: CLOUDWATCH_EMULATOR_CREDENTIALS, logGroupName: GROUP, logStreamName: STREAM, encoding }, {});
        expect(await exporter.exportEntries([entry('now'), entry('in an hour', {}, Date.now() + 3_600_000)])).toBe(0);
        expect(exporter.metrics.snapshot()).toMatchObject({ exported: 1, rejected: { too_new: 1 } });
      }
    } finally {
      await behind.stop();
    }
  });

  test('a group with bearer auth disabled: one request, not retried, counted, reported with the fix and without the token', async () => {
    const messages: string[] = [];
    diag.setLogger({ error: (m) => messages.push(m), warn: (m) => messages.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    try {
      const token = emulator.createApiKey();
      const exporter = exporterFor({ auth: { type: 'bearer', token } });
      expect(await exporter.exportEntries([entry('a'), entry('b')])).toBe(1);
      expect(exporter.metrics.snapshot()).toMatchObject({ rejected: { AccessDeniedException: 2 }, retriedRequests: 0 });
      expect(emulator.requestCount('PutOpenTelemetryLogs')).toBe(1);
      expect(messages.join('\n')).toMatch(/not enabled for log group \/app\/otlp.*aws logs put-bearer-token-authentication --log-group-identifier \/app\/otlp/);
      expect(messages.join('\n')).not.toContain(token);
    } finally {
      diag.disable();
    }
  });

  test('a missing stream is created with SigV4; with a bearer token it is a configuration problem', async () => {
    const exporter = exporterFor({ logStreamName: 'new-stream' });
    expect(await exporter.exportEntries([entry('x', { destination: { ...destination, logStream: 'new-stream' } })])).toBe(0);
    expect(emulator.events(GROUP, 'new-stream')).toHaveLength(1);
    emulator.setBearerTokenAuthentication(GROUP, true);
    const bearer = exporterFor({ auth: { type: 'bearer', token: emulator.createApiKey() } });
    await bearer.exportEntries([entry('x', { destination: { ...destination, logStream: 'absent' } })]);
    expect(bearer.metrics.snapshot().rejected).toEqual({ ResourceNotFoundException: 1 });
  });
});

describe('CloudWatchLogsOtlpExporter: requests and the spool', () => {
  test('records of different resources or scopes never share a request', async () => {
    const exporter = exporterFor();
    const other = { 'service.name': 'billing' };
    const entries = [entry('a'), entry('b', { resource: other }), entry('c', { scope: { name: 'other-lib' } }), entry('d')];
    expect(await exporter.exportEntries(entries)).toBe(0);
    expect(emulator.requestCount('PutOpenTelemetryLogs')).toBe(3);
    const byBody = Object.fromEntries(emulator.events(GROUP, STREAM).map((event) => [JSON.parse(event.message).body, JSON.parse(event.message)]));
    expect(byBody.b.resource.attributes).toEqual(other);
    expect(byBody.c.scope).toEqual({ name: 'other-lib' });
  });

  test('exportOtlpJson sends OTLP/JSON from elsewhere, routed by its attributes', async () => {
    const exporter = exporterFor();
    emulator.seedLogStream(GROUP, 'from-json');
    const time = `${BigInt(Date.now()) * 1_000_000n}`;
    const request = { resourceLogs: [{ resource: { attributes: [{ key: 'log_stream_value', value: { stringValue: 'from-json' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: time, body: { stringValue: 'relayed' } }] }] }] };
    expect(await exporter.exportOtlpJson(request)).toBe(0);
    expect(emulator.events(GROUP, 'from-json').map((event) => JSON.parse(event.message).body)).toEqual(['relayed']);
  });

  test('protobuf records survive a kill in the spool (binary fragments, length-prefixed frames) and are sent once after the restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'otlp-spool-'));
    const copy = mkdtempSync(join(tmpdir(), 'otlp-spool-killed-'));
    try {
      const resource = resourceFromAttributes({ 'service.name': 'orders' });
      // The first run never reaches the service (nothing listens on port 9): its records stay in the spool.
      const unreachable = exporterFor({ endpoint: 'http://127.0.0.1:9' });
      const first = new ConstraintAwareBatchProcessor({ exporter: unreachable, scheduledDelayMillis: 20, shutdownTimeoutMillis: 100, spool: { directory, commitIntervalMillis: 20 } });
      const logger = new LoggerProvider({ resource, processors: [first] }).getLogger('orders', '1.0');
      for (let i = 0; i < 200; i++) logger.emit({ body: `r${i} ü`, attributes: { i } });
      await first.durable();
      cpSync(directory, copy, { recursive: true });
      rmSync(join(copy, 'LOCK'), { force: true });

      const second = new CloudWatchLogsOtlpExporter({ region: 'us-east-1', endpoint: emulator.url, credentials: CLOUDWATCH_EMULATOR_CREDENTIALS, logGroupName: GROUP, logStreamName: STREAM, retry: fastRetry }, {});
      const restarted = new ConstraintAwareBatchProcessor({ exporter: second, scheduledDelayMillis: 20, spool: { directory: copy, commitIntervalMillis: 20 } });
      await new LoggerProvider({ resource, processors: [restarted] }).shutdown();
      const stored = emulator.events(GROUP, STREAM).map((event) => JSON.parse(event.message));
      expect(stored.map((event) => event.attributes.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(stored[0]).toMatchObject({ resource: { attributes: { 'service.name': 'orders' } }, scope: { name: 'orders', version: '1.0' } });
      expect(second.metrics.snapshot()).toMatchObject({ exported: 200, droppedTotal: 0 });
      await first.shutdown();
    } finally {
      rmSync(directory, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
