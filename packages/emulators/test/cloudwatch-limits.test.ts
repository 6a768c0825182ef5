import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator, CLOUDWATCH_PUT_LOG_EVENTS_LIMITS as LIMITS } from '@otel-cloud-logs/emulators';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** The emulator's event-window clock is pinned so that the boundaries can be hit to the millisecond. */
const NOW = Date.now();
const emulator = new CloudWatchLogsEmulator({ now: () => NOW });
let client: CloudWatchLogsClient;
let streamCounter = 0;
let stream = '';

beforeAll(async () => {
  await emulator.start();
  client = new CloudWatchLogsClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.defaultCredentials, maxAttempts: 1 });
  await client.send(new CreateLogGroupCommand({ logGroupName: 'limits' }));
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});
beforeEach(async () => {
  stream = `stream-${++streamCounter}`;
  await client.send(new CreateLogStreamCommand({ logGroupName: 'limits', logStreamName: stream }));
});

function put(logEvents: InputLogEvent[], logGroupName = 'limits') {
  return client.send(new PutLogEventsCommand({ logGroupName, logStreamName: stream, logEvents }));
}

function stored(logGroupName = 'limits'): string[] {
  return emulator.events(logGroupName, stream).map((event) => event.message);
}

/** `count` events whose Σ (UTF-8 bytes + 26) is exactly `totalBytes`, built from `unit` (a 1- or 3-byte character). */
function eventsOfTotalBytes(count: number, totalBytes: number, unit = 'x'): InputLogEvent[] {
  const unitBytes = Buffer.byteLength(unit, 'utf8');
  const perEvent = Math.floor(totalBytes / count) - LIMITS.perEventOverheadBytes;
  const remainder = totalBytes - count * (perEvent + LIMITS.perEventOverheadBytes);
  return Array.from({ length: count }, (_, index) => {
    const bytes = perEvent + (index === 0 ? remainder : 0);
    const message = unit.repeat(Math.floor(bytes / unitBytes)) + 'y'.repeat(bytes % unitBytes);
    return { timestamp: NOW, message };
  });
}

function batchBytes(events: InputLogEvent[]): number {
  return events.reduce((sum, event) => sum + Buffer.byteLength(event.message!, 'utf8') + LIMITS.perEventOverheadBytes, 0);
}

describe('PutLogEvents batch size: Σ (UTF-8 bytes + 26) ≤ 1,048,576', () => {
  it('accepts exactly 1,048,576 bytes and refuses one byte more, storing nothing', async () => {
    const atLimit = eventsOfTotalBytes(16, 1_048_576);
    expect(batchBytes(atLimit)).toBe(1_048_576);
    await put(atLimit);
    expect(stored()).toHaveLength(16);

    const overLimit = eventsOfTotalBytes(16, 1_048_577);
    expect(batchBytes(overLimit)).toBe(1_048_577);
    const error = await put(overLimit).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe('Upload too large: 1048577 bytes exceeds limit of 1048576');
    expect(stored()).toHaveLength(16);
  });

  it('counts multibyte messages in UTF-8 bytes, not string length', async () => {
    const atLimit = eventsOfTotalBytes(4, 1_048_576, '€');
    expect(atLimit[1]!.message!.length).toBeLessThan(Buffer.byteLength(atLimit[1]!.message!, 'utf8'));
    expect(batchBytes(atLimit)).toBe(1_048_576);
    await put(atLimit);
    expect(stored()).toEqual(atLimit.map((event) => event.message));

    // Same string length as an accepted ASCII batch would have, but one byte over in UTF-8.
    const overLimit = eventsOfTotalBytes(4, 1_048_577, '€');
    expect(batchBytes(overLimit)).toBe(1_048_577);
    await expect(put(overLimit)).rejects.toBeInstanceOf(InvalidParameterException);

    const emoji = '😀'.repeat(10); // 20 UTF-16 units, 40 bytes
    await put([{ timestamp: NOW, message: emoji }]);
    expect(emulator.events('limits', stream).at(-1)!.message).toBe(emoji);
  });
});

describe('PutLogEvents single event size: bytes + 26 ≤ 1,048,576 by default', () => {
  it('accepts one event of 1,048,550 bytes and refuses 1,048,551', async () => {
    const fits = '€'.repeat(349_516) + 'ab';
    expect(Buffer.byteLength(fits, 'utf8')).toBe(1_048_550);
    await put([{ timestamp: NOW, message: fits }]);
    await expect(put([{ timestamp: NOW, message: `${fits}c` }])).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Log event too large: 1048577 bytes exceeds limit of 1048576'),
    });
    expect(stored()).toEqual([fits]);
  });
});

describe('PutLogEvents event count: 1 ≤ events ≤ 10,000', () => {
  it('accepts 10,000 events and refuses 10,001', async () => {
    const events = Array.from({ length: 10_000 }, (_, index) => ({ timestamp: NOW, message: `e${index}` }));
    await put(events);
    expect(stored()).toHaveLength(10_000);
    await expect(put([...events, { timestamp: NOW, message: 'one too many' }])).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Member must have length less than or equal to 10000'),
    });
    expect(stored()).toHaveLength(10_000);
  });

  it('refuses an empty batch', async () => {
    await expect(put([])).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe('PutLogEvents single event', () => {
  it('refuses an empty message and stores nothing of the batch', async () => {
    const error = await put([{ timestamp: NOW, message: 'fine' }, { timestamp: NOW, message: '' }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toContain("at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1");
    expect(stored()).toEqual([]);
  });

  it('honours the older 256 KB event limit when configured (bytes + 26 ≤ 262,144)', async () => {
    const legacy = new CloudWatchLogsEmulator({ maxEventBytes: LIMITS.legacyMaxEventBytes, now: () => NOW });
    const url = await legacy.start();
    const legacyClient = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: url, credentials: legacy.defaultCredentials, maxAttempts: 1 });
    try {
      legacy.seedLogStream('g', 's');
      const fits = '€'.repeat(87_372) + 'ab'; // 262,118 bytes in 87,374 characters
      expect(Buffer.byteLength(fits, 'utf8') + 26).toBe(262_144);
      await legacyClient.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: fits }] }));
      await expect(
        legacyClient.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: `${fits}b` }] })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Log event too large: 262145 bytes exceeds limit of 262144') });
      expect(legacy.events('g', 's')).toHaveLength(1);
    } finally {
      legacyClient.destroy();
      await legacy.stop();
    }
  });
});

describe('PutLogEvents order and span', () => {
  it('refuses unsorted events and accepts equal timestamps', async () => {
    await expect(put([{ timestamp: NOW, message: 'b' }, { timestamp: NOW - 1, message: 'a' }])).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Log events in a single PutLogEvents request must be in chronological order.',
    });
    await put([{ timestamp: NOW, message: 'a' }, { timestamp: NOW, message: 'b' }]);
    expect(stored()).toEqual(['a', 'b']);
  });

  it('accepts a span of exactly 24 h and refuses 24 h + 1 ms', async () => {
    await put([{ timestamp: NOW - DAY, message: 'start' }, { timestamp: NOW, message: 'end' }]);
    await expect(put([{ timestamp: NOW - DAY - 1, message: 'start' }, { timestamp: NOW, message: 'end' }])).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    });
    expect(stored()).toEqual(['start', 'end']);
  });

  it('measures the span among in-window events only', async () => {
    const response = await put([
      { timestamp: NOW - 20 * DAY, message: 'too old' },
      { timestamp: NOW - 23 * HOUR, message: 'valid 1' },
      { timestamp: NOW + HOUR, message: 'valid 2' },
      { timestamp: NOW + 5 * HOUR, message: 'too new' },
    ]);
    expect(response.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 });
    expect(stored()).toEqual(['valid 1', 'valid 2']);
  });
});

describe('PutLogEvents time window: rejected one by one, the rest stored', () => {
  it('rejects events older than 14 days (exactly 14 days accepted)', async () => {
    const response = await put([
      { timestamp: NOW - 15 * DAY, message: 'old 1' },
      { timestamp: NOW - 14 * DAY - 1, message: 'old 2' },
      { timestamp: NOW - 14 * DAY, message: 'edge' },
      { timestamp: NOW - 14 * DAY + HOUR, message: 'recent' },
    ]);
    expect(response.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
    expect(stored()).toEqual(['edge', 'recent']);
  });

  it('rejects events more than 2 h in the future (exactly 2 h accepted)', async () => {
    const response = await put([
      { timestamp: NOW, message: 'now' },
      { timestamp: NOW + 2 * HOUR, message: 'edge' },
      { timestamp: NOW + 2 * HOUR + 1, message: 'new 1' },
      { timestamp: NOW + 3 * HOUR, message: 'new 2' },
    ]);
    expect(response.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 2 });
    expect(stored()).toEqual(['now', 'edge']);
    const read = await client.send(new GetLogEventsCommand({ logGroupName: 'limits', logStreamName: stream, startFromHead: true }));
    expect(read.events!.map((event) => event.message)).toEqual(['now', 'edge']);
  });

  it('reports a batch where every event is out of the window without failing', async () => {
    const response = await put([{ timestamp: NOW - 30 * DAY, message: 'old' }, { timestamp: NOW + DAY, message: 'new' }]);
    expect(response.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 1 });
    expect(stored()).toEqual([]);
  });

  it("rejects events older than the group's retention as expired", async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: 'short-retention' }));
    await client.send(new PutRetentionPolicyCommand({ logGroupName: 'short-retention', retentionInDays: 1 }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'short-retention', logStreamName: stream }));
    const response = await put(
      [
        { timestamp: NOW - 2 * DAY, message: 'expired 1' },
        { timestamp: NOW - DAY - 1, message: 'expired 2' },
        { timestamp: NOW - DAY, message: 'edge' },
        { timestamp: NOW, message: 'now' },
      ],
      'short-retention',
    );
    expect(response.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 2 });
    expect(stored('short-retention')).toEqual(['edge', 'now']);
  });
});
