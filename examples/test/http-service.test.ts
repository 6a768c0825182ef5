import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { MULTIBYTE_MESSAGE } from '../shared/shop-app.ts';
import { pinoLines, runExample } from './support/run-example.ts';

interface CloudWatchMessage {
  body: unknown;
  severityText?: string;
  severityNumber?: number;
  attributes?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
}

describe('examples/http-service (NodeSDK + pino + fastify)', () => {
  const emulator = new CloudWatchLogsEmulator();
  let endpoint: string;

  beforeAll(async () => {
    endpoint = await emulator.start();
  });
  afterAll(() => emulator.stop());

  test('request logs reach CloudWatch Logs with the trace and span ids pino printed, configured only by environment variables', async () => {
    const { accessKeyId, secretAccessKey } = emulator.defaultCredentials;
    const app = runExample('examples/http-service/main.ts', {
      AWS_REGION: emulator.region,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      OTEL_SERVICE_NAME: 'checkout',
      // Routing by resource attribute: the records go to this stream instead of the example's default.
      OTEL_RESOURCE_ATTRIBUTES: 'log_stream_value=checkout-1,deployment.environment=test',
      PORT: '0',
    });
    const [, url] = await app.waitFor(/Server listening at (http:\/\/[\d.:]+)/, 30_000);

    expect((await fetch(`${url}/orders/7`)).status).toBe(200);
    expect((await fetch(`${url}/fail`)).status).toBe(500);
    const posted = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: '本' }) });
    expect(posted.status).toBe(201);

    app.child.kill('SIGTERM');
    expect(await app.exited()).toBe(0);
    expect(app.stderr()).toMatch(/cloudwatch-logs\s+accepted \d+ in \d+ request/);

    const stored = emulator.events('/otel-cloud-logs/examples', 'checkout-1').map((event) => JSON.parse(event.message) as CloudWatchMessage);
    const printed = pinoLines(app.stdout());
    // Everything pino printed arrived, in order.
    expect(stored.map((record) => record.body)).toEqual(printed.map((line) => line.msg));

    const lookedUp = stored.find((record) => record.body === 'order looked up')!;
    expect(lookedUp.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lookedUp.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(lookedUp.attributes).toMatchObject({ orderId: 7 });
    const printedLookup = printed.find((line) => line.msg === 'order looked up')!;
    expect(printedLookup.trace_id).toBe(lookedUp.traceId);
    expect(printedLookup.span_id).toBe(lookedUp.spanId);

    // Every record of one request carries that request's trace id; different requests have different ones.
    const traceIds = new Set(stored.filter((record) => record.body === 'incoming request').map((record) => record.traceId));
    expect(traceIds.size).toBe(3);
    for (const record of stored.filter((record) => record.body !== 'Server listening at ' + url)) {
      expect(traceIds.has(record.traceId)).toBe(true);
    }

    const failure = stored.find((record) => record.severityText === 'error')!;
    expect(failure.severityNumber).toBe(17);
    expect(JSON.stringify(failure)).toContain('payment backend unavailable');
    expect(stored.find((record) => record.body === MULTIBYTE_MESSAGE)?.attributes).toMatchObject({ item: '本' });
  });
});
