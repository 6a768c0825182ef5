// `pnpm bench`: records per second and CPU µs per record for this pipeline (ConstraintAwareBatchProcessor +
// CloudWatchLogsExporter) and for the stock BatchLogRecordProcessor + OTLP/HTTP exporter, both sending the same
// records to a loopback sink in another process; plus the average request fill and the records lost (counted by
// the sink, which parses every request). One run, compare the ratios.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { CloudWatchLogsExporter, MAX_REQUEST_BYTES } from '@otel-cloud-logs/cloudwatch-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const CHUNK = 1_000;

const sink = spawn(process.execPath, [new URL('./sink.ts', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: sink.stdout! })[Symbol.asyncIterator]();
const nextLine = async () => JSON.parse((await lines.next()).value as string);
const { port } = (await nextLine()) as { port: number };
const origin = `http://127.0.0.1:${port}`;

/** Mixed traffic: mostly short lines, some long ones, some multibyte. */
function makeBodies(): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < 1_000; i++) {
    const base = `GET /api/orders/${i} 200 ${i % 17}ms user=${i % 97}`;
    bodies.push(i % 10 === 0 ? `${base} 注文を処理しました ✓ `.repeat(8) : i % 25 === 0 ? base.padEnd(4_000, '.') : base);
  }
  return bodies;
}
const bodies = makeBodies();

interface Result {
  name: string;
  wallMs: number;
  cpuMicros: number;
  sink: { requests: number; bytes: number; records: number };
  fill?: number;
}

async function run(name: string, processor: LogRecordProcessor, after: () => { fill?: number }): Promise<Result> {
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench', log_group_value: 'bench', log_stream_value: 'bench' }), processors: [processor] });
  const logger = provider.getLogger('bench');
  const startCpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < RECORDS; i += CHUNK) {
    for (let j = i; j < Math.min(RECORDS, i + CHUNK); j++) {
      logger.emit({ body: bodies[j % bodies.length], severityText: 'INFO', severityNumber: 9, attributes: { 'http.route': '/api/orders/:id', n: j } });
    }
    await new Promise((resolve) => setImmediate(resolve)); // let exports run, as an app's event loop would
  }
  await provider.shutdown();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(startCpu);
  sink.stdin!.write('stats\n');
  const stats = (await nextLine()) as Record<string, { requests: number; bytes: number; records: number }>;
  const sinkStats = Object.values(stats)[0] ?? { requests: 0, bytes: 0, records: 0 };
  return { name, wallMs, cpuMicros: cpu.user + cpu.system, sink: sinkStats, ...after() };
}

const cloudWatch = new CloudWatchLogsExporter({ region: 'us-east-1', endpoint: origin, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' } });
const ours = await run('ConstraintAwareBatchProcessor + CloudWatchLogsExporter', new ConstraintAwareBatchProcessor({ exporter: cloudWatch }), () => {
  const s = cloudWatch.metrics.snapshot();
  return { fill: s.requestBytes / s.requests / MAX_REQUEST_BYTES };
});

const otlp = new OTLPLogExporter({ url: `${origin}/v1/logs` });
const stock = await run('BatchLogRecordProcessor + OTLPLogExporter (http/json)', new BatchLogRecordProcessor({ exporter: otlp, maxQueueSize: RECORDS }), () => ({}));

sink.stdin!.end();

const rows = [ours, stock].map((r) => ({
  pipeline: r.name,
  'records/s': Math.round(RECORDS / (r.wallMs / 1000)).toLocaleString('en-US'),
  'CPU µs/record': (r.cpuMicros / RECORDS).toFixed(2),
  requests: r.sink.requests,
  'MiB sent': (r.sink.bytes / 1_048_576).toFixed(1),
  'avg request fill': r.fill === undefined ? `${((r.sink.bytes / r.sink.requests / MAX_REQUEST_BYTES) * 100).toFixed(1)}% of 1 MiB (body bytes)` : `${(r.fill * 100).toFixed(1)}% of 1 MiB`,
  // Counted by the sink, which parses every request body.
  'records lost': RECORDS - r.sink.records,
}));
console.log(`\n${RECORDS.toLocaleString('en-US')} records, mixed sizes (short, 4 KB, multibyte), loopback sink in a separate process\n`);
console.table(rows);
console.log(`\nratios (ours / stock): throughput ×${(stock.wallMs / ours.wallMs).toFixed(2)}, CPU per record ×${(ours.cpuMicros / stock.cpuMicros).toFixed(2)}`);
