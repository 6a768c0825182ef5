import { createServer, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { NetworkError, type Destination } from '@otel-cloud-logs/core';
import { classifyFailure, CloudWatchLogsExporter, CloudWatchServiceError } from '@otel-cloud-logs/cloudwatch-logs';
import { batchOf } from './support.ts';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const serviceError = (type: string, status: number, retryAfter?: string) => new CloudWatchServiceError(type, 'message', status, retryAfter);

describe('classifyFailure', () => {
  test.each([
    ['InvalidParameterException', 400],
    ['UnrecognizedClientException', 400],
    ['InvalidSignatureException', 403],
    ['AccessDeniedException', 400],
    ['ResourceNotFoundException', 400],
    ['SomeFutureValidationError', 400],
  ])('%s (HTTP %i) is never retried, and counted under its name', (type, status) => {
    expect(classifyFailure(serviceError(type, status))).toMatchObject({ status: 'failed', reason: type });
  });

  test('throttling is retried as throttled, with the Retry-After of the answer', () => {
    expect(classifyFailure(serviceError('ThrottlingException', 400, '2'))).toMatchObject({ status: 'retry', throttled: true, retryAfterMillis: 2_000 });
    expect(classifyFailure(serviceError('TooManyRequests', 429))).toMatchObject({ status: 'retry', throttled: true });
  });

  test.each([
    ['ServiceUnavailableException', 503],
    ['ServiceUnavailableException', 500],
    ['InternalFailure', 500],
    ['HTTP502', 502],
  ])('%s (HTTP %i) is retried', (type, status) => {
    expect(classifyFailure(serviceError(type, status))).toMatchObject({ status: 'retry' });
    expect(classifyFailure(serviceError(type, status))).not.toHaveProperty('throttled', true);
  });

  test('network errors are retried', () => {
    expect(classifyFailure(new NetworkError('reset', 'ECONNRESET', undefined))).toMatchObject({ status: 'retry' });
  });

  test('credentials the default chain cannot load (yet) are retried, with a message that says what to set', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const outcome = classifyFailure(error);
    expect(outcome).toMatchObject({ status: 'retry' });
    expect((outcome as { error: Error }).error.message).toMatch(/no AWS credentials could be loaded .*AWS_ACCESS_KEY_ID/);
  });
});

describe('no credentials anywhere', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('the default chain finds none: the request is retried, and the message says what to set', async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws/credentials',
    });
    const exporter = new CloudWatchLogsExporter({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', logGroupName: 'g', logStreamName: 's' });
    const destination = { logGroup: 'g', logStream: 's', accountId: '' };
    const outcome = await exporter.send(destination, batchOf(exporter, destination, ['x']), {
      signal: new AbortController().signal,
      timeoutMillis: 5_000,
      attempt: 0,
    });
    await exporter.shutdown();
    expect(outcome).toMatchObject({ status: 'retry' });
    expect((outcome as { error: Error }).error.message).toMatch(/^no AWS credentials could be loaded \(.+\): pass credentials, or set AWS_ACCESS_KEY_ID/);
  });
});

describe('service error messages never carry a signed secret', () => {
  test('a one-line message echoing the session token and the signature is masked', async () => {
    let seen: IncomingMessage['headers'] = {};
    const server = createServer((req, res) => {
      seen = req.headers;
      const signature = /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization))?.[1];
      res.writeHead(403, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InvalidSignatureException', message: `mismatch: token ${String(req.headers['x-amz-security-token'])} signature ${signature}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const exporter = new CloudWatchLogsExporter({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'SESSION-TOKEN-VALUE' },
      logGroupName: 'g',
      logStreamName: 's',
    });
    try {
      const destination = { logGroup: 'g', logStream: 's', accountId: '' };
    const outcome = await exporter.send(destination, batchOf(exporter, destination, ['x']), {
        signal: new AbortController().signal,
        timeoutMillis: 5_000,
        attempt: 0,
      });
      const message = (outcome as { error: Error }).error.message;
      const signature = /Signature=([0-9a-f]+)/.exec(String(seen.authorization))![1]!;
      expect(message).toMatch(/mismatch: token \[REDACTED\] signature \[REDACTED\]/);
      expect(message).not.toContain('SESSION-TOKEN-VALUE');
      expect(message).not.toContain(signature);
    } finally {
      await exporter.shutdown();
      server.close();
    }
  });
});

describe('creating missing groups and streams', () => {
  let emulator: CloudWatchLogsEmulator;
  beforeEach(async () => {
    emulator = new CloudWatchLogsEmulator();
    await emulator.start();
  });
  afterEach(() => emulator.stop());

  const exporterFor = (options: { createLogGroup?: boolean; retentionInDays?: number } = {}) =>
    new CloudWatchLogsExporter({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: CLOUDWATCH_EMULATOR_CREDENTIALS,
      messageFormat: 'text',
      retry: { initialDelayMillis: 5, maxDelayMillis: 20 },
      ...options,
    });
  const send = (exporter: CloudWatchLogsExporter, destination: Destination, message: string) => {
    return exporter.send(destination, batchOf(exporter, destination, [message]), { signal: new AbortController().signal, timeoutMillis: 5_000, attempt: 0 });
  };
  const at = (logGroup: string, logStream: string): Destination => ({ logGroup, logStream, accountId: '' });

  test('concurrent requests to one missing stream share one CreateLogStream; new streams of one new group share one CreateLogGroup', async () => {
    emulator.faults.add({ kind: 'delay', operation: 'CreateLogGroup', delayMillis: 150 });
    emulator.faults.add({ kind: 'delay', operation: 'CreateLogStream', delayMillis: 150 });
    const exporter = exporterFor({ createLogGroup: true });
    const sends = [];
    for (let i = 0; i < 6; i++) sends.push(send(exporter, at('/new', 'a'), `a${i}`));
    for (let i = 0; i < 3; i++) sends.push(send(exporter, at('/new', 'b'), `b${i}`));
    const outcomes = await Promise.all(sends);
    await exporter.shutdown();
    expect(outcomes.every((outcome) => outcome.status === 'accepted')).toBe(true);
    expect(emulator.requestCount('CreateLogGroup')).toBe(1);
    // 'a' and 'b' each: one attempt that found the group missing, one after it was created.
    expect(emulator.requestCount('CreateLogStream')).toBe(4);
    expect(emulator.events('/new', 'a')).toHaveLength(6);
    expect(emulator.events('/new', 'b')).toHaveLength(3);
  });

  test('a group deleted behind the exporter’s back is created again', async () => {
    const exporter = exporterFor({ createLogGroup: true });
    expect(await send(exporter, at('/recreated', 's'), 'before')).toMatchObject({ status: 'accepted' });
    emulator.reset(); // the group, its streams and events are gone
    expect(await send(exporter, at('/recreated', 's'), 'after')).toMatchObject({ status: 'accepted' });
    await exporter.shutdown();
    expect(emulator.events('/recreated', 's').map((event) => event.message)).toEqual(['after']);
  });

  test('creation calls answered 503 or reset are retried alone, each once, however many requests wait for them', async () => {
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogStream', times: 1 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogStream', times: 1 });
    emulator.faults.add({ kind: 'reset', operation: 'CreateLogGroup', times: 1 });
    emulator.faults.add({ kind: 'unavailable', operation: 'CreateLogGroup', times: 1, retryAfterSeconds: 0 });
    const exporter = exporterFor({ createLogGroup: true });
    const outcomes = await Promise.all([0, 1, 2].map((i) => send(exporter, at('/flaky', 's'), `m${i}`)));
    await exporter.shutdown();
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(emulator.events('/flaky', 's')).toHaveLength(3);
    // CreateLogStream: two faults, the answer that the group is missing, then the creation after the group's.
    expect([emulator.requestCount('CreateLogStream'), emulator.requestCount('CreateLogGroup')]).toEqual([4, 3]);
    expect(exporter.metrics.snapshot()).toMatchObject({ retriedRequests: 4, throttledRequests: 0 });
  });

  test('a failed PutRetentionPolicy does not hold the records up: tried a few times, then reported once', async () => {
    const messages: string[] = [];
    diag.setLogger({ error: (m) => messages.push(m), warn: (m) => messages.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    try {
      emulator.faults.add({ kind: 'throttle', operation: 'PutRetentionPolicy' });
      const exporter = exporterFor({ createLogGroup: true, retentionInDays: 7 });
      expect(await send(exporter, at('/retained', 's'), 'kept')).toMatchObject({ status: 'accepted' });
      await exporter.shutdown();
      expect(emulator.events('/retained', 's')).toHaveLength(1);
      expect(messages.filter((m) => /could not set its retention to 7 days \(ThrottlingException/.test(m))).toHaveLength(1);
      expect(emulator.requestCount('PutRetentionPolicy')).toBe(3);
    } finally {
      diag.disable();
    }
  });

  test('a missing group without createLogGroup is a clear, permanent failure', async () => {
    const exporter = exporterFor();
    const outcome = await send(exporter, at('/absent', 's'), 'x');
    await exporter.shutdown();
    expect(outcome).toMatchObject({ status: 'failed', reason: 'ResourceNotFoundException' });
    expect((outcome as { error: Error }).error.message).toMatch(/log group \/absent does not exist; create it or set createLogGroup: true/);
    expect(emulator.requestCount('CreateLogGroup')).toBe(0);
  });
});
