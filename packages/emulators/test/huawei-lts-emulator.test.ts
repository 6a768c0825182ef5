import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HUAWEI_LTS_EMULATOR_DEFAULTS as D, HuaweiLtsEmulator, verifySignature } from '../src/index.ts';

const emulator = new HuaweiLtsEmulator({ logtankSettleMillis: 300, credentials: [{ accessKeyId: D.accessKeyId, secretAccessKey: D.secretAccessKey }, { accessKeyId: 'TEMPAK', secretAccessKey: 'TEMPSK', securityToken: 'sts-token' }] });
let url: string;

beforeAll(async () => {
  url = await emulator.start();
});
afterAll(() => emulator.stop());

/** Sends a request signed by the official Huawei Cloud SDK signer (independent of the exporter package). */
async function signedFetch(method: string, path: string, body?: unknown, options: { ak?: string; sk?: string; securityToken?: string; tamper?: boolean } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': D.projectId };
  if (options.securityToken) headers['X-Security-Token'] = options.securityToken;
  const signed = AKSKSigner.sign(
    { endpoint: `${url}${path}`, method, headers, data: body },
    { getAk: () => options.ak ?? D.accessKeyId, getSk: () => options.sk ?? D.secretAccessKey } as never,
  ) as Record<string, string>;
  delete signed.host;
  const text = body === undefined ? undefined : JSON.stringify(body) + (options.tamper ? ' ' : '');
  const response = await fetch(`${url}${path}`, { method, headers: signed, body: text });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, any>, headers: response.headers };
}

async function tokenFetch(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json;charset=UTF-8' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, any> };
}

const reportPath = (group: string, stream: string) => `/v2/${D.projectId}/lts/groups/${group}/streams/${stream}/tenant/contents/high-accuracy`;
const nowNs = () => (BigInt(Date.now()) * 1_000_000n).toString();

describe('HuaweiLtsEmulator', () => {
  it('issues IAM tokens in X-Subject-Token and accepts them on LTS calls; refuses bad passwords and unknown tokens', async () => {
    const auth = (password: string) => ({
      auth: { identity: { methods: ['password'], password: { user: { name: D.user.userName, password, domain: { name: D.user.domainName } } } }, scope: { project: { id: D.projectId } } },
    });
    const bad = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', body: JSON.stringify(auth('wrong')) });
    expect(bad.status).toBe(401);
    const good = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', body: JSON.stringify(auth(D.user.password)) });
    expect(good.status).toBe(201);
    const token = good.headers.get('x-subject-token')!;
    expect(token.length).toBeGreaterThan(1000);
    const body = (await good.json()) as { token: { expires_at: string; project: { id: string } } };
    expect(Date.parse(body.token.expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect((await tokenFetch('GET', `/v2/${D.projectId}/groups`, token)).status).toBe(200);
    const unknown = await tokenFetch('GET', `/v2/${D.projectId}/groups`, 'not-a-token');
    expect(unknown).toMatchObject({ status: 401, body: { error_code: 'LTS.0003' } });
    const otherProject = await tokenFetch('GET', `/v2/${'f'.repeat(32)}/groups`, token);
    expect(otherProject.status).toBe(403);
  });

  it('verifies AK/SK signatures made by the official SDK, including temporary credentials, and rejects tampering', async () => {
    expect((await signedFetch('GET', `/v2/${D.projectId}/groups`)).status).toBe(200);
    expect((await signedFetch('GET', `/v2/${D.projectId}/groups`, undefined, { sk: 'wrong' })).body.error_code).toBe('APIGW.0301');
    const group = await signedFetch('POST', `/v2/${D.projectId}/groups`, { log_group_name: 'signed-group', ttl_in_days: 7 }, { tamper: true });
    expect(group).toMatchObject({ status: 401, body: { error_code: 'APIGW.0301' } });
    expect((await signedFetch('GET', `/v2/${D.projectId}/groups`, undefined, { ak: 'TEMPAK', sk: 'TEMPSK' })).status).toBe(401);
    expect((await signedFetch('GET', `/v2/${D.projectId}/groups`, undefined, { ak: 'TEMPAK', sk: 'TEMPSK', securityToken: 'sts-token' })).status).toBe(200);
  });

  it('accepts official-SDK signatures over paths and queries that need encoding, however the client encoded them', () => {
    const rawPath = `/v2/${D.projectId}/groups/日本語(1)!x*~/ü-😀`;
    const query = { 'log group': 'a+b é', z: ['2', '1'] };
    const sdkDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const signed = AKSKSigner.sign(
      { endpoint: `http://127.0.0.1:4520${rawPath}`, method: 'GET', headers: { 'X-Project-Id': D.projectId, 'X-Sdk-Date': sdkDate }, queryParams: query },
      { getAk: () => D.accessKeyId, getSk: () => D.secretAccessKey } as never,
    ) as Record<string, string>;
    const headers = Object.fromEntries(Object.entries(signed).map(([name, value]) => [name.toLowerCase(), value]));
    const search = 'z=2&log%20group=a%2Bb%20%C3%A9&z=1';
    const received = (path: string) => ({ method: 'GET', url: `${path}?${search}`, path, query: new URLSearchParams(search), headers, body: Buffer.alloc(0), rawBody: Buffer.alloc(0) });
    // WHATWG URL leaves ( ) ! * raw; encodeURIComponent-style clients escape more: both mean the same path.
    const whatwg = new URL(`http://h${rawPath}`).pathname;
    const strict = rawPath.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
    expect(whatwg).not.toBe(strict);
    const keys = new Map([[D.accessKeyId, { accessKeyId: D.accessKeyId, secretAccessKey: D.secretAccessKey }]]);
    expect(verifySignature(received(whatwg), keys, 60_000)).toEqual({ ok: true, accessKeyId: D.accessKeyId });
    expect(verifySignature(received(strict), keys, 60_000)).toEqual({ ok: true, accessKeyId: D.accessKeyId });
    expect(verifySignature(received(whatwg.replace('x', 'y')), keys, 60_000)).toMatchObject({ ok: false, reason: 'signature does not match' });
  });

  it('creates and lists groups and streams with the documented bodies and error codes', async () => {
    const created = await signedFetch('POST', `/v2/${D.projectId}/groups`, { log_group_name: 'app-logs', ttl_in_days: 30 });
    expect(created.status).toBe(201);
    const groupId = created.body.log_group_id as string;
    expect(groupId).toHaveLength(36);
    expect((await signedFetch('POST', `/v2/${D.projectId}/groups`, { log_group_name: 'app-logs', ttl_in_days: 30 })).body).toMatchObject({ error_code: 'LTS.0101' });
    expect((await signedFetch('POST', `/v2/${D.projectId}/groups`, { log_group_name: 'no-ttl' })).body).toMatchObject({ error_code: 'LTS.0009' });
    expect((await signedFetch('POST', `/v2/${D.projectId}/groups`, { log_group_name: '.bad', ttl_in_days: 1 })).body).toMatchObject({ error_code: 'LTS.0009' });
    const stream = await signedFetch('POST', `/v2/${D.projectId}/groups/${groupId}/streams`, { log_stream_name: 'web', ttl_in_days: 7 });
    expect(stream.status).toBe(201);
    expect((await signedFetch('POST', `/v2/${D.projectId}/groups/${groupId}/streams`, { log_stream_name: 'web' })).body).toMatchObject({ error_code: 'LTS.0205' });
    expect((await signedFetch('GET', `/v2/${D.projectId}/groups/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/streams`)).body).toMatchObject({ error_code: 'LTS.0201' });
    const groups = await signedFetch('GET', `/v2/${D.projectId}/groups`);
    expect(groups.body.log_groups).toContainEqual(expect.objectContaining({ log_group_id: groupId, log_group_name: 'app-logs', ttl_in_days: 30 }));
    const streams = await signedFetch('GET', `/v2/${D.projectId}/groups/${groupId}/streams`);
    expect(streams.body.log_streams).toEqual([expect.objectContaining({ log_stream_id: stream.body.log_stream_id, log_stream_name: 'web' })]);
  });

  it('stores high-accuracy and regular reports with exact nanosecond times and enforces the line, label and time limits', async () => {
    const group = emulator.createLogGroup(D.projectId, 'limits');
    const stream = emulator.createLogStream(D.projectId, group, 's');
    const t = nowNs();
    // Built by hand: log_time_ns is an int64 beyond 2^53.
    const raw = `{"contents":[{"log_time_ns":${t},"log":"h\\u00e9llo"}],"labels":{"env":"test"}}`;
    const token = emulator.issueToken();
    const send = (body: string, path = reportPath(group, stream)) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'x-auth-token': token }, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    expect(await send(raw)).toEqual({ status: 200, body: { errorCode: 'SVCSTG.ALS.200.200', error_msg: 'Report success.', result: null } });
    expect(emulator.lines(D.projectId, 'limits', 's')).toEqual([{ timeNs: t, line: 'héllo', labels: { env: 'test' } }]);
    const regular = await send(`{"log_time_ns":${t},"contents":["a","b"],"labels":{}}`, reportPath(group, stream).replace('/high-accuracy', ''));
    expect(regular.status).toBe(200);
    expect(emulator.lines(D.projectId, group, stream).slice(1).map((l) => l.timeNs)).toEqual([t, (BigInt(t) + 1n).toString()]);

    const line = (text: string, time = t) => `{"contents":[{"log_time_ns":${time},"log":${JSON.stringify(text)}}]}`;
    expect((await send(line('x'.repeat(1_000_000)))).status).toBe(200);
    expect(await send(line('x'.repeat(1_000_001)))).toMatchObject({ status: 400, body: { errorCode: 'LTS.0009' } });
    const old = (BigInt(Date.now() - 25 * 3_600_000) * 1_000_000n).toString();
    expect((await send(line('old', old))).status).toBe(400);
    const labels = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`l${i}`, 'v']));
    expect((await send(`{"contents":[{"log_time_ns":${t},"log":"x"}],"labels":${JSON.stringify(labels)}}`)).status).toBe(400);
    expect((await send(`{"contents":[{"log_time_ns":${t},"log":"x"}],"labels":{"hostName":"h"}}`)).status).toBe(400);
    expect(await send('not json')).toMatchObject({ status: 400, body: { errorCode: 'SVCSTG.ALS.200.201' } });
    // log_time_ns is an int64 number, not a string, and not fractional.
    expect(await send(`{"contents":[{"log_time_ns":"${t}","log":"x"}]}`)).toMatchObject({ status: 400, body: { errorCode: 'LTS.0009' } });
    expect(await send(`{"contents":[{"log_time_ns":${t}.5,"log":"x"}]}`)).toMatchObject({ status: 400, body: { errorCode: 'LTS.0009' } });
    emulator.setQuotaFull(true);
    expect(await send(line('q'))).toMatchObject({ status: 400, body: { errorCode: 'SVCSTG.ALS.200.210' } });
    emulator.setQuotaFull(false);
    emulator.injectReportAnswer({ code: 'SVCSTG.ALS.200.299' });
    expect(await send(line('q'))).toMatchObject({ status: 200, body: { errorCode: 'SVCSTG.ALS.200.299' } });
  });

  it('moves GA logtanks PENDING → ACTIVE, or → ERROR for a failing listener, and deletes them', async () => {
    const group = emulator.createLogGroup(D.projectId, 'ga');
    const stream = emulator.createLogStream(D.projectId, group, 'access');
    const token = emulator.issueToken({ domain: true });
    const create = (resource: string) => tokenFetch('POST', '/v1/logtanks', token, { logtank: { resource_type: 'LISTENER', resource_id: resource, log_group_id: group, log_stream_id: stream } });
    const created = await create('listener-1');
    expect(created).toMatchObject({ status: 201, body: { logtank: { status: 'PENDING', project_id: D.projectId, log_stream_id: stream } } });
    const id = created.body.logtank.id as string;
    await vi.waitFor(async () => expect((await tokenFetch('GET', `/v1/logtanks/${id}`, token)).body.logtank.status).toBe('ACTIVE'), { timeout: 5_000 });
    emulator.failLogtanksFor('listener-2');
    const failing = await create('listener-2');
    await vi.waitFor(async () => expect((await tokenFetch('GET', `/v1/logtanks/${failing.body.logtank.id}`, token)).body.logtank.status).toBe('ERROR'), { timeout: 5_000 });
    expect((await tokenFetch('DELETE', `/v1/logtanks/${id}`, token)).status).toBe(204);
    expect((await tokenFetch('GET', `/v1/logtanks/${id}`, token)).body.logtank.status).toBe('DELETING');
    await vi.waitFor(async () => expect((await tokenFetch('GET', `/v1/logtanks/${id}`, token)).status).toBe(404), { timeout: 5_000 });
    expect((await tokenFetch('POST', '/v1/logtanks', token, { logtank: { resource_type: 'LISTENER', resource_id: 'x', log_group_id: group, log_stream_id: 'nope' } })).status).toBe(400);
  });

  it('injects throttling, 5xx and resets in the documented formats', async () => {
    const token = emulator.issueToken();
    emulator.faults.add({ kind: 'throttle', operation: 'ListLogGroups', times: 1, retryAfterSeconds: 2 });
    emulator.faults.add({ kind: 'unavailable', operation: 'ListLogGroups', times: 1 });
    emulator.faults.add({ kind: 'reset', operation: 'ListLogGroups', times: 1 });
    const throttled = await fetch(`${url}/v2/${D.projectId}/groups`, { headers: { 'x-auth-token': token } });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(await throttled.json()).toMatchObject({ error_code: 'APIGW.0308' });
    expect((await tokenFetch('GET', `/v2/${D.projectId}/groups`, token)).status).toBe(503);
    await expect(fetch(`${url}/v2/${D.projectId}/groups`, { headers: { 'x-auth-token': token } })).rejects.toThrow();
    expect((await tokenFetch('GET', `/v2/${D.projectId}/groups`, token)).status).toBe(200);
  });
});
