import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest, type ClientRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { estimateDecodedBytes, ExporterSink, Gateway, LogPipeline, type GatewayOptions } from '../src/index.ts';
import { encodeLogsRequestProtobuf } from '../src/otlp/proto.ts';
import { RecordingExporter } from './recording-exporter.ts';

const GATEWAY_PROCESS = fileURLToPath(new URL('./fixtures/gateway-process.ts', import.meta.url));
const MIB = 1024 * 1024;

const running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.stop()));
});

async function startGateway(options: { maxInflightBytes?: number; maxRequestBodyBytes?: number } = {}) {
  const exporter = new RecordingExporter('recording');
  const sink = new ExporterSink('recording', exporter, { scheduledDelayMillis: 10, shutdownTimeoutMillis: 2_000 });
  const pipeline = new LogPipeline({ name: 'logs', defaultSinks: [sink] });
  const gatewayOptions: GatewayOptions = {
    receivers: [{ name: 'otlp', port: 0, maxRequestBodyBytes: options.maxRequestBodyBytes, pipelines: [pipeline] }],
    sinks: [sink],
    backpressure: { maxInflightBytes: options.maxInflightBytes },
    shutdownTimeoutMillis: 2_000,
  };
  const gateway = new Gateway(gatewayOptions);
  running.push(gateway);
  const [url] = (await gateway.start()) as [string];
  return { gateway, exporter, pipeline, url };
}

/** `count` resources of one tiny record each: a small body that decodes into many objects. */
function manyResources(count: number): { resourceLogs: object[] } {
  return { resourceLogs: Array.from({ length: count }, () => ({ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] })) };
}

interface RawAnswer {
  status?: number;
  body?: string;
  error?: string;
  reusedSocket?: boolean;
}

/** A POST by node:http, as the stock OTLP exporters send: whatever comes first, the answer or an error. */
function rawPost(url: string, body: Buffer, options: { agent?: Agent; chunked?: boolean; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (!options.chunked) headers['content-length'] = String(body.length);
    const request: ClientRequest = httpRequest(`${url}/v1/logs`, { method: 'POST', agent: options.agent ?? false, headers });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString(), reusedSocket: request.reusedSocket }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    if (options.chunked) {
      for (let offset = 0; offset < body.length; offset += MIB) request.write(body.subarray(offset, offset + MIB));
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe('Gateway memory: bounded by what bodies decode to', () => {
  it('refuses (413), before decoding, a request that alone would decode to more than max_inflight_bytes, JSON or protobuf', async () => {
    const { gateway, pipeline, url } = await startGateway({ maxInflightBytes: MIB, maxRequestBodyBytes: MIB });
    const request = manyResources(5_000);
    const bodies: [string, Buffer][] = [
      ['application/json', Buffer.from(JSON.stringify(request))],
      ['application/x-protobuf', Buffer.from(encodeLogsRequestProtobuf(request))],
    ];
    for (const [contentType, body] of bodies) {
      // Small on the wire, many times the budget once decoded.
      expect(body.length).toBeLessThan(MIB / 2);
      const response = await fetch(`${url}/v1/logs`, { method: 'POST', body, headers: { 'content-type': contentType } });
      expect(response.status, contentType).toBe(413);
      if (contentType === 'application/json') {
        expect(((await response.json()) as { message: string }).message).toMatch(/once decoded, more than service\.backpressure\.max_inflight_bytes \(1048576 bytes\); send smaller batches/);
      } else {
        await response.arrayBuffer();
      }
    }
    expect(pipeline.stats().received).toBe(0);
    expect(gateway.metrics().gateway.peakInflightBytes).toBeLessThanOrEqual(MIB);
  });

  it('refuses (429 + Retry-After) a request whose decoded size does not fit beside what others hold, then accepts it', async () => {
    const budget = 256 * 1024;
    const { gateway, exporter, url } = await startGateway({ maxInflightBytes: budget });
    const large = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'y'.repeat(100_000) } }] }] }] });
    const tiny = Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: 350 }, () => ({ body: { stringValue: 'x' } })) }] }] }));
    const held = 90_000;
    // The arithmetic of the test: each fits alone; the small body (few bytes, many objects) does not fit beside `held`.
    const need = (body: Buffer) => body.length + estimateDecodedBytes(body, 'json');
    expect(need(Buffer.from(large))).toBeLessThanOrEqual(budget);
    expect(need(tiny)).toBeLessThanOrEqual(budget);
    expect(need(tiny)).toBeGreaterThan(budget - held);
    expect(tiny.length + held).toBeLessThan(budget / 2);

    // A slow client: most of its body now, the rest later.
    const slow = httpRequest(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(large)) } });
    const slowStatus = new Promise<number>((resolve, reject) => {
      slow.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      slow.on('error', reject);
    });
    slow.write(large.slice(0, held));
    await vi.waitFor(() => expect(gateway.metrics().gateway.inflightBytes).toBe(held));

    const refused = await fetch(`${url}/v1/logs`, { method: 'POST', body: tiny, headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { message: string }).message).toMatch(/more than max_inflight_bytes \(262144 bytes\) of requests at once; retry later/);

    slow.end(large.slice(held));
    expect(await slowStatus).toBe(200);
    const retried = await fetch(`${url}/v1/logs`, { method: 'POST', body: tiny, headers: { 'content-type': 'application/json' } });
    expect(retried.status).toBe(200);
    await gateway.stop();
    expect(exporter.events()).toHaveLength(351);
    expect(gateway.metrics().gateway).toMatchObject({ inflightBytes: 0, responses: { '200': 2, '429': 1 } });
    expect(gateway.metrics().gateway.peakInflightBytes).toBeLessThanOrEqual(budget);
  });

  it('8 concurrent 11.8 MiB requests of 200,000 tiny resources each: refused (413/429), the process growing by far less than it used to', async () => {
    const budget = 64 * MIB;
    const child = spawn(process.execPath, ['--conditions=@otel-cloud-logs/source', GATEWAY_PROCESS, String(budget)], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const { url } = JSON.parse((await lines.next()).value as string) as { url: string };
      const body = Buffer.from(JSON.stringify(manyResources(200_000)));
      expect(body.length).toBeGreaterThan(11 * MIB);
      const answers = await Promise.all(Array.from({ length: 8 }, () => rawPost(url, body)));
      for (const answer of answers) {
        expect(answer.error).toBeUndefined();
        expect([413, 429]).toContain(answer.status);
      }
      child.stdin!.write('report\n');
      const report = JSON.parse((await lines.next()).value as string) as { baseRss: number; maxRss: number; peakInflightBytes: number };
      expect(report.peakInflightBytes).toBeLessThanOrEqual(budget);
      // Decoding these took about 300 MiB each, 650 MiB for the 8 together; the bodies alone are 94 MiB.
      expect(report.maxRss - report.baseRss).toBeLessThan(256 * MIB);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });
});

describe('Gateway: a refused body is read before the answer, so that the client reads it', () => {
  it('answers 413 to a 21 MiB body with Content-Length only once it has all come: a Node client reads the 413 (no EPIPE) and reuses the connection', async () => {
    const { gateway, url } = await startGateway();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.alloc(21 * MIB, 0x20);
    let answered = false;
    const request = httpRequest(`${url}/v1/logs`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
    const answer = new Promise<RawAnswer>((resolve) => {
      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString() }));
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
    });
    request.write(body.subarray(0, MIB));
    // Refused on its Content-Length already; the answer waits for the rest of the body (answering and closing
    // now would make the client's next writes fail, and the stock exporters would send it all again).
    await vi.waitFor(() => expect(gateway.metrics().gateway.responses).toEqual({ '413': 1 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    request.end(body.subarray(MIB));
    const tooLarge = await answer;
    expect(tooLarge.error).toBeUndefined();
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body!).message).toMatch(/larger than 20971520 bytes \(max_request_body_size\)/);
    const next = await rawPost(url, Buffer.from(JSON.stringify(manyResources(1))), { agent });
    expect(next).toMatchObject({ status: 200, reusedSocket: true });
    agent.destroy();
    expect(gateway.metrics().gateway.responses).toEqual({ '200': 1, '413': 1 });
  });

  it('answers 413 to a chunked body that grows past the limit once the client is done sending', async () => {
    const { url } = await startGateway();
    const answer = await rawPost(url, Buffer.alloc(21 * MIB, 0x20), { chunked: true });
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(413);
  });

  it('the stock OTLP/HTTP exporter, sending 21 MiB, is told 413 once and does not send the body again', async () => {
    const { gateway, url } = await startGateway();
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const logger = provider.getLogger('limits');
    for (let i = 0; i < 21; i++) logger.emit({ body: `${i}:${'z'.repeat(MIB)}` });
    const exporter = new OTLPLogExporter({ url: `${url}/v1/logs` });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedLogRecords(), resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect((result.error as Error & { code?: number }).code).toBe(413);
    await exporter.shutdown();
    await provider.shutdown();
    expect(gateway.metrics().gateway.responses).toEqual({ '413': 1 });
  });
});
