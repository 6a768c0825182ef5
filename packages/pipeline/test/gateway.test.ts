import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  decodeLogsResponseProtobuf,
  decodeStatusProtobuf,
  ExporterSink,
  filterProcessor,
  Gateway,
  LogPipeline,
  redactionProcessor,
  type GatewayMetrics,
  type GatewayOptions,
} from '../src/index.ts';
import { encodeLogsRequestProtobuf } from '../src/otlp/proto.ts';
import { RecordingExporter } from './recording-exporter.ts';

const running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.stop()));
});

async function startGateway(overrides: Partial<GatewayOptions> & { exporter?: RecordingExporter; maxQueueBytes?: number } = {}) {
  const exporter = overrides.exporter ?? new RecordingExporter('recording');
  const sink = new ExporterSink('recording', exporter, { scheduledDelayMillis: 10, maxQueueBytes: overrides.maxQueueBytes, shutdownTimeoutMillis: 2_000 });
  const pipeline = new LogPipeline({
    name: 'logs',
    processors: [filterProcessor({ name: 'filter/no_debug', exclude: { maxSeverity: 'DEBUG4' } }), redactionProcessor()],
    defaultSinks: [sink],
  });
  const gateway = new Gateway({ receivers: [{ name: 'otlp', port: 0, maxRequestBodyBytes: 64 * 1024, pipelines: [pipeline] }], sinks: [sink], shutdownTimeoutMillis: 2_000, ...overrides });
  running.push(gateway);
  const [url] = await gateway.start();
  return { gateway, exporter, url: url!, pipeline };
}

function jsonRequest(records: object[], resource: object[] = [{ key: 'service.name', value: { stringValue: 'shop' } }]) {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: { name: 'test' }, logRecords: records }] }] };
}

function post(url: string, body: string | Uint8Array, headers: Record<string, string>) {
  return fetch(`${url}/v1/logs`, { method: 'POST', body, headers });
}

const now = () => String(BigInt(Date.now()) * 1_000_000n);

describe('Gateway /v1/logs', () => {
  it('accepts OTLP/JSON, runs the processors and answers an empty ExportLogsServiceResponse', async () => {
    const { gateway, exporter, url } = await startGateway();
    const response = await post(
      url,
      JSON.stringify(
        jsonRequest([
          {
            timeUnixNano: now(),
            severityNumber: 9,
            body: { stringValue: 'paid by a@example.com' },
            attributes: [{ key: 'log_group_value', value: { stringValue: 'payments' } }],
            traceId: '5b8efff798038103d269b633813fc60c',
            spanId: 'eee19b7ec3c1b174',
          },
        ]),
      ),
      { 'content-type': 'application/json' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({});
    await gateway.stop();
    expect(exporter.events().map((event) => [event.message, event.destination.logGroup])).toEqual([['paid by [REDACTED:email]', 'payments']]);
  });

  it('gives records without any timestamp the time of receipt', async () => {
    const { gateway, exporter, url } = await startGateway();
    const before = Date.now();
    const response = await post(url, JSON.stringify(jsonRequest([{ severityNumber: 9, body: { stringValue: 'untimed' } }])), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    await gateway.stop();
    const [event] = exporter.events();
    expect(event!.timeMillis).toBeGreaterThanOrEqual(before);
    expect(event!.timeMillis).toBeLessThanOrEqual(Date.now());
  });

  it('decodes OTLP/protobuf (gzip, deflate, zstd): ids as hex, flags, int64 values, every AnyValue kind', async () => {
    const { gateway, exporter, url } = await startGateway();
    const time = now();
    const body = encodeLogsRequestProtobuf({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
          scopeLogs: [
            {
              scope: { name: 'proto', version: '1.2.3' },
              logRecords: [
                {
                  timeUnixNano: time,
                  observedTimeUnixNano: time,
                  severityNumber: 17,
                  severityText: 'ERROR',
                  eventName: 'checkout.failed',
                  flags: 1,
                  traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
                  spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
                  attributes: [
                    { key: 'empty', value: { stringValue: '' } },
                    { key: 'negative', value: { intValue: '-42' } },
                    { key: 'min', value: { intValue: '-9223372036854775808' } },
                    { key: 'zero', value: { doubleValue: 0 } },
                    { key: 'no.value', value: {} },
                    { key: 'utf8', value: { stringValue: 'größe 🚀' } },
                  ],
                  body: {
                    kvlistValue: {
                      values: [
                        { key: 'big', value: { intValue: '9007199254740993' } },
                        { key: 'small', value: { intValue: 7 } },
                        { key: 'ratio', value: { doubleValue: 0.5 } },
                        { key: 'ok', value: { boolValue: false } },
                        { key: 'raw', value: { bytesValue: Buffer.from([1, 2, 3]) } },
                        { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 0 }, { kvlistValue: {} }, { arrayValue: {} }] } } },
                      ],
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const compressions: [string, Buffer][] = [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['zstd', zstdCompressSync(body)]];
    for (const [encoding, compressed] of compressions) {
      const response = await post(url, compressed, { 'content-type': 'application/x-protobuf', 'content-encoding': encoding });
      expect(response.status, encoding).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-protobuf');
      expect(decodeLogsResponseProtobuf(new Uint8Array(await response.arrayBuffer()))).toEqual({});
    }
    await gateway.stop();
    const events = exporter.events();
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(JSON.parse(event.message)).toEqual({ big: '9007199254740993', list: ['a', 0, {}, []], ok: false, ratio: 0.5, raw: 'AQID', small: 7 });
      expect(event.entry).toMatchObject({
        timeUnixNano: BigInt(time),
        severityNumber: 17,
        severityText: 'ERROR',
        eventName: 'checkout.failed',
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        traceFlags: 1,
        scope: { name: 'proto', version: '1.2.3' },
        resource: { 'service.name': 'shop' },
      });
      expect(event.entry.attributes).toEqual({ empty: '', negative: -42, min: -9223372036854775808n, zero: 0, 'no.value': undefined, utf8: 'größe 🚀' });
    }
    expect(gateway.metrics().gateway.requests).toEqual({ 'protobuf+gzip': 1, 'protobuf+deflate': 1, 'protobuf+zstd': 1 });
  });

  it('reports records dropped by processors as a partial success, in the request encoding', async () => {
    const { gateway, url } = await startGateway();
    const records = [
      { timeUnixNano: now(), severityNumber: 5, body: { stringValue: 'debug' } },
      { timeUnixNano: now(), severityNumber: 9, body: { stringValue: 'info' } },
    ];
    const json = await post(url, JSON.stringify(jsonRequest(records)), { 'content-type': 'application/json; charset=utf-8' });
    expect(await json.json()).toEqual({ partialSuccess: { rejectedLogRecords: '1', errorMessage: '1 log record(s) not accepted: 1 dropped by processor filter/no_debug' } });

    const proto = await post(url, encodeLogsRequestProtobuf(jsonRequest(records)), { 'content-type': 'application/x-protobuf' });
    expect(decodeLogsResponseProtobuf(new Uint8Array(await proto.arrayBuffer()))).toEqual({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: '1 log record(s) not accepted: 1 dropped by processor filter/no_debug' },
    });
    expect(gateway.metrics().pipelines.logs).toMatchObject({ received: 4, forwarded: 2, dropped: { 'filter/no_debug': 2 } });
    expect(gateway.metrics().gateway).toMatchObject({ receivedRecords: 4, rejectedRecords: 2, responses: { '200': 2 } });
  });

  it('answers 400, 404, 405, 413 and 415 with a Status body naming the problem', async () => {
    const { url } = await startGateway();
    const cases: [Promise<Response>, number, RegExp][] = [
      [post(url, '{"resourceLogs": [', { 'content-type': 'application/json' }), 400, /not valid JSON/],
      [post(url, JSON.stringify({ resourceLogs: [{ scopeLogs: {} }] }), { 'content-type': 'application/json' }), 400, /resourceLogs\[0\]\.scopeLogs must be an array/],
      [post(url, JSON.stringify(jsonRequest([{ timeUnixNano: 'yesterday' }])), { 'content-type': 'application/json' }), 400, /timeUnixNano must be an integer/],
      [post(url, 'plain', { 'content-type': 'text/plain' }), 415, /unsupported Content-Type "text\/plain"/],
      [post(url, 'x', { 'content-type': 'application/json', 'content-encoding': 'snappy' }), 415, /unsupported Content-Encoding "snappy"; send gzip, deflate, zstd/],
      [post(url, JSON.stringify(jsonRequest([{ traceId: 'W47/95gDgQPSabYzgT/GDA==' }])), { 'content-type': 'application/json' }), 400, /logRecords\[0\]\.traceId must be 32 hex digits/],
      [post(url, JSON.stringify(jsonRequest([{ spanId: 'eee19b7e' }])), { 'content-type': 'application/json' }), 400, /logRecords\[0\]\.spanId must be 16 hex digits/],
      [
        post(url, JSON.stringify(jsonRequest([{ attributes: [{ key: 'n', value: { kvlistValue: { values: [{ key: 'x', value: { intValue: '12abc' } }] } } }] }])), { 'content-type': 'application/json' }),
        400,
        /logRecords\[0\]\.attributes\[0\]\.value\.kvlistValue\.values\[0\]\.value\.intValue must be an integer/,
      ],
      [post(url, JSON.stringify(jsonRequest([{ body: { arrayValue: { values: [{ bytesValue: 'not base64!' }] } } }])), { 'content-type': 'application/json' }), 400, /body\.arrayValue\.values\[0\]\.bytesValue must be base64/],
      [post(url, 'x'.repeat(70 * 1024), { 'content-type': 'application/json' }), 413, /larger than 65536 bytes/],
      [post(url, gzipSync(Buffer.alloc(200 * 1024, 32)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, /after decompression/],
      [post(url, 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, /not valid gzip/],
      [post(url, zstdCompressSync(Buffer.alloc(200 * 1024, 32)), { 'content-type': 'application/json', 'content-encoding': 'zstd' }), 413, /after decompression/],
      [fetch(`${url}/v1/traces`, { method: 'POST' }), 404, /no such path/],
      [fetch(`${url}/v1/logs`), 405, /use POST/],
    ];
    for (const [request, status, message] of cases) {
      const response = await request;
      expect(response.status).toBe(status);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
    const badProto = await post(url, Buffer.from([0x0a, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    expect(badProto.status).toBe(400);
    expect(decodeStatusProtobuf(new Uint8Array(await badProto.arrayBuffer())).message).toMatch(/not a valid protobuf ExportLogsServiceRequest/);
  });

  it('answers 429 with Retry-After while an exporter queue is over the threshold, then accepts again', async () => {
    const exporter = new RecordingExporter('slow');
    exporter.hold();
    const { gateway, url } = await startGateway({ exporter, maxQueueBytes: 4 * 1024, backpressure: { queueFillThreshold: 0.5, retryAfterSeconds: 3 } });
    const big = (n: number) => ({ timeUnixNano: now(), severityNumber: 9, body: { stringValue: `${n}:${'x'.repeat(1000)}` } });
    const first = await post(url, JSON.stringify(jsonRequest([big(1), big(2), big(3)])), { 'content-type': 'application/json' });
    expect(first.status).toBe(200);
    const refused = await post(url, JSON.stringify(jsonRequest([big(4)])), { 'content-type': 'application/json' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(((await refused.json()) as { message: string }).message).toMatch(/exporter recording is behind/);
    exporter.resume();
    await vi.waitFor(() => expect(gateway.metrics().exporters.recording!.queueBytes).toBe(0), { timeout: 5_000 });
    const again = await post(url, JSON.stringify(jsonRequest([big(5)])), { 'content-type': 'application/json' });
    expect(again.status).toBe(200);
    await gateway.stop();
    expect(exporter.events().map((event) => event.message.split(':')[0])).toEqual(['1', '2', '3', '5']);
    expect(gateway.metrics().gateway.responses).toEqual({ '200': 2, '429': 1 });
  });
});

describe('Gateway robustness', () => {
  it('answers 500 to a request that hits a bug, and keeps serving the next ones', async () => {
    const { gateway, exporter, url, pipeline } = await startGateway();
    const sink = pipeline.sinks()[0]!;
    const offer = vi.spyOn(sink, 'offer').mockImplementationOnce(() => {
      throw new Error('boom');
    });
    const request = () => post(url, JSON.stringify(jsonRequest([{ timeUnixNano: now(), severityNumber: 9, body: { stringValue: 'hello' } }])), { 'content-type': 'application/json' });
    const failed = await request();
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { code: number; message: string })).toEqual({ code: 13, message: 'internal error in the gateway; see its log' });
    offer.mockRestore();
    expect((await request()).status).toBe(200);
    await gateway.stop();
    expect(exporter.events().map((event) => event.message)).toEqual(['hello']);
  });
});

describe('Gateway backpressure', () => {
  const big = (tenant: string, n: number) => ({
    timeUnixNano: now(),
    severityNumber: 9,
    body: { stringValue: `${n}:${'x'.repeat(1000)}` },
    attributes: [{ key: 'tenant', value: { stringValue: tenant } }],
  });

  it('refuses (429) only requests with records for the exporter that is behind; the others keep flowing', async () => {
    const stalled = new RecordingExporter('stalled');
    const healthy = new RecordingExporter('healthy');
    stalled.hold();
    const stalledSink = new ExporterSink('stalled', stalled, { scheduledDelayMillis: 10, maxQueueBytes: 4 * 1024, shutdownTimeoutMillis: 2_000 });
    const healthySink = new ExporterSink('healthy', healthy, { scheduledDelayMillis: 10, shutdownTimeoutMillis: 2_000 });
    const pipeline = new LogPipeline({ name: 'logs', routes: [{ when: { attributes: { tenant: 'slow' } }, sinks: [stalledSink] }], defaultSinks: [healthySink] });
    const gateway = new Gateway({
      receivers: [{ name: 'otlp', port: 0, pipelines: [pipeline] }],
      sinks: [stalledSink, healthySink],
      backpressure: { queueFillThreshold: 0.5, retryAfterSeconds: 2 },
      shutdownTimeoutMillis: 2_000,
    });
    running.push(gateway);
    const [url] = (await gateway.start()) as [string];
    const send = (records: object[]) => post(url, JSON.stringify(jsonRequest(records)), { 'content-type': 'application/json' });

    expect((await send([big('slow', 1), big('slow', 2), big('slow', 3)])).status).toBe(200);
    expect(stalledSink.queueFill()).toBeGreaterThanOrEqual(0.5);
    // Records for the healthy exporter only: accepted.
    expect((await send([big('fast', 4)])).status).toBe(200);
    // A request mixing both is refused whole, so that the client's retry does not duplicate record 6.
    const mixed = await send([big('slow', 5), big('fast', 6)]);
    expect(mixed.status).toBe(429);
    expect(mixed.headers.get('retry-after')).toBe('2');
    expect(((await mixed.json()) as { message: string }).message).toMatch(/exporter stalled is behind/);
    expect(pipeline.stats()).toMatchObject({ received: 4, forwarded: 4 });

    await vi.waitFor(() => expect(healthy.events().map((event) => event.message.split(':')[0])).toEqual(['4']), { timeout: 5_000 });
    stalled.resume();
    await gateway.stop();
    expect(stalled.events().map((event) => event.message.split(':')[0])).toEqual(['1', '2', '3']);
    expect(gateway.metrics().gateway.responses).toEqual({ '200': 2, '429': 1 });
  });

  it('answers 413 to a chunked body that grows past the limit (no Content-Length), rather than resetting the connection', async () => {
    const { url } = await startGateway();
    const endless = new ReadableStream({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('x'.repeat(16 * 1024)));
      },
    });
    const response = await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: endless, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as { message: string }).message).toMatch(/larger than 65536 bytes/);
  });
});

describe('Gateway lingering close', () => {
  it('keeps reading a refused body after answering, so the client gets the answer, not a reset', async () => {
    const { url } = await startGateway();
    const { port } = new URL(url);
    // Declared far over what the gateway discards: it answers 413 at once and closes. The client goes on sending
    // and reads only later, as a busy client does: had the gateway closed its socket right after the answer, the
    // bytes still arriving would have reset the connection, and the reset throws away the unread answer.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.pause();
    socket.write(`POST /v1/logs HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${64 * 1024 ** 3}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let writeError: Error | undefined;
    socket.on('error', (error) => (writeError ??= error));
    const until = Date.now() + 300;
    while (Date.now() < until && !writeError) {
      if (!socket.write(chunk)) await new Promise((resolve) => setTimeout(resolve, 5));
      else await new Promise((resolve) => setImmediate(resolve));
    }
    const received: Buffer[] = [];
    socket.on('data', (data: Buffer) => received.push(data));
    socket.resume();
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 3_000);
    });
    const answer = Buffer.concat(received).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toMatch(/larger than 65536 bytes/);
  });
});

describe('Gateway /healthz, /metrics and stop()', () => {
  it('serves health, Prometheus text and JSON metrics', async () => {
    const { url } = await startGateway();
    await post(url, JSON.stringify(jsonRequest([{ timeUnixNano: now(), severityNumber: 5, body: { stringValue: 'debug' } }])), { 'content-type': 'application/json' });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('# TYPE otel_cloud_logs_exported_records_total counter');
    expect(text).toContain('otel_cloud_logs_pipeline_dropped_records_total{pipeline="logs",reason="filter/no_debug"} 1');
    expect(text).toContain('otel_cloud_logs_gateway_received_records_total 1');
    expect(text).toContain('otel_cloud_logs_gateway_requests_total{encoding="json",compression="none"} 1');
    const json = (await (await fetch(`${url}/metrics?format=json`)).json()) as GatewayMetrics;
    expect(json.exporters.recording).toMatchObject({ exported: 0, droppedTotal: 0 });
    expect(json.pipelines.logs.dropped).toEqual({ 'filter/no_debug': 1 });
  });

  it('answers a request in flight on a keep-alive connection when stop() begins, without waiting for its keep-alive timeout', async () => {
    const { gateway, exporter, url } = await startGateway();
    const body = JSON.stringify(jsonRequest([{ timeUnixNano: now(), severityNumber: 9, body: { stringValue: 'in flight' } }]));
    const agent = new Agent({ keepAlive: true });
    const inFlight = httpRequest(`${url}/v1/logs`, { agent, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } });
    const answered = new Promise<number>((resolve, reject) => {
      inFlight.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      inFlight.on('error', reject);
    });
    inFlight.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    const stopping = gateway.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    inFlight.end(body.slice(10));
    expect(await answered).toBe(200);
    expect(await stopping).toEqual({ complete: true, undeliveredRecords: 0 });
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(exporter.events().map((event) => event.message)).toEqual(['in flight']);
    agent.destroy();
  });

  it('stops accepting, then delivers what was queued before returning', async () => {
    const exporter = new RecordingExporter('slow');
    exporter.hold();
    const { gateway, url } = await startGateway({ exporter });
    const accepted = await post(url, JSON.stringify(jsonRequest([{ timeUnixNano: now(), severityNumber: 9, body: { stringValue: 'queued' } }])), {
      'content-type': 'application/json',
    });
    expect(accepted.status).toBe(200);
    const stopping = gateway.stop();
    setTimeout(() => exporter.resume(), 100);
    expect(await stopping).toEqual({ complete: true, undeliveredRecords: 0 });
    expect(exporter.events().map((event) => event.message)).toEqual(['queued']);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
