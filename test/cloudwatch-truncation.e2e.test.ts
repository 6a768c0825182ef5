import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { CloudWatchLogsExporter } from '@otel-cloud-logs/cloudwatch-logs';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const MAX_MESSAGE = 1_048_576 - 26; // the 1 MiB event limit less the 26 bytes CloudWatch adds to each event
const MARKER = '…[truncated by otel-cloud-logs: ';

let emulator: CloudWatchLogsEmulator;
beforeEach(async () => {
  emulator = new CloudWatchLogsEmulator();
  await emulator.start();
});
afterEach(() => emulator.stop());

/** Sends the records through the real exporter (default 'json' messages) and returns the stored messages. */
async function storedMessages(records: ReadonlyArray<{ body?: unknown; attributes?: Record<string, unknown> }>, truncated = records.length): Promise<string[]> {
  const exporter = new CloudWatchLogsExporter({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: CLOUDWATCH_EMULATOR_CREDENTIALS,
    logGroupName: '/otel/truncation',
    logStreamName: 'default',
    createLogGroup: true,
  });
  // The SDK keeps 128 attributes by default: raised so that a record can carry many.
  const provider = new LoggerProvider({ processors: [new ConstraintAwareBatchProcessor({ exporter })], logRecordLimits: { attributeCountLimit: 1_000_000 } });
  // The API's types take AnyValue; the exporter must survive whatever an application passes.
  for (const record of records) provider.getLogger('truncation').emit(record as never);
  await provider.shutdown();
  expect(exporter.metrics.snapshot()).toMatchObject({ exported: records.length, truncated, droppedTotal: 0, rejectedTotal: 0 });
  return emulator.events('/otel/truncation', 'default').map((event) => event.message);
}

describe("oversize records in the default 'json' format arrive as valid JSON within the event limit", () => {
  test('a 2 MB attribute key (issue 11): the key is cut, not the JSON', async () => {
    const [message] = await storedMessages([{ body: 'hk', attributes: { ['k'.repeat(2e6)]: 1 } }]);
    expect(Buffer.byteLength(message!)).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(Buffer.byteLength(message!)).toBeGreaterThan(MAX_MESSAGE - 8);
    const parsed = JSON.parse(message!) as { body: string; attributes: Record<string, number> };
    expect(parsed.body).toBe('hk');
    const [key, value] = Object.entries(parsed.attributes)[0]!;
    expect(key).toMatch(/^k+…\[truncated by otel-cloud-logs: 2000000 bytes\]$/);
    expect(value).toBe(1);
  });

  test('many attributes, huge nested values and multibyte text: each stored message parses and carries the marker', async () => {
    const many = Object.fromEntries(Array.from({ length: 120_000 }, (_, i) => [`attribute.${i}`, `v${i}`]));
    const nested = { level: { list: Array.from({ length: 200_000 }, (_, i) => ({ i, text: '日本😀' })) } };
    const messages = await storedMessages([
      { body: 'many', attributes: many },
      { body: nested },
      { body: '"\u0001é😀'.repeat(150_000), attributes: { ['😀'.repeat(300_000)]: '\n'.repeat(600_000) } },
    ]);
    expect(messages).toHaveLength(3);
    for (const message of messages) {
      expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE);
      expect(() => JSON.parse(message)).not.toThrow();
      expect(message).toContain(MARKER);
    }
    // Stored in time order, which for records of one millisecond need not be the order of emission.
    const manyKept = messages.map((message) => JSON.parse(message) as { body: unknown; attributes: Record<string, string> }).find((parsed) => parsed.body === 'many')!;
    expect(manyKept.attributes['attribute.0']).toBe('v0');
    expect(manyKept.attributes['otel_cloud_logs.truncated']).toMatch(/^…\[truncated by otel-cloud-logs: \d+ entries dropped\]$/);
  });

  test('a message exactly at the limit is stored whole; one byte over, it is cut to fit and still parses', async () => {
    const envelopeBytes = Buffer.byteLength(JSON.stringify({ body: '', attributes: { user: 'kim' } }));
    const exact = { body: 'x'.repeat(MAX_MESSAGE - envelopeBytes), attributes: { user: 'kim' } };
    const over = { ...exact, body: `${exact.body}y` };
    const messages = await storedMessages([exact, over], 1);
    const whole = messages.find((message) => !message.includes('truncated'));
    const cut = messages.find((message) => message.includes('truncated'));
    expect(whole).toBe(JSON.stringify(exact));
    expect(Buffer.byteLength(whole!)).toBe(MAX_MESSAGE);
    expect(Buffer.byteLength(cut!)).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(Buffer.byteLength(cut!)).toBeGreaterThan(MAX_MESSAGE - 2);
    const parsed = JSON.parse(cut!) as { body: string; attributes: unknown };
    expect(parsed.body).toMatch(new RegExp(`^x+…\\[truncated by otel-cloud-logs: ${over.body.length} bytes\\]$`));
    expect(parsed.attributes).toEqual({ user: 'kim' });
  });
});
