import { describe, expect, it } from 'vitest';
import { ServiceWatchLogsExporter, normalizeApiVersion, resolveConnection, resolveLimits } from '@otel-cloud-logs/scp-servicewatch';

describe('configuration', () => {
  it('builds the host from region and environment, options before environment variables', () => {
    const keys = { accessKey: 'a', secretKey: 'b' };
    expect(resolveConnection({ ...keys, region: 'kr-west1', environment: 'e' }, {}).endpoint).toBe('https://servicewatch.kr-west1.e.samsungsdscloud.com');
    expect(resolveConnection(keys, { SCP_REGION: 'kr-south1', SCP_ENVIRONMENT: 'g' }).endpoint).toBe('https://servicewatch.kr-south1.g.samsungsdscloud.com');
    expect(resolveConnection(keys, { SCP_SERVICEWATCH_ENDPOINT: 'http://127.0.0.1:9/', SCP_REGION: 'kr-west1', SCP_ENVIRONMENT: 's' }).endpoint).toBe('http://127.0.0.1:9');
    expect(resolveConnection({ ...keys, endpoint: 'http://localhost:1' }, { SCP_SERVICEWATCH_ENDPOINT: 'http://other:2' }).endpoint).toBe('http://localhost:1');
    const fromEnv = resolveConnection({ region: 'kr-east1', environment: 's' }, { SCP_ACCESS_KEY: 'AK', SCP_SECRET_KEY: 'SK' });
    expect([fromEnv.accessKey, fromEnv.secretKey]).toEqual(['AK', 'SK']);
  });

  it('takes the default account id from SCP_ACCOUNT_ID, the option first', () => {
    const env = { SCP_ACCESS_KEY: 'AK', SCP_SECRET_KEY: 'SK', SCP_SERVICEWATCH_ENDPOINT: 'http://127.0.0.1:9', SCP_ACCOUNT_ID: 'c1e2f3045678901a2b3c4d5e6f7a8b81' };
    expect(new ServiceWatchLogsExporter({}, env).destinationDefaults.accountId).toBe('c1e2f3045678901a2b3c4d5e6f7a8b81');
    expect(new ServiceWatchLogsExporter({ accountId: 'option' }, env).destinationDefaults.accountId).toBe('option');
  });

  it('says what is missing', () => {
    expect(() => resolveConnection({ region: 'kr-west1', environment: 'e' }, {})).toThrow(/accessKey is required.*SCP_ACCESS_KEY/);
    expect(() => resolveConnection({ accessKey: 'a', secretKey: 'b' }, {})).toThrow(/no endpoint/);
    expect(() => resolveConnection({ accessKey: 'a', secretKey: 'b', region: 'kr-west1' }, {})).toThrow(/without environment.*SCP_ENVIRONMENT/);
    expect(() => resolveConnection({ accessKey: 'a', secretKey: 'b', region: 'KR WEST' , environment: 'e' }, {})).toThrow(/region/);
  });

  it('normalises the API version and defaults to 1.2', () => {
    expect(normalizeApiVersion(undefined)).toBe('servicewatch 1.2');
    expect(normalizeApiVersion('1.1')).toBe('servicewatch 1.1');
    expect(normalizeApiVersion('servicewatch 1.3')).toBe('servicewatch 1.3');
    expect(() => normalizeApiVersion('v2')).toThrow(/apiVersion/);
  });

  it('plans with the whole body limit, lets a largest record fit beside the smallest envelope, and rejects contradictory limits', () => {
    const limits = resolveLimits({});
    expect(limits).toMatchObject({ maxRequestBytes: 1_048_576, maxEventsPerRequest: 10_000, maxEventBytes: 1_000_000, perEventOverheadBytes: 1, chronological: false });
    expect(limits.maxSpanMillis).toBeUndefined();
    expect(limits.maxAgeMillis).toBeUndefined();
    // The smallest envelope a request can have: empty routing values, no resource attributes, no scope.
    const smallest = Buffer.byteLength(
      '{"resourceLogs":[{"resource":{"attributes":[{"key":"log_stream_value","value":{"stringValue":""}},{"key":"log_group_value","value":{"stringValue":""}},' +
        '{"key":"account_id","value":{"stringValue":""}}]},"scopeLogs":[{"logRecords":[]}]}]}',
    );
    expect(resolveLimits({ maxRequestBytes: 100_000, maxEventBytes: 100_000 - smallest }).maxEventBytes).toBe(100_000 - smallest);
    expect(() => resolveLimits({ maxRequestBytes: 100_000, maxEventBytes: 100_001 - smallest })).toThrow(
      `limits.maxEventBytes (${100_001 - smallest}) must fit in one request with the smallest envelope: at most maxRequestBytes − ${smallest} = ${100_000 - smallest}`,
    );
    const options = { endpoint: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b' };
    expect(() => new ServiceWatchLogsExporter({ ...options, limits: { maxRequestBytes: 10_000 } }, {})).toThrow(/maxEventBytes \(1000000\)/);
    expect(() => new ServiceWatchLogsExporter({ ...options, limits: { maxRequestBytes: 0, maxEventBytes: 1 } }, {})).toThrow(/maxEventBytes/);
    expect(() => new ServiceWatchLogsExporter({ ...options, limits: { maxEventsPerRequest: 0 } }, {})).toThrow(/maxEventsPerRequest must be a positive integer/);
    expect(() => new ServiceWatchLogsExporter({ ...options, requestsPerSecond: 0 }, {})).toThrow(/requestsPerSecond/);
    // Still accepted (the gateway's envelope_reserve_size), without effect: envelopes are measured exactly.
    const withReserve = new ServiceWatchLogsExporter({ ...options, limits: { maxRequestBytes: 65_536, maxEventBytes: 8_000, envelopeReserveBytes: 60_000 } }, {});
    expect(withReserve.limits).toEqual(resolveLimits({ maxRequestBytes: 65_536, maxEventBytes: 8_000 }));
  });

  it('can be rebuilt in a worker thread from its options, with the stream rates set since, only when it reads process.env', () => {
    const options = { endpoint: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b', accountId: 'acc', requestsPerSecond: 5 };
    const exporter = new ServiceWatchLogsExporter(options);
    exporter.setRequestsPerSecond('busy-stream', 20);
    expect(exporter.recipeForWorker()).toEqual({
      moduleUrl: new URL('../src/exporter.ts', import.meta.url).href,
      exportName: 'ServiceWatchLogsExporter',
      options: { ...options, streamRequestsPerSecond: { 'busy-stream': 20 } },
    });
    // Another environment than the one a thread shares would make the twin a different exporter.
    expect(new ServiceWatchLogsExporter(options, {}).recipeForWorker()).toMatch(/cannot run in a worker thread: it was built with an env other than process\.env/);
  });
});
