import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { Gateway, gatewayOptionsFromFile } from '../src/index.ts';

const run = promisify(execFile);
const SEND_LOGS = fileURLToPath(new URL('./fixtures/send-logs.ts', import.meta.url));
const CLOUDWATCH_OTLP_YAML = fileURLToPath(new URL('./fixtures/cloudwatch-otlp.yaml', import.meta.url));
const SIGV4_GROUP = '/gateway/otlp-sigv4';
const BEARER_GROUP = '/gateway/otlp-bearer';
const CLIENTS = ['json', 'protobuf'] as const;

interface StoredOtlpEvent {
  body: unknown;
  severityNumber?: number;
  attributes?: Record<string, unknown>;
  resource?: { attributes?: Record<string, unknown> };
  traceId?: string;
}

interface SeenRequest {
  group: string | undefined;
  stream: string | undefined;
  auth: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

describe('OTLP clients → gateway → the CloudWatch emulator\'s OTLP endpoint (/v1/logs), with SigV4 and with a bearer token', () => {
  const cloudwatch = new CloudWatchLogsEmulator();
  const seen: SeenRequest[] = [];
  let gateway: Gateway;
  let apiKey: string;
  const clientOutput: Record<string, string> = {};

  beforeAll(async () => {
    const endpoint = await cloudwatch.start();
    // What an operator does before an API key can write: enable bearer auth on the group, create the streams.
    cloudwatch.setBearerTokenAuthentication(BEARER_GROUP, true);
    for (const client of CLIENTS) cloudwatch.seedLogStream(BEARER_GROUP, `web-1-${client}`);
    apiKey = cloudwatch.createApiKey({ logGroupNames: [BEARER_GROUP] });
    cloudwatch.observeRequests(({ operation, request }) => {
      if (operation !== 'PutOpenTelemetryLogs') return;
      seen.push({
        group: request.headers['x-aws-log-group'],
        stream: request.headers['x-aws-log-stream'],
        auth: (request.headers['authorization'] ?? '').split(' ', 1)[0]!,
        contentType: request.headers['content-type'],
        contentEncoding: request.headers['content-encoding'],
      });
    });
    // The endpoint's throttling and a 5xx, once each: retried, nothing lost or doubled.
    cloudwatch.faults.add({ kind: 'throttle', operation: 'PutOpenTelemetryLogs', times: 1 });
    cloudwatch.faults.add({ kind: 'unavailable', operation: 'PutOpenTelemetryLogs', times: 1 });
    const env = {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
      AWS_ACCESS_KEY_ID: CLOUDWATCH_EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CLOUDWATCH_EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_BEARER_TOKEN_LOGS: apiKey,
    };
    gateway = new Gateway(await gatewayOptionsFromFile(CLOUDWATCH_OTLP_YAML, { env }));
    const [gatewayUrl] = (await gateway.start()) as [string];
    for (const [client, compression] of [['json', 'none'], ['protobuf', 'gzip']] as const) {
      const { stdout } = await run(process.execPath, [SEND_LOGS, gatewayUrl, client], {
        env: { ...process.env, OTEL_EXPORTER_OTLP_COMPRESSION: compression },
        timeout: 30_000,
      });
      clientOutput[client] = stdout;
    }
    await gateway.stop();
  });

  afterAll(async () => {
    await gateway?.stop();
    await cloudwatch.stop();
  });

  it('answers each client with the one record no exporter could take', () => {
    for (const client of CLIENTS) {
      expect(clientOutput[client]).toContain('DONE');
      expect(clientOutput[client]).toMatch(/"rejectedLogRecords":"?1"?/);
      expect(clientOutput[client]).toContain('1 refused by every exporter');
      expect(clientOutput[client]).not.toMatch(/ERROR/);
    }
  });

  it('stores every record once in each group, as OTLP, in the templated stream, routing attributes left out', () => {
    for (const group of [SIGV4_GROUP, BEARER_GROUP]) {
      for (const client of CLIENTS) {
        const events = cloudwatch.events(group, `web-1-${client}`).map((event) => JSON.parse(event.message) as StoredOtlpEvent);
        expect(events.map((event) => event.body).sort()).toEqual(['card 4111 1111 1111 1111 declined', 'debug noise', 'order placed by jane@example.com', 'retrying with token=abc123']);
        const warn = events.find((event) => event.severityNumber === 13)!;
        expect(warn).toMatchObject({ traceId: '5b8efff798038103d269b633813fc60c', attributes: { tenant: 'scp', attempt: 2 }, resource: { attributes: { 'service.name': 'checkout', client } } });
        for (const event of events) expect(Object.keys(event.attributes ?? {})).not.toContain('log_stream_value');
      }
    }
    // The SigV4 exporter created its group and streams; nothing went through PutLogEvents.
    expect(cloudwatch.logStreams(SIGV4_GROUP).map((stream) => stream.logStreamName)).toEqual(['web-1-json', 'web-1-protobuf']);
    expect(cloudwatch.requestCount('PutLogEvents')).toBe(0);
  });

  it('signs with SigV4 (protobuf, gzip) and sends the API key as a bearer token (JSON, uncompressed), the group and stream in headers', () => {
    const byGroup = (group: string) => seen.filter((request) => request.group === group);
    expect(byGroup(SIGV4_GROUP).length).toBeGreaterThanOrEqual(2);
    expect(byGroup(BEARER_GROUP).length).toBeGreaterThanOrEqual(2);
    for (const request of byGroup(SIGV4_GROUP)) expect(request).toMatchObject({ auth: 'AWS4-HMAC-SHA256', contentType: 'application/x-protobuf', contentEncoding: 'gzip' });
    for (const request of byGroup(BEARER_GROUP)) expect(request).toMatchObject({ auth: 'Bearer', contentType: 'application/json', contentEncoding: undefined });
    expect(new Set(seen.map((request) => request.stream))).toEqual(new Set(['web-1-json', 'web-1-protobuf']));
    expect(seen).toHaveLength(seen.filter((request) => request.group === SIGV4_GROUP || request.group === BEARER_GROUP).length);
  });

  it('counts the retried throttle and 5xx, and the refused record by reason, in each exporter', () => {
    const metrics = gateway.metrics();
    expect(cloudwatch.faults.injected).toMatchObject({ throttle: 1, unavailable: 1 });
    const sigv4 = metrics.exporters['cloudwatch_logs/sigv4']!;
    const bearer = metrics.exporters['cloudwatch_logs/bearer']!;
    for (const exporter of [sigv4, bearer]) expect(exporter).toMatchObject({ exported: 8, dropped: { invalid_destination: 2 }, rejectedTotal: 0 });
    expect(sigv4.retriedRequests + bearer.retriedRequests).toBe(2);
    expect(sigv4.throttledRequests + bearer.throttledRequests).toBe(1);
    expect(metrics.pipelines.logs).toMatchObject({ received: 10, forwarded: 8, refused: 2 });
  });

  it('never puts the API key into what the gateway reports', () => {
    expect(JSON.stringify(gateway.metrics())).not.toContain(apiKey);
    for (const client of CLIENTS) expect(clientOutput[client]).not.toContain(apiKey);
  });
});
