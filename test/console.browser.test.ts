import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsExporter } from '@otel-cloud-logs/cloudwatch-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { CloudWatchLogsEmulator, EmulatorConsole, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { Gateway, gatewayOptionsFromYaml } from '@otel-cloud-logs/pipeline';

/** Debian's chromium (what .ci/run installs), or CHROMIUM_PATH. */
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path && existsSync(path));
if (!CHROMIUM) {
  // CI installs chromium, so there a missing browser is a failure, not a skip.
  if (process.env.CI) throw new Error('console.browser.test.ts: no chromium at /usr/bin/chromium in CI; .ci/run should have installed it (apt-get install -y chromium)');
  console.warn('console.browser.test.ts skipped: no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
}
/** With UPDATE_SCREENSHOTS=1 the README's screenshots are rewritten; otherwise they go to a temporary folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS ? new URL('../docs/', import.meta.url).pathname : join(tmpdir(), 'otel-cloud-logs-screenshots');
const WAIT = { timeout: 15_000 };
// OpenTelemetry severity numbers (SeverityNumber in @opentelemetry/api-logs).
const INFO = 9;
const ERROR = 17;

describe.skipIf(!CHROMIUM)('the web console and the gateway status page in headless Chromium', () => {
  const cloudWatch = new CloudWatchLogsEmulator();
  const huaweiLts = new HuaweiLtsEmulator();
  const serviceWatch = new ServiceWatchEmulator();
  const webConsole = new EmulatorConsole({ cloudWatch, huaweiLts, serviceWatch });
  let consoleUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await Promise.all([cloudWatch.start(), huaweiLts.start(), serviceWatch.start()]);
    consoleUrl = await webConsole.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await webConsole.stop();
    await Promise.all([cloudWatch.stop(), huaweiLts.stop(), serviceWatch.stop()]);
  });

  /** The number on a destination's tile of the console, e.g. 'throttled requests'. */
  const tile = async (destination: string, label: string) =>
    Number((await page.locator(`[data-destination="${destination}"] .tile`, { hasText: label }).first().locator('b').textContent({ timeout: 2_000 }).catch(() => '0'))?.replace(/,/g, ''));

  test('shows records sent through the exporter in the live tail, filters them, and counts throttles while a fault is on', async () => {
    await page.goto(consoleUrl);
    await page.waitForSelector('nav.tabs button[data-tab="cloudwatch"][aria-selected="true"]');

    const exporter = new CloudWatchLogsExporter({
      region: cloudWatch.region,
      endpoint: cloudWatch.url,
      credentials: cloudWatch.defaultCredentials,
      logGroupName: 'browser/shop',
      logStreamName: 'web-1',
      createLogGroup: true,
      retry: { initialDelayMillis: 200, maxDelayMillis: 400, deadlineMillis: 30_000 },
    });
    const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 50 })] });
    const logger = provider.getLogger('shop');
    try {
      logger.emit({ body: 'order 1001 placed', severityNumber: INFO, severityText: 'INFO', attributes: { orderId: 1001 } });
      logger.emit({ body: 'payment declined for order 1002', severityNumber: ERROR, severityText: 'ERROR', attributes: { orderId: 1002 } });
      // Multibyte, in glyphs the machine's fonts have (Debian's chromium comes without CJK or emoji fonts).
      logger.emit({ body: 'Bestellung 1003 versandt: Grüße aus Köln', severityNumber: INFO, severityText: 'INFO' });
      await provider.forceFlush();

      // The live tail picks them up without a reload.
      await page.locator('#cloudwatch-records', { hasText: 'payment declined for order 1002' }).waitFor(WAIT);
      expect(await page.textContent('#cloudwatch-records')).toContain('Grüße aus Köln');

      // A JSON filter pattern keeps the error only.
      await page.fill('#cloudwatch-records-form input[name="filter"]', '{ $.severityText = "ERROR" }');
      await page.locator('#cloudwatch-records-count[data-count="1"]').waitFor(WAIT);
      expect(await page.textContent('#cloudwatch-records')).not.toContain('order 1001 placed');
      await page.fill('#cloudwatch-records-form input[name="filter"]', 'user@example.com');
      await page.waitForSelector('#cloudwatch-filter-error', WAIT);
      expect(await page.textContent('#cloudwatch-filter-error')).toContain('Invalid character(s) in term');
      await page.fill('#cloudwatch-records-form input[name="filter"]', '');

      // Throttle PutLogEvents from the page: the exporter's next requests are throttled and counted.
      await page.click('#cloudwatch-toggle-throttle');
      await page.waitForSelector('#cloudwatch-toggle-throttle[aria-pressed="true"]', WAIT);
      expect(cloudWatch.faults.list()).toEqual([{ kind: 'throttle', operation: 'PutLogEvents' }]);
      logger.emit({ body: 'order 1004 placed during throttling', severityNumber: INFO, severityText: 'INFO' });
      const flushed = provider.forceFlush();
      await until(async () => (await tile('browser/shop › web-1', 'throttled requests')) >= 2);
      expect(exporter.metrics.snapshot().throttledRequests).toBeGreaterThanOrEqual(2);

      // Off again: the retried request goes through and the record arrives.
      await page.click('#cloudwatch-toggle-throttle');
      await page.waitForSelector('#cloudwatch-toggle-throttle[aria-pressed="false"]', WAIT);
      await flushed;
      await page.locator('#cloudwatch-records', { hasText: 'order 1004 placed during throttling' }).waitFor(WAIT);
      await until(async () => (await tile('browser/shop › web-1', 'records stored')) === 4);
      await page.waitForTimeout(1_200); // one more chart point, with the throttles in it
      await page.screenshot({ path: join(SHOTS, 'console.png'), fullPage: true });
    } finally {
      await provider.shutdown();
    }
  }, 60_000);

  test("opens the gateway's status page and sees its counters move", async () => {
    const options = gatewayOptionsFromYaml(
      `receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } }
processors: { filter/no_debug: { include: { min_severity: INFO } }, redaction: {} }
exporters:
  cloudwatch_logs:
    region: us-east-1
    endpoint: \${env:AWS_ENDPOINT_URL_CLOUDWATCH_LOGS}
    access_key_id: \${env:AWS_ACCESS_KEY_ID}
    secret_access_key: \${env:AWS_SECRET_ACCESS_KEY}
    log_group_name: browser/gateway
    log_stream_name: otlp
    create_log_group: true
    batch: { scheduled_delay: 100ms }
    retry_on_failure: { initial_interval: 100ms, max_interval: 200ms }
service: { pipelines: { logs: { receivers: [otlp], processors: [filter/no_debug, redaction], exporters: [cloudwatch_logs] } } }`,
      { env: { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudWatch.url, AWS_ACCESS_KEY_ID: cloudWatch.defaultCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: cloudWatch.defaultCredentials.secretAccessKey } },
    );
    const gateway = new Gateway(options);
    try {
      const [gatewayUrl] = await gateway.start();
      await page.goto(`${gatewayUrl}/`);
      expect(await page.textContent('#effective-config')).toContain('secret_access_key: "***"');
      expect(await page.content()).not.toContain(cloudWatch.defaultCredentials.secretAccessKey);
      const exported = () => page.textContent('#exporter-cloudwatch_logs-exported b');
      expect(await exported()).toBe('0');

      // A few seconds of OTLP traffic, so that the charts have points; every fourth record is DEBUG (filtered out).
      let sent = 0;
      let debug = 0;
      for (let batch = 0; batch < 4; batch++) {
        const now = String(BigInt(Date.now()) * 1_000_000n);
        const logRecords = Array.from({ length: 5 + batch * 5 }, (_, i) => ({ timeUnixNano: now, severityNumber: i % 4 === 0 ? 5 : 9, body: { stringValue: `checkout ${batch}.${i} paid by jane@example.com` } }));
        const response = await fetch(`${gatewayUrl}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeLogs: [{ logRecords }] }] }),
        });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        sent += logRecords.length;
        debug += logRecords.filter((record) => record.severityNumber === 5).length;
        // The service throttles two requests in the middle: the exporter retries them, the page counts both.
        if (batch === 1) cloudWatch.faults.add({ kind: 'throttle', operation: 'PutLogEvents', times: 2 });
        await page.waitForTimeout(700);
      }
      await until(async () => Number((await exported())?.replace(/,/g, '')) === sent - debug);
      expect(await page.textContent('#gateway-received b')).toBe(String(sent));
      expect(await page.textContent('#pipeline-logs-received b')).toBe(String(sent));
      expect(await page.textContent('#pipeline-logs')).toContain(`filter/no_debug ${debug}`);
      await until(async () => (await page.textContent('#exporter-cloudwatch_logs-throttled b')) === '2');
      expect(await page.textContent('#exporter-cloudwatch_logs-retried b')).toBe('2');
      expect(cloudWatch.events('browser/gateway', 'otlp')).toHaveLength(sent - debug);
      await page.waitForTimeout(1_200);
      await page.screenshot({ path: join(SHOTS, 'status.png'), fullPage: true });
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});

/** Polls `condition` every 100 ms for at most 15 s (the pages refresh every second). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 100) {
    if (waited > WAIT.timeout) throw new Error('timed out waiting for the page');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
