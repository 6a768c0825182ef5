// The loopback sink: one HTTP server that plays CloudWatch Logs (PutLogEvents, and its OTLP endpoint: /v1/logs
// with the x-aws-log-group / x-aws-log-stream headers), Huawei LTS (high-accuracy report), SCP ServiceWatch
// (CreateCustomLogEvents) and an OTLP/HTTP receiver (json and protobuf). It checks
// every request (JSON against its grammar, protobuf field by field), counts the records in it, and answers the
// success body each client expects; a request it cannot read is answered 400 and its records count as lost. It
// runs in its own process so that its CPU is not billed to the pipeline; the orchestrator resets and reads it over
// IPC. It scans rather than builds objects (see json-scan.ts) because it shares the machine's cores with the
// pipeline being measured.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { cloudWatchEvents, countOtlpJsonLogRecords, countTopLevelItems } from './json-scan.ts';
import { countOtlpProtoLogRecords } from './protobuf.ts';
import type { ApiStats, FromSink, SinkApi, SinkStats, ToSink } from './protocol.ts';

let stats: SinkStats = {};

const LTS_REPORT = /^\/v2\/[^/]+\/lts\/groups\/[^/]+\/streams\/[^/]+\/tenant\/contents\/high-accuracy$/;
const SERVICEWATCH_EVENTS = '/v1/log-groups/log-streams/log-events';
const CLOUDWATCH_EVENT_OVERHEAD = 26;

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const AMZ_JSON = 'application/x-amz-json-1.1';
const json = (body: string, status = 200): Answer => ({ status, contentType: 'application/json', body });
/** An empty ExportLogsServiceResponse: everything accepted. */
const EMPTY_PROTOBUF_RESPONSE: Answer = { status: 200, contentType: 'application/x-protobuf', body: '' };

/** Which API a request is for; CloudWatch calls other than PutLogEvents (e.g. CreateLogStream) are 'other'. */
function apiOf(request: IncomingMessage): SinkApi {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target === 'Logs_20140328.PutLogEvents' ? 'cloudwatch' : 'other';
  const path = (request.url ?? '').split('?')[0]!;
  if (request.method !== 'POST') return 'other';
  if (LTS_REPORT.test(path)) return 'huawei-lts';
  if (path === SERVICEWATCH_EVENTS) return 'servicewatch';
  if (path !== '/v1/logs') return 'other';
  if (request.headers['x-aws-log-group'] !== undefined) return 'cloudwatch-otlp';
  return isProtobuf(request) ? 'otlp-proto' : 'otlp-json';
}

function isProtobuf(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-protobuf');
}

/** Counts the records in `body` and returns the success answer the API's client expects. */
function receive(api: SinkApi, request: IncomingMessage, body: Buffer, stats: ApiStats): Answer {
  switch (api) {
    case 'cloudwatch': {
      const { events, messageBytes } = cloudWatchEvents(body);
      stats.cloudWatchBytes += messageBytes + events * CLOUDWATCH_EVENT_OVERHEAD;
      stats.records += events;
      return { status: 200, contentType: AMZ_JSON, body: '{"nextSequenceToken":"1"}' };
    }
    case 'huawei-lts': {
      stats.records += countTopLevelItems(body, 'contents');
      return json('{"errorCode":"SVCSTG.ALS.200.200","errorMessage":"Report success.","result":null}');
    }
    case 'servicewatch':
      stats.records += countOtlpJsonLogRecords(body);
      return json('{"status":"success"}', 202);
    case 'otlp-json':
      stats.records += countOtlpJsonLogRecords(body);
      return json('{}');
    case 'otlp-proto':
      stats.records += countOtlpProtoLogRecords(body);
      return EMPTY_PROTOBUF_RESPONSE;
    case 'cloudwatch-otlp': {
      // The endpoint refuses a request without its stream; the records of one that names none are not counted.
      if (!request.headers['x-aws-log-stream']) throw new Error('x-aws-log-stream header missing');
      if (isProtobuf(request)) {
        stats.records += countOtlpProtoLogRecords(body);
        return EMPTY_PROTOBUF_RESPONSE;
      }
      stats.records += countOtlpJsonLogRecords(body);
      return json('{}');
    }
    case 'other':
      if (typeof request.headers['x-amz-target'] === 'string') return { status: 200, contentType: AMZ_JSON, body: '{}' };
      return json('{"message":"not an API of this benchmark"}', 404);
  }
}

function statsFor(api: SinkApi): ApiStats {
  let entry = stats[api];
  if (!entry) {
    entry = { requests: 0, bytes: 0, records: 0, cloudWatchBytes: 0, parseErrors: 0 };
    stats[api] = entry;
  }
  return entry;
}

function onRequest(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks);
    const api = apiOf(request);
    const entry = statsFor(api);
    entry.requests++;
    entry.bytes += raw.length;
    let answer: Answer;
    try {
      answer = receive(api, request, request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw, entry);
    } catch (error) {
      // Its records are not counted, so they show as lost; the 400 tells the client too.
      entry.parseErrors++;
      answer = json(JSON.stringify({ message: `the sink could not parse the request: ${(error as Error).message}` }), 400);
    }
    response.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
    response.end(answer.body);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, onRequest);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const message: FromSink = { type: 'ready', port: typeof address === 'object' && address ? address.port : 0 };
  process.send?.(message);
});

let cpuAtReset = process.cpuUsage();
/** 'reset': start over, then answer (zeros); 'stats': answer; 'take': answer, then start over (no request falls between). */
process.on('message', (message: ToSink) => {
  if (message.type === 'reset') reset();
  const cpu = process.cpuUsage(cpuAtReset);
  const answer: FromSink = { type: 'stats', stats, cpuMicros: cpu.user + cpu.system };
  process.send?.(answer);
  if (message.type === 'take') reset();
});

function reset(): void {
  stats = {};
  cpuAtReset = process.cpuUsage();
}
// The orchestrator's IPC channel closing is the signal to stop.
process.on('disconnect', () => process.exit(0));
