/**
 * The CloudWatch emulator's OTLP endpoint (`POST /v1/logs`), driven with requests built by the stock OTLP
 * serializers and signed by hand or sent with API keys; what it stored is read back with the AWS SDK.
 */
import { gzipSync } from 'node:zlib';
import { CloudWatchLogsClient, GetLogEventsCommand, GetLogObjectCommand, PutBearerTokenAuthenticationCommand } from '@aws-sdk/client-cloudwatch-logs';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
// protobufjs-based, independent of the emulator's decoder (the gateway's, used here as a test oracle).
import { decodeLogsResponseProtobuf, encodeLogsRequestProtobuf } from '../../pipeline/src/otlp/proto.ts';

const GROUP = '/app/otlp';
const STREAM = 'web-1';
let emulator: CloudWatchLogsEmulator;

beforeEach(async () => {
  emulator = new CloudWatchLogsEmulator();
  await emulator.start();
  emulator.seedLogStream(GROUP, STREAM);
});
afterEach(() => emulator.stop());

const nowNanos = () => `${BigInt(Date.now()) * 1_000_000n}`;

interface OtlpRecord {
  timeUnixNano?: string;
  body?: object;
  attributes?: Array<{ key: string; value: object }>;
  severityText?: string;
}

/** An OTLP/JSON request of one resource and scope. */
function request(records: OtlpRecord[], resource: Array<{ key: string; value: object }> = [{ key: 'service.name', value: { stringValue: 'orders' } }]) {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: { name: 'lib', version: '1' }, logRecords: records }] }] };
}

interface Sent {
  status: number;
  headers: Headers;
  body: Buffer;
  json: () => { __type?: string; message?: string; partialSuccess?: { rejectedLogRecords: number; errorMessage: string } };
}

async function post(
  payload: object,
  options: { encoding?: 'json' | 'protobuf'; gzip?: boolean; bearer?: string; group?: string; stream?: string; headers?: Record<string, string> } = {},
): Promise<Sent> {
  const protobuf = options.encoding === 'protobuf';
  let body: Buffer = protobuf ? Buffer.from(encodeLogsRequestProtobuf(payload)) : Buffer.from(JSON.stringify(payload));
  const url = new URL('/v1/logs', emulator.url);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': protobuf ? 'application/x-protobuf' : 'application/json',
    'x-aws-log-group': options.group ?? GROUP,
    'x-aws-log-stream': options.stream ?? STREAM,
    ...options.headers,
  };
  if (options.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  let sent = headers;
  if (options.bearer !== undefined) sent = { ...headers, authorization: `Bearer ${options.bearer}` };
  else {
    const signer = new SignatureV4({ credentials: { ...CLOUDWATCH_EMULATOR_CREDENTIALS }, region: 'us-east-1', service: 'logs', sha256: Sha256 });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/v1/logs', query: {}, headers, body });
    sent = signed.headers as Record<string, string>;
  }
  const { host: _host, ...fetchHeaders } = sent;
  const response = await fetch(url, { method: 'POST', headers: fetchHeaders, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body: bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

// GetLogObject is served from `stream-logs.…`: the emulator serves it on its own host.
const sdk = () => new CloudWatchLogsClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { ...CLOUDWATCH_EMULATOR_CREDENTIALS }, maxAttempts: 1, disableHostPrefix: true });

describe('CloudWatch emulator: POST /v1/logs', () => {
  test('SigV4, protobuf and gzip: records land in the stream as flattened events, readable with GetLogEvents', async () => {
    const time = nowNanos();
    const sent = await post(request([{ timeUnixNano: time, severityText: 'INFO', body: { stringValue: 'hello ü' }, attributes: [{ key: 'n', value: { intValue: '7' } }] }]), { encoding: 'protobuf', gzip: true });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('content-type')).toBe('application/x-protobuf');
    expect(sent.body.length).toBe(0); // ExportLogsServiceResponse without partial success
    const events = await sdk().send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, startFromHead: true }));
    expect(events.events).toHaveLength(1);
    expect(JSON.parse(events.events![0]!.message!)).toEqual({
      resource: { attributes: { 'service.name': 'orders' } },
      scope: { name: 'lib', version: '1' },
      timeUnixNano: Number(time),
      severityText: 'INFO',
      body: 'hello ü',
      attributes: { n: 7 },
    });
    expect(events.events![0]!.message).toContain(`"timeUnixNano":${time}`); // the exact nanoseconds, not a rounded double
    expect(emulator.requestCount('PutOpenTelemetryLogs')).toBe(1);
  });

  test('records too old, too new or past the retention are refused one by one, reported in partialSuccess (JSON and protobuf)', async () => {
    const day = 86_400_000_000_000n;
    const now = BigInt(nowNanos());
    const records = [
      { timeUnixNano: `${now}`, body: { stringValue: 'ok' } },
      { timeUnixNano: `${now - 15n * day}`, body: { stringValue: 'old' } },
      { timeUnixNano: `${now + 3n * 3_600_000_000_000n}`, body: { stringValue: 'new' } },
    ];
    const json = await post(request(records));
    expect(json.json()).toEqual({ partialSuccess: { rejectedLogRecords: 2, errorMessage: JSON.stringify({ tooOldLogEventCount: 1, tooNewLogEventCount: 1, expiredLogEventCount: 0 }) } });
    emulator.seedLogGroup('/app/short', { retentionInDays: 1 });
    emulator.seedLogStream('/app/short', STREAM);
    const protobuf = await post(request([...records, { timeUnixNano: `${now - 2n * day}`, body: { stringValue: 'expired' } }]), { encoding: 'protobuf', group: '/app/short' });
    expect(decodeLogsResponseProtobuf(protobuf.body)).toEqual({
      partialSuccess: { rejectedLogRecords: '3', errorMessage: JSON.stringify({ tooOldLogEventCount: 1, tooNewLogEventCount: 1, expiredLogEventCount: 1 }) },
    });
    expect(emulator.events(GROUP, STREAM).map((event) => JSON.parse(event.message).body)).toEqual(['ok']);
    expect(emulator.events('/app/short', STREAM)).toHaveLength(1);
  });

  test('bearer tokens: unknown key 401, group without bearer auth 403, a key narrowed to another group 403, then accepted', async () => {
    const body = request([{ timeUnixNano: nowNanos(), body: { stringValue: 'via key' } }]);
    const unknown = await post(body, { bearer: 'ACWLnotakey' });
    expect([unknown.status, unknown.json().__type]).toEqual([401, 'UnrecognizedClientException']);
    const token = emulator.createApiKey();
    const disabled = await post(body, { bearer: token });
    expect([disabled.status, disabled.json().__type]).toEqual([403, 'AccessDeniedException']);
    expect(disabled.json().message).toMatch(/Bearer token authentication is not enabled for log group \/app\/otlp/);
    // Enabled the way the CLI does it: aws logs put-bearer-token-authentication
    await sdk().send(new PutBearerTokenAuthenticationCommand({ logGroupIdentifier: GROUP, bearerTokenAuthenticationEnabled: true }));
    const narrowed = await post(body, { bearer: emulator.createApiKey({ logGroupNames: ['/app/other'] }) });
    expect([narrowed.status, narrowed.json().__type]).toEqual([403, 'AccessDeniedException']);
    expect((await post(body, { bearer: token, encoding: 'protobuf', gzip: true })).status).toBe(200);
    emulator.revokeApiKey(token);
    expect((await post(body, { bearer: token })).status).toBe(401);
    expect(emulator.events(GROUP, STREAM)).toHaveLength(1);
  });

  test('a missing group or stream is 404 ResourceNotFoundException; bad headers, types and encodings are 400', async () => {
    const body = request([{ timeUnixNano: nowNanos(), body: { stringValue: 'x' } }]);
    expect([(await post(body, { stream: 'missing' })).status, (await post(body, { group: '/nope' })).json().__type]).toEqual([404, 'ResourceNotFoundException']);
    expect((await post(body, { headers: { 'content-type': 'text/plain' } })).status).toBe(400);
    expect((await post(body, { headers: { 'content-encoding': 'deflate' } })).json().message).toMatch(/only gzip and none/);
    expect((await post({ resourceLogs: 'nope' })).json().message).toMatch(/resourceLogs must be an array of objects/);
  });

  test('request limits refuse the whole request: 10,000 records, 1 MB counted as event bytes + 26, 16 KB resource, 24 h span', async () => {
    const time = nowNanos();
    const many = Array.from({ length: 10_001 }, () => ({ timeUnixNano: time, body: { stringValue: 'x' } }));
    expect((await post(request(many))).json().message).toMatch(/Too many log records: 10001/);
    // Events of exactly known size: {"resource":{"attributes":{}},"timeUnixNano":<19 digits>,"body":"…"}
    const fixed = Buffer.byteLength(`{"resource":{"attributes":{}},"timeUnixNano":${time},"body":""}`);
    const perRecord = 1_048_576 / 16; // 16 records of 65,536 bytes each, 26 included
    const body = 'b'.repeat(perRecord - 26 - fixed);
    const exact = { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: Array.from({ length: 16 }, () => ({ timeUnixNano: time, body: { stringValue: body } })) }] }] };
    expect((await post(exact)).status).toBe(200);
    exact.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body.stringValue += 'b';
    expect((await post(exact)).json().message).toMatch(/Upload too large: 1048577 bytes exceeds limit of 1048576/);
    const bigResource = [{ key: 'blob', value: { stringValue: 'r'.repeat(16_400) } }];
    expect((await post(request([{ timeUnixNano: time, body: { stringValue: 'x' } }], bigResource))).json().message).toMatch(/Resource and scope too large/);
    const now = BigInt(time);
    const span = request([{ timeUnixNano: `${now}`, body: { stringValue: 'a' } }, { timeUnixNano: `${now - 25n * 3_600_000_000_000n}`, body: { stringValue: 'b' } }]);
    expect((await post(span)).json().message).toMatch(/span more than 24 hours/);
    expect(emulator.events(GROUP, STREAM)).toHaveLength(16);
  });

  test('an event over 1 MB keeps its largest field as a large log object, readable with GetLogObject (the SDK reads the event stream)', async () => {
    const big = `start${'é'.repeat(1_500_000)}end`;
    const sent = await post(request([{ timeUnixNano: nowNanos(), body: { kvlistValue: { values: [{ key: 'prompt', value: { stringValue: big } }, { key: 'id', value: { stringValue: 'r-1' } }] } } }]), {
      encoding: 'protobuf',
      gzip: true,
    });
    expect(sent.status).toBe(200);
    const [event] = emulator.events(GROUP, STREAM);
    expect(Buffer.byteLength(event!.message) + 26).toBeLessThanOrEqual(1_048_576);
    const stored = JSON.parse(event!.message);
    expect(stored.body.id).toBe('r-1');
    expect(big.startsWith(stored.body.prompt)).toBe(true);
    const pointer = stored["@ptr.$['body']['prompt']"] as string;
    const response = await sdk().send(new GetLogObjectCommand({ logObjectPointer: pointer }));
    let data = '';
    for await (const part of response.fieldStream!) if (part.fields?.data) data += Buffer.from(part.fields.data).toString('utf8');
    expect(data).toBe(big);
  });

  test('large events: only the fields named in x-aws-truncatable-fields are cut; one per request; refused where the region has no large log objects', async () => {
    const huge = (key: string, bytes: number) => ({ key, value: { stringValue: key.repeat(bytes) } });
    const record = { timeUnixNano: nowNanos(), body: { stringValue: 'short body' }, attributes: [huge('a', 1_200_000), huge('b', 300_000)] };
    expect((await post(request([record]), { headers: { 'x-aws-truncatable-fields': 'attributes.b' } })).json().message).toMatch(/Log event too large/);
    expect((await post(request([record]), { headers: { 'x-aws-truncatable-fields': 'attributes.a,attributes.b' } })).status).toBe(200);
    expect((await post(request([record, record]))).json().message).toMatch(/at most one log record over 1 MB/);

    const elsewhere = new CloudWatchLogsEmulator({ region: 'sa-east-1' });
    await elsewhere.start();
    try {
      elsewhere.seedLogStream(GROUP, STREAM);
      elsewhere.setBearerTokenAuthentication(GROUP, true);
      const url = new URL('/v1/logs', elsewhere.url);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aws-log-group': GROUP, 'x-aws-log-stream': STREAM, authorization: `Bearer ${elsewhere.createApiKey()}` },
        body: JSON.stringify(request([record])),
      });
      expect(((await response.json()) as { message: string }).message).toMatch(/only in the regions with large log objects/);
    } finally {
      await elsewhere.stop();
    }
  });

  test("injected faults use the endpoint's answers: 429 and 503 with Retry-After, under the operation name PutOpenTelemetryLogs", async () => {
    emulator.faults.add({ kind: 'throttle', operation: 'PutOpenTelemetryLogs', times: 1, retryAfterSeconds: 2 });
    emulator.faults.add({ kind: 'unavailable', operation: 'PutOpenTelemetryLogs', times: 1, retryAfterSeconds: 1 });
    const body = request([{ timeUnixNano: nowNanos(), body: { stringValue: 'x' } }]);
    const throttled = await post(body);
    expect([throttled.status, throttled.json().__type, throttled.headers.get('retry-after')]).toEqual([429, 'ThrottlingException', '2']);
    const unavailable = await post(body);
    expect([unavailable.status, unavailable.headers.get('retry-after')]).toEqual([503, '1']);
    expect((await post(body)).status).toBe(200);
  });
});
