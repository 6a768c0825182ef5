import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  CreateLogGroupCommand,
  PutLogEventsCommand,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const emulator = new CloudWatchLogsEmulator();
let client: CloudWatchLogsClient;

beforeAll(async () => {
  await emulator.start();
  client = new CloudWatchLogsClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.defaultCredentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});
beforeEach(() => {
  emulator.reset();
  emulator.seedLogStream('g', 's');
});

const putOne = (message = 'hello') => client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message }] }));

describe('CloudWatchLogsEmulator fault injection', () => {
  it('throttles the named operation only, for the given number of requests', async () => {
    emulator.faults.add({ kind: 'throttle', operation: 'PutLogEvents', times: 1 });
    await client.send(new CreateLogGroupCommand({ logGroupName: 'unaffected' }));
    const error = await putOne('throttled').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    await putOne('after');
    expect(emulator.events('g', 's').map((event) => event.message)).toEqual(['after']);
    expect(emulator.requestCount('PutLogEvents')).toBe(2);
    expect(emulator.faults.injected.throttle).toBe(1);
  });

  it('answers 503 ServiceUnavailableException with Retry-After for "unavailable"', async () => {
    emulator.faults.add({ kind: 'unavailable', times: 1, retryAfterSeconds: 3 });
    const error = await putOne().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 503 } });
    emulator.faults.add({ kind: 'unavailable', times: 1, retryAfterSeconds: 3 });
    const raw = await fetch(emulator.url, { method: 'POST', headers: { 'x-amz-target': 'Logs_20140328.PutLogEvents' }, body: '{}' });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(raw.headers.get('x-amzn-errortype')).toBe('ServiceUnavailableException');
    expect(await raw.json()).toEqual({ __type: 'ServiceUnavailableException', message: expect.any(String) });
  });

  it('answers 500 ServiceUnavailableException for "internal"', async () => {
    emulator.faults.add({ kind: 'internal', times: 1 });
    const error = await putOne().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect(error).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  it('surfaces a connection reset as a network error, not a service error', async () => {
    emulator.faults.add({ kind: 'reset', operation: 'PutLogEvents', times: 1 });
    const error = await putOne().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(CloudWatchLogsServiceException);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(emulator.events('g', 's')).toEqual([]);
    await putOne('after reset');
    expect(emulator.events('g', 's').map((event) => event.message)).toEqual(['after reset']);
  });

  it('delays a request and then handles it normally', async () => {
    emulator.faults.add({ kind: 'delay', delayMillis: 150, times: 1 });
    const started = Date.now();
    await putOne('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.events('g', 's').map((event) => event.message)).toEqual(['late']);
  });
});
