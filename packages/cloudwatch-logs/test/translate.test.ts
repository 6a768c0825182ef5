import { describe, expect, test } from 'vitest';
import { logEntriesFromOtlpJson } from '@otel-cloud-logs/core';
import {
  CloudWatchLogsExporter,
  formatMessage,
  planPutLogEvents,
  rejectedCounts,
  encodeCloudWatchEvent,
  truncateEvent,
  type MessageFormat,
} from '@otel-cloud-logs/cloudwatch-logs';
import { emptyEncodedRecord, type LogEntry } from '@otel-cloud-logs/core';
import { batchOf } from './support.ts';

/** The event a record becomes: its message (parsed back from the wire fragment) and the size CloudWatch counts. */
function toCloudWatchEvent(entry: LogEntry, format: MessageFormat) {
  const out = emptyEncodedRecord();
  const invalid = encodeCloudWatchEvent(entry, format, out);
  if (invalid) return invalid;
  const { timestamp, message } = JSON.parse(out.fragment) as { timestamp: number; message: string };
  expect(out.fragmentBytes).toBe(Buffer.byteLength(out.fragment));
  expect(out.size).toBe(Buffer.byteLength(message));
  return { timeMillis: timestamp, size: out.size, message };
}

const NOW = Date.now();
const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

function otlp(records: { body: unknown; time: number; attributes?: Record<string, string> }[], resource: Record<string, string> = { log_group_value: 'g', log_stream_value: 's' }) {
  return {
    resourceLogs: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
        scopeLogs: [
          {
            logRecords: records.map((r) => ({
              body: r.body as never,
              timeUnixNano: nanos(r.time),
              severityText: 'INFO',
              severityNumber: 9,
              attributes: Object.entries(r.attributes ?? {}).map(([key, value]) => ({ key, value: { stringValue: value } })),
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
            })),
          },
        ],
      },
    ],
  };
}

describe('message format', () => {
  test('json envelope: body, severity, attributes without routing keys, trace ids', () => {
    const [entry] = logEntriesFromOtlpJson(otlp([{ body: { kvlistValue: { values: [{ key: 'k', value: { intValue: '7' } }] } }, time: NOW, attributes: { user: 'ü', log_stream_value: 'x' } }]));
    expect(JSON.parse(formatMessage(entry!, 'json'))).toEqual({
      body: { k: 7 },
      severityText: 'INFO',
      severityNumber: 9,
      attributes: { user: 'ü' },
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
    });
  });

  test('text format: the body alone; empty bodies are refused with a reason', () => {
    const [withBody, empty] = logEntriesFromOtlpJson(otlp([{ body: { stringValue: 'héllo' }, time: NOW }, { body: { stringValue: '' }, time: NOW }]));
    expect(toCloudWatchEvent(withBody!, 'text')).toEqual({ timeMillis: NOW, size: 6, message: 'héllo' });
    expect(toCloudWatchEvent(empty!, 'text')).toMatchObject({ invalid: 'empty_message' });
    expect(toCloudWatchEvent(empty!, 'json')).toMatchObject({ message: '{"body":"","severityText":"INFO","severityNumber":9,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}' });
  });

  test('truncation keeps whole code points and a visible marker within the limit', () => {
    const message = '😀'.repeat(300_000); // 1,200,000 bytes
    const event = { timeMillis: NOW, size: Buffer.byteLength(message), message };
    const cut = truncateEvent(event, 1_048_550)!;
    expect(cut.size).toBe(Buffer.byteLength(cut.message));
    expect(cut.size).toBeLessThanOrEqual(1_048_550);
    expect(cut.size).toBeGreaterThan(1_048_550 - 4 - 60);
    expect(cut.message).toMatch(/😀…\[truncated by otel-cloud-logs: 1200000 bytes\]$/);
  });
});

describe('truncation of the JSON envelope keeps it valid JSON', () => {
  const LIMIT = 1_048_550;
  function jsonEvent(body: unknown, attributes: Record<string, unknown> = {}) {
    const entry = {
      ...logEntriesFromOtlpJson(otlp([{ body: { stringValue: '' }, time: NOW }]))[0]!,
      body,
      attributes: { ...attributes, log_stream_value: 's' },
    };
    const event = toCloudWatchEvent(entry, 'json');
    if ('invalid' in event) throw new Error(event.message);
    return event;
  }
  function cut(event: ReturnType<typeof jsonEvent>, maxSize = LIMIT) {
    const result = truncateEvent(event, maxSize, 'json')!;
    expect(result.size).toBe(Buffer.byteLength(result.message));
    expect(result.size).toBeLessThanOrEqual(maxSize);
    return { result, parsed: JSON.parse(result.message) as Record<string, unknown> };
  }

  test('a large string body is cut with the marker (N: the body\'s bytes); severity, attributes and trace ids stay', () => {
    const event = jsonEvent('日本'.repeat(300_000), { user: 'ü' }); // 1.8 MB of body
    const { result, parsed } = cut(event);
    expect(parsed).toMatchObject({ severityText: 'INFO', severityNumber: 9, attributes: { user: 'ü' }, traceId: '5b8efff798038103d269b633813fc60c' });
    expect(parsed.body).toMatch(/^(日本)+日?…\[truncated by otel-cloud-logs: 1800000 bytes\]$/);
    expect(result.size).toBeGreaterThan(LIMIT - 3); // nothing cut that did not need to be: within one character
  });

  test('a huge attribute (a stack trace) is cut and the body is left whole', () => {
    const { parsed } = cut(jsonEvent('request failed', { 'exception.stacktrace': 'at frame\n'.repeat(200_000), 'http.route': '/orders' }));
    expect(parsed.body).toBe('request failed');
    const attributes = parsed.attributes as Record<string, string>;
    expect(attributes['http.route']).toBe('/orders');
    expect(attributes['exception.stacktrace']).toMatch(/^(at frame\n)+.*…\[truncated by otel-cloud-logs: \d+ bytes\]$/s);
  });

  test('a structured body keeps its structure: items that cannot fit are dropped for one counting them; escapes are accounted for', () => {
    const numbers = cut(jsonEvent({ samples: Array.from({ length: 300_000 }, (_, i) => i) })).parsed as { body: { samples: unknown[] } };
    const samples = numbers.body.samples;
    expect(samples.slice(0, 3)).toEqual([0, 1, 2]);
    expect(samples.at(-1)).toBe(`…[truncated by otel-cloud-logs: ${300_001 - samples.length} entries dropped]`);
    const quotes = cut(jsonEvent('"\u0001'.repeat(200_000))); // each character 2 or 6 bytes once escaped
    expect(quotes.parsed.body).toMatch(/^("\u0001)+"?…\[truncated by otel-cloud-logs: 400000 bytes\]$/);
    expect(quotes.result.size).toBeGreaterThan(LIMIT - 6);
  });

  test('many attributes: the largest are cut first, quickly', () => {
    const attributes = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, `${i}:`.padEnd(i % 2 ? 400 : 40, 'v')]));
    const started = performance.now();
    const event = jsonEvent('small body', attributes);
    expect(event.size).toBeGreaterThan(LIMIT + 100_000);
    const { parsed } = cut(event);
    expect(performance.now() - started).toBeLessThan(2_000);
    const kept = parsed.attributes as Record<string, string>;
    expect(Object.keys(kept)).toHaveLength(5_000);
    expect(kept.k0).toBe('0:'.padEnd(40, 'v')); // short values are left alone
    const cutValues = Object.values(kept).filter((value) => value.includes('…[truncated by otel-cloud-logs'));
    expect(cutValues.length).toBeGreaterThan(200);
    expect(cutValues.length).toBeLessThan(2_500);
    expect(parsed.body).toBe('small body');
  });

  test('a small limit: still valid JSON, or no event at all when severity, trace ids and markers alone are over it', () => {
    const event = jsonEvent('x'.repeat(1_000), { many: 'y'.repeat(10) });
    const small = cut(event, 250).parsed;
    expect(small).toMatchObject({ severityText: 'INFO', attributes: { many: 'yyyyyyyyyy' }, spanId: 'eee19b7ec3c1b174' });
    expect(small.body).toMatch(/^x+…\[truncated by otel-cloud-logs: 1000 bytes\]$/);
    expect(truncateEvent(event, 100, 'json')).toBeUndefined();
  });

  test("a 'json' message that is not JSON (not this exporter's) is cut as text", () => {
    const message = 'not { json '.repeat(100);
    const result = truncateEvent({ timeMillis: NOW, size: message.length, message }, 200, 'json')!;
    expect(result.message).toMatch(/^not \{ json .*…\[truncated by otel-cloud-logs: 1100 bytes\]$/);
    expect(result.size).toBeLessThanOrEqual(200);
  });
});

describe('planPutLogEvents (public translation of OTLP/JSON)', () => {
  test('sorted, within limits, split by destination, out-of-window counted', () => {
    const input = otlp([
      { body: { stringValue: 'b' }, time: NOW - 1_000 },
      { body: { stringValue: 'a' }, time: NOW - 2_000 },
      { body: { stringValue: 'old' }, time: NOW - 15 * 24 * 3_600_000 },
      { body: { stringValue: 'other' }, time: NOW, attributes: { log_stream_value: 's2' } },
    ]);
    const plan = planPutLogEvents(input, { messageFormat: 'text' });
    expect(plan.requests).toEqual([
      { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW - 2_000, message: 'a' }, { timestamp: NOW - 1_000, message: 'b' }] },
      { logGroupName: 'g', logStreamName: 's2', logEvents: [{ timestamp: NOW, message: 'other' }] },
    ]);
    expect(plan.dropped).toEqual({ too_old: 1 });
  });

  test('invalid destinations are counted, not sent', () => {
    const plan = planPutLogEvents(otlp([{ body: { stringValue: 'x' }, time: NOW }], { log_group_value: 'aws/reserved', log_stream_value: 's' }));
    expect(plan).toMatchObject({ requests: [], dropped: { invalid_destination: 1 } });
  });
});

describe('rejectedLogEventsInfo', () => {
  test('counts too old, expired and too new without double counting', () => {
    expect(rejectedCounts({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 5, tooNewLogEventStartIndex: 8 } }, 10)).toEqual([
      { reason: 'too_old', count: 2 },
      { reason: 'expired', count: 3 },
      { reason: 'too_new', count: 2 },
    ]);
    expect(rejectedCounts({}, 10)).toEqual([]);
  });
});

describe('service error messages', () => {
  test('keep only the first line: AWS appends the canonical request (which can hold a session token)', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          __type: 'com.amazon.coral.service#InvalidSignatureException',
          message: "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:SESSIONTOKENVALUE\n'",
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const exporter = new CloudWatchLogsExporter({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'SESSIONTOKENVALUE' },
      logGroupName: 'g',
      logStreamName: 's',
    });
    const destination = { logGroup: 'g', logStream: 's', accountId: '' };
    const outcome = await exporter.send(destination, batchOf(exporter, destination, ['x']), {
      signal: new AbortController().signal,
      timeoutMillis: 5_000,
      attempt: 0,
    });
    await exporter.shutdown();
    server.close();
    expect(outcome).toMatchObject({ status: 'failed', reason: 'InvalidSignatureException' });
    const message = (outcome as { error: Error }).error.message;
    expect(message).toMatch(/^InvalidSignatureException \(HTTP 400\): The request signature we calculated does not match the signature you provided\. — check the secret/);
    expect(message).not.toContain('SESSIONTOKENVALUE');
  });
});
