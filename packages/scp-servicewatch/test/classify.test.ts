import { DiagLogLevel, diag } from '@opentelemetry/api';
import { EncodedBatch, HttpTransport, emptyEncodedRecord, logEntriesFromOtlpJson, type Destination } from '@otel-cloud-logs/core';
import { ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import {
  CREATE_CUSTOM_LOG_EVENTS_PATH,
  ServiceWatchError,
  classifyResponse,
  resolveConnection,
  sendSigned,
  signedHeaders,
  type ServiceWatchLogsExporter,
} from '@otel-cloud-logs/scp-servicewatch';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, GROUP, exporterFor, startEmulator } from './helpers.ts';
import { SEED_000_REQUEST } from './seed.ts';

const destination = { accountId: ACCOUNT, logGroup: GROUP, logStream: 'stream' };
const context = () => ({ signal: new AbortController().signal, timeoutMillis: 5_000, attempt: 0 });
/** The seed's records as one request to `to`, encoded as the processor would. */
function events(exporter: ServiceWatchLogsExporter, to: Destination = destination): EncodedBatch {
  const entries = logEntriesFromOtlpJson(SEED_000_REQUEST).map((entry) => ({ ...entry, destination: to, timeMillis: Date.now(), timeUnixNano: BigInt(Date.now()) * 1_000_000n }));
  const batch = new EncodedBatch(exporter.frame(to, entries[0]!), exporter.limits.perEventOverheadBytes);
  const out = emptyEncodedRecord();
  for (const entry of entries) {
    exporter.encode(entry, out);
    batch.append(out.fragment, out.fragmentBytes, out.size, out.timeMillis);
  }
  return batch;
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('response classification', () => {
  it('surfaces a 400 ValidationError body and does not retry it', () => {
    const body = JSON.stringify({
      errors: [{ code: 'ValidationError', detail: [{ loc: ['body', 'resourceLogs', 0], msg: 'field required' }], status: 400, title: 'ValidationError', request_id: 'req-1' }],
    });
    const error = classifyResponse('CreateCustomLogEvents', { status: 400, headers: {}, body }, [])!;
    expect(error).toBeInstanceOf(ServiceWatchError);
    expect(error).toMatchObject({ status: 400, code: 'ValidationError', reason: 'validation_error', retryable: false, requestId: 'req-1' });
    expect(error.message).toBe('ServiceWatch CreateCustomLogEvents failed with 400 ValidationError: body.resourceLogs.0: field required (request_id req-1); the request was not valid; not retried');
  });

  it('retries 429 (as throttling, honouring Retry-After) and 5xx, and nothing else', () => {
    const throttled = classifyResponse('X', { status: 429, headers: { 'retry-after': '3' }, body: '' }, [])!;
    expect(throttled).toMatchObject({ retryable: true, throttled: true, retryAfterMillis: 3_000 });
    for (const status of [500, 502, 503, 504]) expect(classifyResponse('X', { status, headers: {}, body: 'oops' }, [])!.retryable).toBe(true);
    for (const status of [400, 401, 403, 404, 413]) expect(classifyResponse('X', { status, headers: {}, body: '{}' }, [])!.retryable).toBe(false);
    expect(classifyResponse('X', { status: 202, headers: {}, body: '{"status":"success"}' }, [])).toBeUndefined();
  });

  it('never echoes secrets, even when the service does', () => {
    const body = JSON.stringify({ errors: [{ code: 'HmacValidFail', detail: 'bad signature s3cr3t-value for key AKIA-1 sig=abc+/=', status: 401 }] });
    const error = classifyResponse('X', { status: 401, headers: {}, body }, ['s3cr3t-value', 'abc+/=', 'AKIA-1'])!;
    expect(error.reason).toBe('unauthorized');
    expect(error.message).not.toMatch(/s3cr3t-value|abc\+\/=|AKIA-1/);
    expect(error.message).toMatch(/check the access key and secret key/);
  });
});

describe('answers of the emulator, classified by the exporter', () => {
  it('401 for a wrong secret: failed as unauthorized, with no secret in the message', async () => {
    const { emulator, endpoint } = await startEmulator();
    stop = () => emulator.stop();
    const exporter = exporterFor(endpoint, { secretKey: 'wrong-secret-value' });
    const outcome = await exporter.send(destination, events(exporter), context());
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.reason).toBe('unauthorized');
    expect(outcome.error.message).toMatch(/401 HmacValidFail: signature does not match/);
    expect(outcome.error.message).not.toContain('wrong-secret-value');
    expect(await exporter.exportEntries(logEntriesFromOtlpJson(SEED_000_REQUEST))).toBe(1);
    expect(exporter.metrics.snapshot().rejected).toEqual({ unauthorized: 1 });
    await exporter.shutdown();
  });

  it('401 for a stale Scp-Timestamp, 403 for another account, 400 for a numeric timeUnixNano', async () => {
    const { emulator, endpoint, connection } = await startEmulator({
      credentials: [{ ...ServiceWatchEmulator.DEFAULT_CREDENTIAL, accountId: ACCOUNT }],
    });
    stop = () => emulator.stop();
    const http = new HttpTransport();
    const resolved = resolveConnection(connection, {});
    const url = `${endpoint}${CREATE_CUSTOM_LOG_EVENTS_PATH}`;
    const stale = await http.request({ url, method: 'POST', headers: signedHeaders(resolved, 'POST', url, Date.now() - 600_000), body: '{}', timeoutMillis: 5_000 });
    expect(classifyResponse('CreateCustomLogEvents', stale, [])!.message).toMatch(/401 HmacValidFail: Scp-Timestamp is \d+ ms away/);

    const exporter = exporterFor(endpoint);
    const foreign = await exporter.send({ ...destination, accountId: 'another-account' }, events(exporter, { ...destination, accountId: 'another-account' }), context());
    expect(foreign).toMatchObject({ status: 'failed', reason: 'forbidden' });
    await exporter.shutdown();

    const numericTime = structuredClone(SEED_000_REQUEST) as unknown as { resourceLogs: [{ scopeLogs: [{ logRecords: [Record<string, unknown>] }] }] };
    numericTime.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano = 1762336464000000000;
    const { response, secrets } = await sendSigned(http, resolved, { method: 'POST', path: CREATE_CUSTOM_LOG_EVENTS_PATH, body: JSON.stringify(numericTime), timeoutMillis: 5_000 });
    const invalid = classifyResponse('CreateCustomLogEvents', response, secrets)!;
    expect(invalid).toMatchObject({ status: 400, code: 'ValidationError', reason: 'validation_error', retryable: false });
    expect(invalid.message).toContain('body.resourceLogs.0.scopeLogs.0.logRecords.0.timeUnixNano: field required: a string of nanoseconds since the epoch');
    await http.close();
  });

  it('reports a 400 ValidationError (here: an API version the service no longer supports) once through diag and never retries it', async () => {
    const { emulator, endpoint } = await startEmulator();
    stop = () => emulator.stop();
    const messages: string[] = [];
    const record = (message: string) => void messages.push(message);
    diag.setLogger({ error: record, warn: record, info: record, debug: record, verbose: record }, DiagLogLevel.WARN);
    try {
      const exporter = exporterFor(endpoint, { apiVersion: '1.1', accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 'stream' });
      const nanos = String(BigInt(Date.now()) * 1_000_000n);
      const logRecords = [0, 1, 2].map((i) => ({ timeUnixNano: nanos, body: { stringValue: `r${i}` } }));
      expect(await exporter.exportOtlpJson({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] })).toBe(1);
      await exporter.shutdown();
      expect(emulator.server.requestCounts.get('CreateCustomLogEvents')).toBe(1);
      expect(exporter.metrics.snapshot()).toMatchObject({ exported: 0, rejected: { validation_error: 3 }, retriedRequests: 0 });
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/400 ValidationError: header\.Scp-Api-Version: unsupported version "servicewatch 1\.1".*not retried/);
      expect(messages[0]).not.toContain(ServiceWatchEmulator.DEFAULT_CREDENTIAL.secretKey);
    } finally {
      diag.disable();
    }
  });

  it('retries throttling with Retry-After and 503, then succeeds', async () => {
    const { emulator, endpoint } = await startEmulator();
    stop = () => emulator.stop();
    emulator.injectFault({ kind: 'throttle', times: 1, retryAfterSeconds: 0.2 });
    emulator.injectFault({ kind: 'unavailable', times: 1 });
    const exporter = exporterFor(endpoint, { accountId: ACCOUNT, logGroupValue: GROUP, logStreamValue: 'stream' });
    const started = Date.now();
    expect(await exporter.exportOtlpJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: String(BigInt(started) * 1_000_000n), body: { stringValue: 'x' } }] }] }] })).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 1, retriedRequests: 2, throttledRequests: 1 });
    await exporter.shutdown();
  });
});
