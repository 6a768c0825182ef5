import { createHmac } from 'node:crypto';
import { ServiceWatchEmulator, type ServiceWatchEmulatorOptions } from '@otel-cloud-logs/emulators';
import { afterEach, describe, expect, it } from 'vitest';

const { accessKey, secretKey } = ServiceWatchEmulator.DEFAULT_CREDENTIAL;
const LOG_EVENTS = '/v1/log-groups/log-streams/log-events';

let emulator: ServiceWatchEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

async function start(options?: ServiceWatchEmulatorOptions): Promise<string> {
  emulator = new ServiceWatchEmulator(options);
  return emulator.start();
}

/** Signs like the documented algorithm, independently of the exporter package. */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  tweak: { timestamp?: number; secret?: string; signedAccountId?: string; headers?: Record<string, string> } = {},
) {
  const url = `${base}${path}`;
  const timestamp = String(tweak.timestamp ?? Date.now());
  const signature = createHmac('sha256', tweak.secret ?? secretKey).update(`${method}${url}${timestamp}${accessKey}${tweak.signedAccountId ?? ''}Openapi`).digest('base64');
  const response = await fetch(url, {
    method,
    headers: {
      'Scp-Accesskey': accessKey,
      'Scp-Signature': signature,
      'Scp-Timestamp': timestamp,
      'Scp-ClientType': 'Openapi',
      'Accept-Language': 'en-US',
      'Scp-Api-Version': 'servicewatch 1.2',
      'Content-Type': 'application/json',
      ...tweak.headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

function request(records: Array<Record<string, unknown>>, routing: Partial<Record<'log_stream_value' | 'log_group_value' | 'account_id', string>> = {}) {
  const attributes = Object.entries({ log_stream_value: 'stream', log_group_value: 'group', account_id: 'account', ...routing }).map(([key, value]) => ({ key, value: { stringValue: value } }));
  return { resourceLogs: [{ resource: { attributes: [...attributes, { key: 'service.name', value: { stringValue: 'svc' } }] }, scopeLogs: [{ scope: { name: 'sc' }, logRecords: records }] }] };
}

const now = () => String(BigInt(Date.now()) * 1_000_000n);
const destination = { accountId: 'account', logGroupValue: 'group', logStreamValue: 'stream' };

describe('ServiceWatchEmulator', () => {
  it('accepts a valid request with 202 {"status":"success"} and stores the records decoded', async () => {
    const base = await start();
    const time = now();
    const answer = await call(base, 'POST', LOG_EVENTS, request([
      { timeUnixNano: time, body: { stringValue: 'hi' }, severityNumber: 9, attributes: [{ key: 'n', value: { intValue: 3 } }, { key: 'm', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } } }], traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
    ]));
    expect(answer).toMatchObject({ status: 202, body: { status: 'success' } });
    expect(emulator!.records(destination)).toMatchObject([
      { timeUnixNano: time, body: 'hi', severityNumber: 9, attributes: { n: 3, m: { a: true } }, resource: { 'service.name': 'svc', account_id: 'account' }, scope: { name: 'sc' }, traceId: '0af7651916cd43dd8448eb211c80319c' },
    ]);
    expect(emulator!.destinations()).toEqual([{ ...destination, records: 1 }]);
  });

  it('answers 401 HmacValidFail for a bad signature, a stale timestamp, a missing header, an unknown key or a wrong Scp-AccountId', async () => {
    const base = await start();
    const body = request([{ timeUnixNano: now(), body: { stringValue: 'x' } }]);
    const badSignature = await call(base, 'POST', LOG_EVENTS, body, { secret: 'other' });
    expect(badSignature.status).toBe(401);
    expect(badSignature.body.errors[0]).toMatchObject({ code: 'HmacValidFail', status: 401, detail: 'signature does not match' });
    expect(typeof badSignature.body.errors[0].request_id).toBe('string');
    expect((await call(base, 'POST', LOG_EVENTS, body, { timestamp: Date.now() - 301_000 })).body.errors[0].detail).toMatch(/away from the server clock/);
    expect((await call(base, 'POST', LOG_EVENTS, body, { headers: { 'Scp-ClientType': '' } })).body.errors[0].detail).toBe('missing header scp-clienttype');
    expect((await call(base, 'POST', LOG_EVENTS, body, { headers: { 'Scp-Accesskey': 'nobody' } })).body.errors[0].detail).toBe('unknown access key');
    // An account id in the signed string is checked against the Scp-AccountId header the client sends.
    const signedForAccount = { signedAccountId: 'account' };
    expect((await call(base, 'POST', LOG_EVENTS, body, signedForAccount)).body.errors[0].detail).toBe('signature does not match');
    expect((await call(base, 'POST', LOG_EVENTS, body, { ...signedForAccount, headers: { 'Scp-AccountId': 'other' } })).status).toBe(401);
    expect(emulator!.records()).toHaveLength(0);
    expect((await call(base, 'POST', LOG_EVENTS, body, { ...signedForAccount, headers: { 'Scp-AccountId': 'account' } })).status).toBe(202);
  });

  it('answers 400 ValidationError listing each problem, and stores nothing of an invalid request', async () => {
    const base = await start({ maxEventBytes: 200, maxEventsPerRequest: 3, maxAgeMillis: 60_000 });
    const large = { timeUnixNano: now(), body: { stringValue: 'x'.repeat(300) } };
    const answer = await call(base, 'POST', LOG_EVENTS, request([
      { timeUnixNano: 1762336464000000000, body: { stringValue: 'numeric time' } },
      large,
      { timeUnixNano: now(), body: { stringValue: 'ok' }, severityNumber: 99 },
      { timeUnixNano: String(BigInt(Date.now() - 120_000) * 1_000_000n), body: { stringValue: 'old' } },
    ], { account_id: '' }));
    expect(answer.status).toBe(400);
    const [error] = answer.body.errors;
    expect(error).toMatchObject({ code: 'ValidationError', title: 'ValidationError', status: 400 });
    const messages = (error.detail as Array<{ loc: unknown[]; msg: string }>).map((d) => `${d.loc.join('.')}: ${d.msg}`);
    expect(messages).toEqual([
      'body.resourceLogs.0.resource.attributes: resource attribute account_id (a non-empty stringValue) is required',
      'body.resourceLogs.0.scopeLogs.0.logRecords.0.timeUnixNano: field required: a string of nanoseconds since the epoch',
      `body.resourceLogs.0.scopeLogs.0.logRecords.1: log record is ${Buffer.byteLength(JSON.stringify(large))} bytes, over the 200 byte limit`,
      'body.resourceLogs.0.scopeLogs.0.logRecords.2.severityNumber: must be an integer from 0 to 24',
      'body.resourceLogs.0.scopeLogs.0.logRecords.3.timeUnixNano: is older than the accepted window',
      'body.resourceLogs: the request holds 4 log records, over the 3 record limit',
    ]);
    expect((await call(base, 'POST', LOG_EVENTS, '{not json')).body.errors[0].detail[0].msg).toMatch(/invalid JSON/);
    expect((await call(base, 'POST', LOG_EVENTS, { resourceLogs: [] })).status).toBe(400);
    expect((await call(base, 'POST', LOG_EVENTS, request([{ timeUnixNano: now() }]), { headers: { 'Scp-Api-Version': 'servicewatch 1.1' } })).body.errors[0].detail[0].msg).toMatch(/unsupported version/);
    expect(emulator!.records()).toHaveLength(0);
  });

  it('answers 413 over the request size limit, 403 for another account, 429 over the stream rate', async () => {
    const base = await start({ maxRequestBytes: 1_000, requestsPerSecondPerStream: 2, credentials: [{ accessKey, secretKey, accountId: 'account' }] });
    const big = await call(base, 'POST', LOG_EVENTS, request([{ timeUnixNano: now(), body: { stringValue: 'x'.repeat(1_000) } }]));
    expect(big.status).toBe(413);
    expect(big.body.errors[0].detail).toMatch(/over the 1000 byte limit/);
    expect((await call(base, 'POST', LOG_EVENTS, request([{ timeUnixNano: now() }], { account_id: 'other' }))).body.errors[0]).toMatchObject({ status: 403, code: 'Forbidden' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(base, 'POST', LOG_EVENTS, request([{ timeUnixNano: now() }]))).status);
    expect(statuses).toEqual([202, 202, 429]);
  });

  it('injects throttling with Retry-After, 503, 500 and resets', async () => {
    const base = await start();
    emulator!.injectFault({ kind: 'throttle', times: 1, retryAfterSeconds: 2 });
    emulator!.injectFault({ kind: 'unavailable', times: 1 });
    const body = request([{ timeUnixNano: now() }]);
    const throttled = await call(base, 'POST', LOG_EVENTS, body);
    expect([throttled.status, throttled.headers.get('retry-after'), throttled.body.errors[0].code]).toEqual([429, '2', 'TooManyRequests']);
    expect((await call(base, 'POST', LOG_EVENTS, body)).body.errors[0]).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    emulator!.injectFault({ kind: 'internal', times: 1 });
    expect((await call(base, 'POST', LOG_EVENTS, body)).status).toBe(500);
    emulator!.injectFault({ kind: 'reset', times: 1 });
    await expect(call(base, 'POST', LOG_EVENTS, body)).rejects.toThrow();
    expect((await call(base, 'POST', LOG_EVENTS, body)).status).toBe(202);
  });

  it('creates and lists log groups and custom log streams', async () => {
    const base = await start({ requestsPerSecondPerStream: 7 });
    const group = await call(base, 'POST', '/v1/log-groups', { name: 'app', retention_period: 14, tags: [] });
    expect(group).toMatchObject({ status: 201, body: { name: 'app', retention_period: 14, account_id: ServiceWatchEmulator.DEFAULT_ACCOUNT_ID } });
    expect((await call(base, 'POST', '/v1/log-groups', { name: 'app', retention_period: 14 })).status).toBe(409);
    expect((await call(base, 'POST', '/v1/log-groups', { name: 'x', retention_period: -1 })).status).toBe(400);
    expect((await call(base, 'GET', '/v1/log-groups?name=app')).body).toMatchObject({ count: 1, log_groups: [{ id: group.body.id }] });
    const stream = await call(base, 'POST', '/v1/log-groups/log-streams/collect/custom', { log_group_name: 'app', log_stream_name: 'web' });
    expect(stream).toMatchObject({ status: 201, body: { log_group_value: group.body.id, account_id: ServiceWatchEmulator.DEFAULT_ACCOUNT_ID, requests_per_second: 7 } });
    expect(stream.body.log_stream_value).toMatch(/^[0-9a-f]{32}$/);
    expect(await call(base, 'POST', '/v1/log-groups/log-streams/collect/custom', { log_group_name: 'app', log_stream_name: 'web' })).toMatchObject({ status: 200, body: stream.body });
    expect((await call(base, 'POST', '/v1/log-groups/log-streams/collect/custom', { log_group_name: 'none', log_stream_name: 'web' })).status).toBe(404);
    expect((await call(base, 'GET', '/v1/unknown')).status).toBe(404);
  });
});
