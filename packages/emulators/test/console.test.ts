import { request } from 'node:http';
import { CloudWatchLogsClient, PutLogEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator, EmulatorConsole, HUAWEI_LTS_EMULATOR_DEFAULTS, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';

const cloudWatch = new CloudWatchLogsEmulator();
const huaweiLts = new HuaweiLtsEmulator();
const serviceWatch = new ServiceWatchEmulator();
const webConsole = new EmulatorConsole({ cloudWatch, huaweiLts, serviceWatch });
let client: CloudWatchLogsClient;
let consoleUrl: string;

beforeAll(async () => {
  await Promise.all([cloudWatch.start(), huaweiLts.start(), serviceWatch.start()]);
  consoleUrl = await webConsole.start();
  client = new CloudWatchLogsClient({ region: cloudWatch.region, endpoint: cloudWatch.url, credentials: cloudWatch.defaultCredentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await webConsole.stop();
  await Promise.all([cloudWatch.stop(), huaweiLts.stop(), serviceWatch.stop()]);
});
beforeEach(() => cloudWatch.reset());

const fragment = async (path: string) => {
  const response = await fetch(`${consoleUrl}/fragment/${path}`);
  expect(response.status, path).toBe(200);
  return response.text();
};
const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${consoleUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
const put = (messages: string[], logGroupName = 'shop') =>
  client.send(new PutLogEventsCommand({ logGroupName, logStreamName: 'web-1', logEvents: messages.map((message) => ({ timestamp: Date.now(), message })) }));

describe('the emulators web console', () => {
  it('serves one page with a tab per emulator and its endpoint', async () => {
    const page = await (await fetch(consoleUrl)).text();
    for (const title of ['Amazon CloudWatch Logs', 'Huawei Cloud LTS', 'SCP ServiceWatch', cloudWatch.url, huaweiLts.url, serviceWatch.url]) expect(page).toContain(title);
    expect(page).toContain('data-live="/fragment/cloudwatch/records"');
  });

  it('lists the stored records newest first, filtered by pattern, scope and time range', async () => {
    cloudWatch.seedLogStream('shop', 'web-1');
    cloudWatch.seedLogStream('shop', 'web-2');
    await put(['{"level":"INFO","msg":"order <b>placed</b>"}', '{"level":"ERROR","msg":"payment declined"}']);
    await client.send(new PutLogEventsCommand({ logGroupName: 'shop', logStreamName: 'web-2', logEvents: [{ timestamp: Date.now() - 2 * 3_600_000, message: 'old ERROR' }] }));

    const all = await fragment('cloudwatch/records?range=0');
    expect(all).toContain('data-count="3"');
    expect(all).toContain('order &lt;b&gt;placed&lt;/b&gt;');
    expect(all.indexOf('payment declined')).toBeLessThan(all.indexOf('order &lt;b&gt;'));
    expect(await fragment('cloudwatch/records?range=900')).toContain('data-count="2"');
    const errors = await fragment(`cloudwatch/records?range=0&filter=${encodeURIComponent('{ $.level = "ERROR" }')}`);
    expect(errors).toContain('data-count="1"');
    expect(errors).toContain('payment declined');
    expect(await fragment('cloudwatch/records?range=0&filter=ERROR&scope=shop/web-2')).toContain('old ERROR');
    const from = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const to = new Date(Date.now() - 3_600_000).toISOString();
    expect(await fragment(`cloudwatch/records?range=900&from=${from}&to=${to}`)).toContain('data-count="1"');
    const invalid = await fragment(`cloudwatch/records?filter=${encodeURIComponent('user@example.com')}`);
    expect(invalid).toContain('Invalid character(s) in term');
  });

  it('charts records, requests and throttles per destination, and switches faults from the page', async () => {
    // Its own group: the console's counters live as long as the console, across emulator resets.
    cloudWatch.seedLogStream('charts', 'web-1');
    const destination = async () => {
      const html = await fragment('cloudwatch/destinations');
      return html.slice(html.indexOf('data-destination="charts › web-1"'));
    };
    await put(['one', 'two', 'three'], 'charts');
    let destinations = await destination();
    expect(destinations).toContain('data-destination="charts › web-1"');
    expect(destinations).toMatch(/records stored<\/span><b>3</);
    expect(destinations).toMatch(/requests<\/span><b>1</);

    expect((await post('/api/cloudwatch/faults/toggle', { kind: 'throttle', operation: 'PutLogEvents' })).status).toBe(200);
    expect(cloudWatch.faults.list()).toEqual([{ kind: 'throttle', operation: 'PutLogEvents' }]);
    expect(await fragment('cloudwatch/faults')).toContain('throttle PutLogEvents: on');
    await expect(put(['refused'], 'charts')).rejects.toBeInstanceOf(ThrottlingException);
    destinations = await destination();
    expect(destinations).toMatch(/throttled requests<\/span><b>1</);
    expect(destinations).toMatch(/records stored<\/span><b>3</);
    expect(await fragment('cloudwatch/summary')).toMatch(/injected throttle<\/span><b>1</);

    await post('/api/cloudwatch/faults/toggle', { kind: 'throttle', operation: 'PutLogEvents' });
    expect(cloudWatch.faults.list()).toEqual([]);
    await put(['accepted again'], 'charts');
    expect(await destination()).toMatch(/records stored<\/span><b>4</);
  });

  it('adds, removes and clears fault rules, and explains a bad one', async () => {
    expect((await post('/api/cloudwatch/faults', { kind: 'unavailable', operation: '', times: '2', probability: '', retryAfterSeconds: '1', delayMillis: '' })).status).toBe(200);
    await post('/api/cloudwatch/faults', { kind: 'delay', delayMillis: '50' });
    expect(cloudWatch.faults.list()).toEqual([{ kind: 'unavailable', times: 2, retryAfterSeconds: 1 }, { kind: 'delay', delayMillis: 50 }]);
    await post('/api/cloudwatch/faults/remove', { index: 0 });
    expect(cloudWatch.faults.list()).toEqual([{ kind: 'delay', delayMillis: 50 }]);
    await post('/api/cloudwatch/faults/clear', {});
    expect(cloudWatch.faults.list()).toEqual([]);

    const bad = await post('/api/cloudwatch/faults', { kind: 'throttle', times: '-1' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('times must be a whole number of requests above 0');
    expect(await (await post('/api/cloudwatch/faults', { kind: 'explode' })).text()).toContain('kind must be one of throttle, unavailable, internal, reset, delay');
    expect(await (await post('/api/cloudwatch/faults', { kind: 'throttle', operation: 'ReportLogs' })).text()).toContain('operation must be empty (any) or one of PutLogEvents');
    expect((await post('/api/cloudwatch/faults/remove', { index: 5 })).status).toBe(400);
  });

  it('shows LTS groups and streams with ids and TTL, and ServiceWatch streams with their routing values', async () => {
    const groupId = huaweiLts.createLogGroup(HUAWEI_LTS_EMULATOR_DEFAULTS.projectId, 'orders', 30);
    const streamId = huaweiLts.createLogStream(HUAWEI_LTS_EMULATOR_DEFAULTS.projectId, groupId, 'api', 3);
    const lts = await fragment('huawei-lts/resources');
    for (const text of ['orders', groupId, '30 days', 'api', streamId, '3 days']) expect(lts).toContain(text);
    expect(await fragment('huawei-lts/scopes')).toContain('value="orders/api"');
    expect(await fragment('servicewatch/resources')).toContain('no custom log streams yet');
  });

  it('answers only loopback host names and same-origin JSON posts', async () => {
    const status = (path: string, method: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const call = request(`${consoleUrl}${path}`, { method, headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        call.on('error', reject);
        call.end(method === 'POST' ? '{}' : undefined);
      });
    expect(await status('/', 'GET', { host: 'attacker.example' })).toBe(403);
    expect(await status('/api/cloudwatch/faults/clear', 'POST', { 'content-type': 'application/json', origin: 'http://attacker.example' })).toBe(403);
    expect(await status('/api/cloudwatch/faults/clear', 'POST', { 'content-type': 'text/plain' })).toBe(415);
    expect(await status('/nowhere', 'GET', {})).toBe(404);
    await expect(new EmulatorConsole({ cloudWatch }).start({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

describe('RollingSeries (the charts’ per-second ring)', () => {
  it('adds and sets per second, reads the last seconds oldest first, and forgets a lap ago', async () => {
    const { RollingSeries } = await import('@otel-cloud-logs/emulators/console-ui');
    let now = 1_000_000;
    const series = new RollingSeries(['records', 'fill'], 5, () => now);
    series.add('records', 2);
    series.add('records', 3);
    series.set('fill', 0.5);
    now += 1_000;
    series.add('records', 1);
    // The second still filling is left out.
    expect(series.series('records')).toEqual([0, 0, 0, 5]);
    now += 1_000;
    expect(series.series('records')).toEqual([0, 0, 5, 1]);
    expect(series.series('fill', 3)).toEqual([0, 0.5, 0]);
    now += 5_000;
    expect(series.series('records')).toEqual([0, 0, 0, 0]);
    series.add('records', 7);
    now += 1_000;
    expect(series.series('records')).toEqual([0, 0, 0, 7]);
    expect(() => new RollingSeries(['x'], 1)).toThrow(/at least 2/);
  });
});
