import { HttpTransport, logEntriesFromOtlpJson } from '@otel-cloud-logs/core';
import { CREATE_CUSTOM_LOG_EVENTS_PATH, resolveConnection, sendSigned, toCreateCustomLogEventsBody } from '@otel-cloud-logs/scp-servicewatch';
import { afterEach, describe, expect, it } from 'vitest';
import { exporterFor, startEmulator } from './helpers.ts';
import { SEED_000_REQUEST } from './seed.ts';

const SEED_DESTINATION = { accountId: 'c1e2f3045678901a2b3c4d5e6f7a8b81', logGroupValue: 'b1e2f3045678901a2b3c4d5e6f7a8b81', logStreamValue: 'a1e2f3045678901a2b3c4d5e6f7a8b81' };

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('the documented CreateCustomLogEvents example (seed 000)', () => {
  it('goes through the public translation function unchanged and is accepted with 202 {"status":"success"}', async () => {
    const { emulator, connection } = await startEmulator();
    stop = () => emulator.stop();
    const body = toCreateCustomLogEventsBody(logEntriesFromOtlpJson(SEED_000_REQUEST));
    expect(JSON.parse(body)).toEqual(SEED_000_REQUEST);
    const http = new HttpTransport();
    try {
      const { response } = await sendSigned(http, resolveConnection(connection, {}), { method: 'POST', path: CREATE_CUSTOM_LOG_EVENTS_PATH, body, timeoutMillis: 5_000 });
      expect(response.status).toBe(202);
      expect(JSON.parse(response.body)).toEqual({ status: 'success' });
    } finally {
      await http.close();
    }
    const [record] = emulator.records(SEED_DESTINATION);
    expect(record).toMatchObject({ body: 'level=info otlp test log', timeUnixNano: '1762336464000000000' });
  });

  it('is sent by the exporter from OTLP/JSON as is', async () => {
    const { emulator, endpoint } = await startEmulator();
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint);
    expect(await exporter.exportOtlpJson(SEED_000_REQUEST)).toBe(0);
    await exporter.shutdown();
    expect(emulator.records(SEED_DESTINATION).map((record) => record.body)).toEqual(['level=info otlp test log']);
    expect(emulator.logEventsRequests[0]!.apiVersion).toBe('servicewatch 1.2');
  });
});
