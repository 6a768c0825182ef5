import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
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
beforeEach(() => emulator.reset());

async function createStream(logGroupName: string, logStreamName: string): Promise<void> {
  await client.send(new CreateLogGroupCommand({ logGroupName }));
  await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
}

describe('CloudWatchLogsEmulator driven by @aws-sdk/client-cloudwatch-logs', () => {
  it('creates a group with tags and class, a stream, and stores put events in order', async () => {
    await client.send(new CreateLogGroupCommand({ logGroupName: 'app/orders', tags: { team: 'payments' }, logGroupClass: 'INFREQUENT_ACCESS', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc' }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'app/orders', logStreamName: 'host-1' }));
    const now = Date.now();
    const response = await client.send(
      new PutLogEventsCommand({
        logGroupName: 'app/orders',
        logStreamName: 'host-1',
        logEvents: [
          { timestamp: now - 2, message: 'first' },
          { timestamp: now - 1, message: 'second' },
          { timestamp: now - 1, message: 'third, same time' },
        ],
      }),
    );
    expect(response.rejectedLogEventsInfo).toBeUndefined();
    expect(response.nextSequenceToken).toMatch(/^\d+$/);
    expect(emulator.events('app/orders', 'host-1').map((event) => [event.timestamp, event.message])).toEqual([
      [now - 2, 'first'],
      [now - 1, 'second'],
      [now - 1, 'third, same time'],
    ]);
    expect(emulator.events('app/orders', 'host-1')[0]!.ingestionTime).toBeGreaterThanOrEqual(now);
    expect(emulator.logGroup('app/orders')).toMatchObject({ tags: { team: 'payments' }, logGroupClass: 'INFREQUENT_ACCESS', logStreamNames: ['host-1'] });
    expect(emulator.requestCounts()).toEqual({ CreateLogGroup: 1, CreateLogStream: 1, PutLogEvents: 1 });
  });

  it('reads events back with GetLogEvents, newest page by default, forward and backward tokens', async () => {
    await createStream('g', 's');
    const base = Date.now() - 60_000;
    const logEvents = Array.from({ length: 7 }, (_, index) => ({ timestamp: base + index, message: `event ${index}` }));
    await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents }));

    const latest = await client.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', limit: 3 }));
    expect(latest.events!.map((event) => event.message)).toEqual(['event 4', 'event 5', 'event 6']);
    const earlier = await client.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', limit: 3, nextToken: latest.nextBackwardToken }));
    expect(earlier.events!.map((event) => event.message)).toEqual(['event 1', 'event 2', 'event 3']);

    const seen: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await client.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', limit: 3, startFromHead: true, nextToken: token }));
      seen.push(...page.events!.map((event) => event.message!));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(seen).toEqual(logEvents.map((event) => event.message));

    const window = await client.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', startTime: base + 2, endTime: base + 5, startFromHead: true }));
    expect(window.events!.map((event) => [event.timestamp, event.message, typeof event.ingestionTime])).toEqual([
      [base + 2, 'event 2', 'number'],
      [base + 3, 'event 3', 'number'],
      [base + 4, 'event 4', 'number'],
    ]);
  });

  it('pages DescribeLogGroups by prefix and DescribeLogStreams by prefix', async () => {
    for (const name of ['svc/a', 'svc/b', 'svc/c', 'svc/d', 'svc/e', 'other']) await client.send(new CreateLogGroupCommand({ logGroupName: name }));
    await client.send(new PutRetentionPolicyCommand({ logGroupName: 'svc/b', retentionInDays: 7 }));

    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'svc/', limit: 2, nextToken }));
      names.push(...page.logGroups!.map((group) => group.logGroupName!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(names).toEqual(['svc/a', 'svc/b', 'svc/c', 'svc/d', 'svc/e']);
    expect(pages).toBe(3);
    const described = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'svc/b' }));
    expect(described.logGroups).toEqual([
      expect.objectContaining({ logGroupName: 'svc/b', retentionInDays: 7, logGroupClass: 'STANDARD', logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:svc/b', arn: 'arn:aws:logs:us-east-1:123456789012:log-group:svc/b:*' }),
    ]);
    expect(emulator.logGroup('svc/b')!.retentionInDays).toBe(7);

    for (const stream of ['web-2', 'web-1', 'worker-1']) await client.send(new CreateLogStreamCommand({ logGroupName: 'svc/a', logStreamName: stream }));
    const first = await client.send(new DescribeLogStreamsCommand({ logGroupName: 'svc/a', logStreamNamePrefix: 'web-', limit: 1 }));
    expect(first.logStreams!.map((stream) => stream.logStreamName)).toEqual(['web-1']);
    const second = await client.send(new DescribeLogStreamsCommand({ logGroupName: 'svc/a', logStreamNamePrefix: 'web-', limit: 1, nextToken: first.nextToken }));
    expect(second.logStreams!.map((stream) => stream.logStreamName)).toEqual(['web-2']);
    expect(second.nextToken).toBeUndefined();
    expect(emulator.logStreams('svc/a').map((stream) => stream.logStreamName)).toEqual(['web-1', 'web-2', 'worker-1']);
  });

  it('describes a stream with its first and last event timestamps', async () => {
    await createStream('g', 's');
    const now = Date.now();
    await client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: now - 10, message: 'a' }, { timestamp: now - 5, message: 'bb' }] }));
    const { logStreams } = await client.send(new DescribeLogStreamsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:123456789012:log-group:g:*' }));
    expect(logStreams).toEqual([expect.objectContaining({ logStreamName: 's', firstEventTimestamp: now - 10, lastEventTimestamp: now - 5, storedBytes: 3 })]);
  });

  it('answers ResourceAlreadyExistsException for an existing group or stream', async () => {
    await createStream('g', 's');
    await expect(client.send(new CreateLogGroupCommand({ logGroupName: 'g' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it('answers ResourceNotFoundException for a missing group or stream, with the documented messages', async () => {
    await expect(client.send(new CreateLogStreamCommand({ logGroupName: 'missing', logStreamName: 's' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const put = (logGroupName: string) => client.send(new PutLogEventsCommand({ logGroupName, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'x' }] }));
    await expect(put('missing')).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The specified log group does not exist.', $metadata: { httpStatusCode: 400 } });
    await client.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    const error = await put('g').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as Error).message).toBe('The specified log stream does not exist.');
    expect(emulator.events('g', 's')).toEqual([]);
  });

  it('rejects invalid names and retention values with InvalidParameterException', async () => {
    const invalidGroups = ['', 'a'.repeat(513), 'has space', 'aws/lambda/x', 'colon:name'];
    for (const logGroupName of invalidGroups) {
      await expect(client.send(new CreateLogGroupCommand({ logGroupName })), logGroupName).rejects.toBeInstanceOf(InvalidParameterException);
    }
    await client.send(new CreateLogGroupCommand({ logGroupName: `${'a'.repeat(500)}.-_/#Z9`.slice(0, 512) }));
    await client.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    for (const logStreamName of ['', 'a:b', 'a*b', 'x'.repeat(513)]) {
      await expect(client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName })), logStreamName).rejects.toBeInstanceOf(InvalidParameterException);
    }
    await client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'any chars / é ü [0]' }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'x'.repeat(512) }));
    for (const retentionInDays of [0, 2, 10, 3654]) {
      await expect(client.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays })), String(retentionInDays)).rejects.toBeInstanceOf(InvalidParameterException);
    }
    await client.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 3653 }));
    await expect(client.send(new PutRetentionPolicyCommand({ logGroupName: 'missing', retentionInDays: 1 }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new CreateLogGroupCommand({ logGroupName: 'h', logGroupClass: 'COLD' as 'STANDARD' }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('reports an entity without valid keyAttributes in rejectedEntityInfo and still stores the events', async () => {
    await createStream('g', 's');
    const put = (entity: { keyAttributes?: Record<string, string> }, message: string) =>
      client.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message }], entity }));
    const missing = await put({}, 'one');
    expect(missing.rejectedEntityInfo).toEqual({ errorType: 'InvalidKeyAttributes' });
    const invalid = await put({ keyAttributes: { Type: 'Service', Colour: 'blue' } }, 'two');
    expect(invalid.rejectedEntityInfo).toEqual({ errorType: 'InvalidKeyAttributes' });
    const valid = await put({ keyAttributes: { Type: 'Service', Name: 'checkout', Environment: 'prod' } }, 'three');
    expect(valid.rejectedEntityInfo).toBeUndefined();
    expect(emulator.events('g', 's').map((event) => event.message)).toEqual(['one', 'two', 'three']);
  });
});
