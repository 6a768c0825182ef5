import { CloudWatchLogsClient, FilterLogEventsCommand, InvalidParameterException, paginateFilterLogEvents, PutLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const emulator = new CloudWatchLogsEmulator();
let client: CloudWatchLogsClient;
const base = Date.now() - 60_000;

beforeAll(async () => {
  await emulator.start();
  client = new CloudWatchLogsClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.defaultCredentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});

/** Three streams whose events interleave in time: web-1 at even offsets, web-2 at odd ones, worker at +100. */
beforeEach(async () => {
  emulator.reset();
  const put = (logStreamName: string, logEvents: { timestamp: number; message: string }[]) => {
    emulator.seedLogStream('app', logStreamName);
    return client.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName, logEvents }));
  };
  await put('web-1', [0, 2, 4].map((offset) => ({ timestamp: base + offset, message: JSON.stringify({ level: offset === 2 ? 'ERROR' : 'INFO', offset }) })));
  await put('web-2', [1, 3, 3].map((offset, index) => ({ timestamp: base + offset, message: `plain ${index === 2 ? 'ERROR' : 'ok'} line ${offset}` })));
  await put('worker', [{ timestamp: base + 100, message: 'worker ERROR 注文' }]);
});

const filter = (input: Omit<ConstructorParameters<typeof FilterLogEventsCommand>[0], 'logGroupName'> = {}) =>
  client.send(new FilterLogEventsCommand({ logGroupName: 'app', ...input }));

describe('FilterLogEvents in the CloudWatch Logs emulator', () => {
  it('returns every stream interleaved by timestamp, in the shape of the real API', async () => {
    const page = await filter();
    expect(page.events!.map((event) => [event.logStreamName, event.timestamp! - base])).toEqual([
      ['web-1', 0],
      ['web-2', 1],
      ['web-1', 2],
      ['web-2', 3],
      ['web-2', 3],
      ['web-1', 4],
      ['worker', 100],
    ]);
    const first = page.events![0]!;
    expect(Object.keys(first).sort()).toEqual(['eventId', 'ingestionTime', 'logStreamName', 'message', 'timestamp']);
    expect(first.eventId).toMatch(/^\d{56}$/);
    expect(new Set(page.events!.map((event) => event.eventId)).size).toBe(7);
    expect(page.searchedLogStreams).toEqual([
      { logStreamName: 'web-1', searchedCompletely: true },
      { logStreamName: 'web-2', searchedCompletely: true },
      { logStreamName: 'worker', searchedCompletely: true },
    ]);
    expect(page.nextToken).toBeUndefined();
    // Same events, same ids: `aws logs tail --follow` drops those it has seen by id.
    expect((await filter()).events!.map((event) => event.eventId)).toEqual(page.events!.map((event) => event.eventId));
  });

  it('applies the filter pattern: terms, phrases, ?terms and JSON', async () => {
    const messages = async (filterPattern: string) => (await filter({ filterPattern })).events!.map((event) => event.message);
    expect(await messages('ERROR')).toEqual(['{"level":"ERROR","offset":2}', 'plain ERROR line 3', 'worker ERROR 注文']);
    expect(await messages('"plain ok"')).toEqual(['plain ok line 1', 'plain ok line 3']);
    expect(await messages('?注文 ?"line 1"')).toEqual(['plain ok line 1', 'worker ERROR 注文']);
    expect(await messages('{ $.level = "ERROR" || $.offset >= 4 }')).toEqual(['{"level":"ERROR","offset":2}', '{"level":"INFO","offset":4}']);
    await expect(filter({ filterPattern: 'user@example.com' })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(filter({ filterPattern: '{ $.level = "ERROR"' })).rejects.toMatchObject({ name: 'InvalidParameterException', message: "If a filter pattern starts with '{' it must end with '}'" });
  });

  it('keeps [startTime, endTime] inclusive and selects streams by name or prefix', async () => {
    const offsets = async (input: Parameters<typeof filter>[0]) => (await filter(input)).events!.map((event) => `${event.logStreamName}@${event.timestamp! - base}`);
    expect(await offsets({ startTime: base + 2, endTime: base + 4 })).toEqual(['web-1@2', 'web-2@3', 'web-2@3', 'web-1@4']);
    expect(await offsets({ logStreamNames: ['worker', 'web-2'] })).toEqual(['web-2@1', 'web-2@3', 'web-2@3', 'worker@100']);
    expect(await offsets({ logStreamNamePrefix: 'web-', startTime: base + 3 })).toEqual(['web-2@3', 'web-2@3', 'web-1@4']);
    expect((await filter({ logStreamNamePrefix: 'web-' })).searchedLogStreams!.map((stream) => stream.logStreamName)).toEqual(['web-1', 'web-2']);
    expect(await offsets({ logStreamNames: ['missing'] })).toEqual([]);
    await expect(filter({ logStreamNames: ['web-1'], logStreamNamePrefix: 'web' })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(filter({ logStreamNames: [] })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(filter({ startTime: -1 })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages with limit and nextToken, consistent while events arrive, and says which streams were not read to the end', async () => {
    const first = await filter({ limit: 3 });
    expect(first.events!.map((event) => event.timestamp! - base)).toEqual([0, 1, 2]);
    expect(first.nextToken).toBeDefined();
    expect(first.searchedLogStreams).toEqual([
      { logStreamName: 'web-1', searchedCompletely: false },
      { logStreamName: 'web-2', searchedCompletely: false },
      { logStreamName: 'worker', searchedCompletely: false },
    ]);
    // An event that arrives between pages, later than the page's last one, comes in a later page.
    await client.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 'web-1', logEvents: [{ timestamp: base + 50, message: 'late' }] }));
    const seen: number[] = [];
    for await (const page of paginateFilterLogEvents({ client, pageSize: 3 }, { logGroupName: 'app', limit: 3, nextToken: first.nextToken })) {
      seen.push(...page.events!.map((event) => event.timestamp! - base));
    }
    expect(seen).toEqual([3, 3, 4, 50, 100]);
    await expect(filter({ nextToken: 'not-a-token' })).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'The specified nextToken is invalid.' });
    await expect(filter({ limit: 10_001 })).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('accepts the group as logGroupIdentifier (name or ARN), as the CLI sends it', async () => {
    const byArn = await client.send(new FilterLogEventsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:123456789012:log-group:app', filterPattern: 'worker' }));
    expect(byArn.events!.map((event) => event.message)).toEqual(['worker ERROR 注文']);
    expect(emulator.requestCount('FilterLogEvents')).toBe(1);
  });
});
