import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator, HUAWEI_LTS_EMULATOR_DEFAULTS, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { Gateway, gatewayOptionsFromFile, gatewayOptionsFromYaml } from '../src/index.ts';
import { maskConfig, MASK } from '../src/gateway/mask-config.ts';
import { emulatorEnv, PIPELINE_YAML } from './emulator-env.ts';

describe('maskConfig', () => {
  it('masks options named like secrets, whole maps under them, URL passwords, and the same secret elsewhere', () => {
    const masked = maskConfig({
      exporters: {
        aws: { region: 'us-east-1', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'wJalrXUtnFEMI', session_token: 'tok3n' },
        huawei: { auth: { type: 'aksk', accessKeyId: 'HWAK', sk: 'hw-secret-key' }, password: 'p@ss' },
        scp: { credentials: { user: 'bob', nested: { value: 'x' } }, endpoint: 'https://bob:hunter22@scp.example/v1' },
        http: { headers: { Authorization: 'Bearer abc.def', 'X-Api-Key': 'k-123456' }, note: 'pasted wJalrXUtnFEMI here' },
      },
      processors: { attributes: { actions: [{ key: 'user.id', action: 'delete' }] }, redaction: { blocked_keys: ['password'] } },
    });
    // An attribute called `key` and the list of attribute names to block are names, not secrets.
    expect(masked).toEqual({
      exporters: {
        aws: { region: 'us-east-1', access_key_id: MASK, secret_access_key: MASK, session_token: MASK },
        huawei: { auth: { type: 'aksk', accessKeyId: MASK, sk: MASK }, password: MASK },
        scp: { credentials: { user: MASK, nested: { value: MASK } }, endpoint: `https://bob:${MASK}@scp.example/v1` },
        http: { headers: { Authorization: MASK, 'X-Api-Key': MASK }, note: `pasted ${MASK} here` },
      },
      processors: { attributes: { actions: [{ key: 'user.id', action: 'delete' }] }, redaction: { blocked_keys: ['password'] } },
    });
  });
});

describe('the gateway status page', () => {
  const cloudwatch = new CloudWatchLogsEmulator();
  const huawei = new HuaweiLtsEmulator();
  const scp = new ServiceWatchEmulator();
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    const urls = { cloudwatch: await cloudwatch.start(), huawei: await huawei.start(), scp: await scp.start() };
    gateway = new Gateway(await gatewayOptionsFromFile(PIPELINE_YAML, { env: emulatorEnv(urls) }));
    [url] = (await gateway.start()) as [string];
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([cloudwatch.stop(), huawei.stop(), scp.stop()]);
  });

  it('lists the pipeline, its receiver, processors, routes and exporters, and the effective configuration without secrets', async () => {
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain(`otlp ${url}/v1/logs`);
    expect(page).toContain('<code>filter/no_debug</code> → <code>redaction</code> → <code>destination</code>');
    expect(page).toContain('when <code>{&quot;attributes&quot;:{&quot;tenant&quot;:&quot;huawei&quot;}}</code> → <code>huawei_lts</code>');
    for (const exporter of ['cloudwatch_logs', 'huawei_lts', 'scp_servicewatch', 'CloudWatchLogsExporter', 'HuaweiLtsExporter', 'ServiceWatchLogsExporter']) expect(page).toContain(exporter);
    expect(page).toContain(`endpoint: ${cloudwatch.url}`);
    expect(page).toContain('secret_access_key: &quot;***&quot;');
    for (const secret of [CLOUDWATCH_EMULATOR_CREDENTIALS.secretAccessKey, HUAWEI_LTS_EMULATOR_DEFAULTS.secretAccessKey, ServiceWatchEmulator.DEFAULT_CREDENTIAL.secretKey, CLOUDWATCH_EMULATOR_CREDENTIALS.accessKeyId]) {
      expect(page).not.toContain(secret);
    }
    expect((await fetch(`${url}/status`)).status).toBe(200);
  });

  it('counts what goes through in the live part, with charts of the last minutes', async () => {
    const before = await (await fetch(`${url}/status/live`)).text();
    expect(before).toMatch(/id="gateway-received"><span>records received<\/span><b>0</);
    const now = String(BigInt(Date.now()) * 1_000_000n);
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'status-test' } }] },
          // `client` completes the configuration's log stream template.
          scopeLogs: [{ logRecords: [1, 2, 3].map((n) => ({ timeUnixNano: now, severityNumber: 9, body: { stringValue: `record ${n}` }, attributes: [{ key: 'client', value: { stringValue: 'status' } }] })) }],
        },
      ],
    };
    const sent = await fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(sent.status).toBe(200);
    await sent.arrayBuffer();
    for (let waited = 0; gateway.metrics().exporters.cloudwatch_logs!.exported < 3; waited += 50) {
      if (waited > 10_000) throw new Error('the records were not exported');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const live = await (await fetch(`${url}/status/live`)).text();
    expect(live).toMatch(/id="gateway-received"><span>records received<\/span><b>3</);
    expect(live).toMatch(/id="exporter-cloudwatch_logs-exported"><span>records exported<\/span><b>3</);
    expect(live).toMatch(/id="gateway-responses-200"><span>HTTP 200 answers<\/span><b>1</);
    expect(live).toContain('Pipeline logs');
    expect(live.match(/<svg /g)!.length).toBe(2 + 3 * 4);
    expect(live).toContain('request fill (of 1.0 MiB)');
  });

  it('says when there is no configuration file to show, and still 404s other paths', async () => {
    const options = gatewayOptionsFromYaml(
      `receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } }
exporters: { cloudwatch_logs: { region: us-east-1, endpoint: '${cloudwatch.url}', access_key_id: a, secret_access_key: b, log_group_name: g, log_stream_name: s } }
service: { pipelines: { logs: { receivers: [otlp], exporters: [cloudwatch_logs] } } }`,
      { env: {} },
    );
    const coded = new Gateway({ ...options, effectiveConfig: undefined });
    try {
      const [codedUrl] = await coded.start();
      expect(await (await fetch(`${codedUrl}/`)).text()).toContain('built in code');
      expect((await fetch(`${codedUrl}/elsewhere`)).status).toBe(404);
    } finally {
      await coded.stop();
    }
  });
});
