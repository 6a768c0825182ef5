import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { MULTIBYTE_MESSAGE } from '../shared/shop-app.ts';
import { runExample } from './support/run-example.ts';

describe('examples/winston-app (@opentelemetry/winston-transport through bridgeApiLogs)', () => {
  const emulator = new CloudWatchLogsEmulator();
  let endpoint: string;

  beforeAll(async () => {
    endpoint = await emulator.start();
  });
  afterAll(() => emulator.stop());

  test('records the transport emits through @opentelemetry/api-logs reach CloudWatch Logs with severity and meta', async () => {
    const { accessKeyId, secretAccessKey } = emulator.defaultCredentials;
    const app = runExample('examples/winston-app/main.ts', {
      AWS_DEFAULT_REGION: emulator.region,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    });
    expect(await app.exited(30_000)).toBe(0);

    const stored = emulator.events('/otel-cloud-logs/examples', 'winston-app').map((event) => JSON.parse(event.message) as Record<string, unknown>);
    expect(stored.map((record) => record.body)).toEqual([
      'nightly import started',
      'row 2 has no e-mail address',
      'row 3 could not be parsed',
      MULTIBYTE_MESSAGE,
      'nightly import finished',
    ]);
    expect(stored.map((record) => record.severityNumber)).toEqual([9, 13, 17, 9, 9]);
    expect(stored[2]).toMatchObject({ severityText: 'error', attributes: { row: 3, reason: 'invalid date "2024-02-30"' } });
    expect(app.stderr()).toMatch(/cloudwatch-logs\s+accepted 5 in 1 request\(s\)$/m);
  });
});
