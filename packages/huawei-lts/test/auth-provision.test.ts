import { HUAWEI_LTS_EMULATOR_DEFAULTS as D, HuaweiLtsEmulator } from '@otel-cloud-logs/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HuaweiCloudClient } from '../src/client.ts';
import { resolveConnection } from '../src/config.ts';
import { HuaweiCloudError } from '../src/errors.ts';
import { LogtankStateError } from '../src/provision/logtank.ts';
import { HuaweiLtsProvisioner } from '../src/provision/index.ts';
import { listLogGroups } from '../src/provision/groups-streams.ts';

const emulator = new HuaweiLtsEmulator({ tokenLifetimeMillis: 1_500, logtankSettleMillis: 300, credentials: [{ accessKeyId: D.accessKeyId, secretAccessKey: D.secretAccessKey }, { accessKeyId: 'STS-AK', secretAccessKey: 'STS-SK', securityToken: 'sts-session' }] });
let url: string;
const endpoints = () => ({ endpoint: url, ingestEndpoint: url, iamEndpoint: url, gaEndpoint: url, projectId: D.projectId });

beforeAll(async () => {
  url = await emulator.start();
});
afterAll(() => emulator.stop());

describe('configuration', () => {
  it('reads the official SDK environment variable names and derives endpoints from the region', () => {
    const resolved = resolveConnection('test', {}, {
      HUAWEICLOUD_SDK_AK: 'ak',
      HUAWEICLOUD_SDK_SK: 'sk',
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'st',
      HUAWEICLOUD_SDK_PROJECT_ID: D.projectId,
      HUAWEICLOUD_REGION: 'ap-southeast-3',
    });
    expect(resolved.auth).toEqual({ type: 'aksk', accessKeyId: 'ak', secretAccessKey: 'sk', securityToken: 'st' });
    expect(resolved.projectId).toBe(D.projectId);
    expect(resolved.endpoint.href).toBe('https://lts.ap-southeast-3.myhuaweicloud.com/');
    expect(resolved.ingestEndpoint.href).toBe('https://lts-access.ap-southeast-3.myhuaweicloud.com:8102/');
    expect(resolved.iamEndpoint?.href).toBe('https://iam.ap-southeast-3.myhuaweicloud.com/');
    expect(resolved.gaEndpoint.href).toBe('https://ga.myhuaweicloud.com/');
  });

  it('takes endpoint overrides from the environment, options first', () => {
    const env = {
      HUAWEICLOUD_SDK_AK: 'ak',
      HUAWEICLOUD_SDK_SK: 'sk',
      HUAWEICLOUD_LTS_ENDPOINT: 'http://127.0.0.1:4520',
      HUAWEICLOUD_LTS_INGEST_ENDPOINT: 'http://127.0.0.1:4521',
      HUAWEICLOUD_IAM_ENDPOINT: 'http://127.0.0.1:4522',
      HUAWEICLOUD_GA_ENDPOINT: 'http://127.0.0.1:4523',
    };
    const resolved = resolveConnection('test', {}, env);
    expect([resolved.endpoint, resolved.ingestEndpoint, resolved.iamEndpoint, resolved.gaEndpoint].map((url) => url?.port)).toEqual(['4520', '4521', '4522', '4523']);
    expect(resolveConnection('test', { ingestEndpoint: 'http://127.0.0.1:9' }, env).ingestEndpoint.port).toBe('9');
  });

  it('explains what is missing', () => {
    expect(() => resolveConnection('test', { region: 'r' }, {})).toThrow(/HUAWEICLOUD_SDK_AK/);
    expect(() => resolveConnection('test', { auth: { type: 'aksk', accessKeyId: 'a', secretAccessKey: 's' } }, {})).toThrow(/region/);
    expect(() => resolveConnection('test', { region: 'r', projectId: 'short', auth: { type: 'token', token: 't' } }, {})).toThrow(/32-character/);
    expect(() => resolveConnection('test', { region: 'r', auth: { type: 'password', userName: 'u', password: '', domainName: 'd' } }, {})).toThrow(/auth.password/);
  });
});

describe('authentication against the emulator', () => {
  it('AK/SK signing, with X-Security-Token for temporary credentials', async () => {
    const client = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'aksk', accessKeyId: 'STS-AK', secretAccessKey: 'STS-SK', securityToken: 'sts-session' } });
    await expect(listLogGroups(client, D.projectId)).resolves.toBeInstanceOf(Array);
    const wrong = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'aksk', accessKeyId: 'STS-AK', secretAccessKey: 'other' } });
    const error = await listLogGroups(wrong, D.projectId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect((error as HuaweiCloudError).code).toBe('APIGW.0301');
    expect((error as Error).message).not.toContain('other');
    await Promise.all([client.close(), wrong.close()]);
  });

  it('a static token is sent as X-Auth-Token', async () => {
    const client = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'token', token: emulator.issueToken() } });
    await expect(listLogGroups(client, D.projectId)).resolves.toBeInstanceOf(Array);
    await client.close();
  });

  it('password auth obtains a token from IAM once, reuses it, and refreshes it before it expires', async () => {
    const client = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'password', ...D.user }, tokenRefreshMarginMillis: 1_000 });
    const before = emulator.requestCounts.get('CreateToken') ?? 0;
    await Promise.all([listLogGroups(client, D.projectId), listLogGroups(client, D.projectId), listLogGroups(client, D.projectId)]);
    expect(emulator.requestCounts.get('CreateToken')).toBe(before + 1);
    const first = await client.token(D.projectId);
    // Lifetime 1.5 s, margin 1 s: after 0.6 s the token is due for refresh although still valid.
    await new Promise((r) => setTimeout(r, 600));
    await listLogGroups(client, D.projectId);
    expect(emulator.requestCounts.get('CreateToken')).toBe(before + 2);
    expect(await client.token(D.projectId)).not.toBe(first);
    await client.close();
  });

  it('password auth replaces a token the service stops accepting and sends the call once more', async () => {
    const client = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'password', ...D.user }, tokenRefreshMarginMillis: 0 });
    await listLogGroups(client, D.projectId);
    const before = emulator.requestCounts.get('CreateToken')!;
    const listsBefore = emulator.requestCounts.get('ListLogGroups')!;
    emulator.state.tokens.clear(); // revoked on the service side, long before its expires_at
    await expect(listLogGroups(client, D.projectId)).resolves.toBeInstanceOf(Array);
    expect(emulator.requestCounts.get('CreateToken')).toBe(before + 1);
    expect(emulator.requestCounts.get('ListLogGroups')).toBe(listsBefore + 2);
    await client.close();
  });

  it('a static token that is refused is not retried, and the error does not contain it', async () => {
    const token = emulator.issueToken(undefined, 1);
    await new Promise((r) => setTimeout(r, 5));
    const client = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'token', token } });
    const error = (await listLogGroups(client, D.projectId).catch((e: unknown) => e)) as HuaweiCloudError;
    expect(error).toMatchObject({ status: 401, code: 'LTS.0003' });
    expect(error.message).toMatch(/token is invalid or expired/);
    expect(error.message).not.toContain(token);
    await client.close();
  });

  it('a wrong password fails with a clear error that does not contain the password', async () => {
    const client = new HuaweiCloudClient({ ...endpoints(), auth: { type: 'password', ...D.user, password: 'hunter2-wrong' } });
    const error = (await listLogGroups(client, D.projectId).catch((e: unknown) => e)) as HuaweiCloudError;
    expect(error).toMatchObject({ status: 401, code: 'IAM.401' });
    expect(error.message).toMatch(/IAM token request .*check auth.userName, auth.password and auth.domainName/);
    expect(error.message).not.toContain('hunter2');
    await client.close();
  });
});

describe('HuaweiLtsProvisioner', () => {
  const provisioner = () => new HuaweiLtsProvisioner({ ...endpoints(), auth: { type: 'aksk', accessKeyId: D.accessKeyId, secretAccessKey: D.secretAccessKey } });

  it('ensures a group and a stream by name: creates once with the TTL, then finds them', async () => {
    const lts = provisioner();
    const first = await lts.ensureLogStream('prov-group', 'prov-stream', { ttlInDays: 14 });
    expect(first).toMatchObject({ createdLogGroup: true, createdLogStream: true });
    const again = await lts.ensureLogStream('prov-group', 'prov-stream');
    expect(again).toEqual({ ...first, createdLogGroup: false, createdLogStream: false });
    const byId = await lts.ensureLogStream(first.logGroupId, 'second');
    expect(byId.logGroupId).toBe(first.logGroupId);
    expect((await lts.listLogGroups()).find((g) => g.logGroupName === 'prov-group')?.ttlInDays).toBe(14);
    expect((await lts.listLogStreams(first.logGroupId)).map((s) => s.logStreamName).sort()).toEqual(['prov-stream', 'second']);
    await expect(lts.ensureLogGroup('_bad')).rejects.toThrow(/must not start/);
    await lts.close();
  });

  it('tolerates "already exists" (LTS.0101 / LTS.0205) when another process creates the same names concurrently', async () => {
    const a = provisioner();
    const b = provisioner();
    const results = await Promise.all([a.ensureLogStream('race-group', 'race-stream'), b.ensureLogStream('race-group', 'race-stream')]);
    expect(results[0].logGroupId).toBe(results[1].logGroupId);
    expect(results[0].logStreamId).toBe(results[1].logStreamId);
    expect(emulator.state.project(D.projectId)!.groups.size).toBeGreaterThan(0);
    expect([...emulator.state.project(D.projectId)!.groups.values()].filter((g) => g.name === 'race-group')).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('creates a GA logtank and waits for ACTIVE, fails clearly on ERROR and on timeout, and deletes it', async () => {
    const lts = provisioner();
    const { logGroupId, logStreamId } = await lts.ensureLogStream('ga-logs', 'listener-access');
    const active = await lts.createLogtank({ resourceId: 'listener-ok', logGroupId, logStreamId, pollIntervalMillis: 20 });
    expect(active).toMatchObject({ status: 'ACTIVE', resourceType: 'LISTENER', resourceId: 'listener-ok', logGroupId, logStreamId, projectId: D.projectId });
    expect((await lts.getLogtank(active.id)).status).toBe('ACTIVE');

    emulator.failLogtanksFor('listener-broken');
    const broken = await lts.createLogtank({ resourceId: 'listener-broken', logGroupId, logStreamId, pollIntervalMillis: 20 }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(LogtankStateError);
    expect((broken as Error).message).toMatch(/went to status ERROR: check that the listener exists/);
    expect((broken as LogtankStateError).logtank).toMatchObject({ status: 'ERROR', resourceId: 'listener-broken' });
    await lts.deleteLogtank((broken as LogtankStateError).logtank.id, { pollIntervalMillis: 20 });

    // PENDING at the deadline; waiting again (through a throttled and a failed status read) sees it become ACTIVE.
    const slow = (await lts.createLogtank({ resourceId: 'listener-slow', logGroupId, logStreamId, pollIntervalMillis: 20, waitTimeoutMillis: 30 }).catch((e: unknown) => e)) as LogtankStateError;
    expect(slow.message).toMatch(/still PENDING/);
    expect(slow.logtank.status).toBe('PENDING');
    emulator.faults.add({ kind: 'throttle', operation: 'ShowLogtank', times: 1 });
    emulator.faults.add({ kind: 'unavailable', operation: 'ShowLogtank', times: 1 });
    const showsBefore = emulator.requestCounts.get('ShowLogtank') ?? 0;
    await expect(lts.waitForLogtank(slow.logtank.id, { pollIntervalMillis: 20 })).resolves.toMatchObject({ id: slow.logtank.id, status: 'ACTIVE' });
    expect(emulator.requestCounts.get('ShowLogtank')).toBeGreaterThanOrEqual(showsBefore + 3);

    await lts.deleteLogtank(active.id, { pollIntervalMillis: 20 });
    await expect(lts.getLogtank(active.id)).rejects.toMatchObject({ status: 404 });
    await expect(lts.deleteLogtank(active.id)).resolves.toBeUndefined();
    await expect(lts.createLogtank({ resourceId: 'x', logGroupId, logStreamId: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ status: 400 });
    await lts.close();
  });
});
