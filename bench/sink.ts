// A loopback HTTP sink for the benchmark: accepts every request, counts requests, bytes and records per path,
// and answers what each client expects. It runs in its own process so that its CPU is not billed to the pipeline.
import { createServer } from 'node:http';

const stats = new Map<string, { requests: number; bytes: number; records: number }>();

/** Records in one request body: OTLP/JSON log records, or PutLogEvents events. */
function countRecords(key: string, body: Buffer): number {
  const parsed = JSON.parse(body.toString('utf8')) as {
    resourceLogs?: { scopeLogs?: { logRecords?: unknown[] }[] }[];
    logEvents?: unknown[];
  };
  if (key === 'cloudwatch') return parsed.logEvents?.length ?? 0;
  let records = 0;
  for (const resourceLogs of parsed.resourceLogs ?? []) for (const scopeLogs of resourceLogs.scopeLogs ?? []) records += scopeLogs.logRecords?.length ?? 0;
  return records;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const key = req.url === '/v1/logs' ? 'otlp' : 'cloudwatch';
    const body = Buffer.concat(chunks);
    const entry = stats.get(key) ?? { requests: 0, bytes: 0, records: 0 };
    entry.requests++;
    entry.bytes += body.length;
    entry.records += countRecords(key, body);
    stats.set(key, entry);
    const answer = key === 'otlp' ? '{}' : '{"nextSequenceToken":"1"}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.stdin.on('data', () => {
  process.stdout.write(`${JSON.stringify(Object.fromEntries(stats))}\n`);
  stats.clear();
});
process.stdin.on('end', () => process.exit(0));
