// A loopback HTTP sink for the benchmark: accepts every request, counts requests and bytes per path,
// and answers what each client expects. It runs in its own process so that its CPU is not billed to the pipeline.
import { createServer } from 'node:http';

const stats = new Map<string, { requests: number; bytes: number }>();
const server = createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    const key = req.url === '/v1/logs' ? 'otlp' : 'cloudwatch';
    const entry = stats.get(key) ?? { requests: 0, bytes: 0 };
    entry.requests++;
    entry.bytes += bytes;
    stats.set(key, entry);
    const body = key === 'otlp' ? '{}' : '{"nextSequenceToken":"1"}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
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
