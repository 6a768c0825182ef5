import { CloudWatchError, validationError } from '../errors.ts';
import { optionalBoolean, optionalLimit, optionalString, requiredString, type RequestBody } from '../fields.ts';
import { logGroupNameOrIdentifier, validateLogGroupName, validateLogStreamName } from '../names.ts';
import { compareNames, type LogStreamRecord } from '../state.ts';
import { logGroupArn, requireGroup, type OperationContext } from './context.ts';
import { MAX_DESCRIBE_LIMIT } from './limits.ts';
import { paginate } from './pagination.ts';

export function createLogStream(body: RequestBody, context: OperationContext): undefined {
  const logGroupName = validateLogGroupName(requiredString(body, 'logGroupName'));
  const logStreamName = validateLogStreamName(requiredString(body, 'logStreamName'));
  const group = requireGroup(context, logGroupName);
  if (!context.store.addStream(group, logStreamName, context.now())) {
    throw new CloudWatchError('ResourceAlreadyExistsException', 'The specified log stream already exists');
  }
  return undefined;
}

const ORDER_BY = new Set(['LogStreamName', 'LastEventTime']);

export function describeLogStreams(body: RequestBody, context: OperationContext): object {
  const logGroupName = logGroupNameOrIdentifier(body);
  const prefix = optionalString(body, 'logStreamNamePrefix');
  if (prefix !== undefined) validateLogStreamName(prefix, 'logStreamNamePrefix');
  const orderBy = optionalString(body, 'orderBy') ?? 'LogStreamName';
  if (!ORDER_BY.has(orderBy)) throw validationError('orderBy', orderBy, 'satisfy enum value set: [LogStreamName, LastEventTime]');
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    throw new CloudWatchError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const descending = optionalBoolean(body, 'descending') ?? false;
  const limit = optionalLimit(body, MAX_DESCRIBE_LIMIT) ?? MAX_DESCRIBE_LIMIT;
  const group = requireGroup(context, logGroupName);

  const streams = [...group.streams.values()]
    .filter((stream) => prefix === undefined || stream.logStreamName.startsWith(prefix))
    .map((stream) => describeStream(stream, `${logGroupArn(context, logGroupName)}:log-stream:${stream.logStreamName}`));
  streams.sort(orderBy === 'LogStreamName' ? (a, b) => compareNames(a.logStreamName, b.logStreamName) : (a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0));
  if (descending) streams.reverse();
  const { page, nextToken } = paginate(streams, limit, optionalString(body, 'nextToken'));
  return { logStreams: page, ...(nextToken !== undefined && { nextToken }) };
}

interface DescribedStream {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly arn: string;
  readonly storedBytes: number;
}

function describeStream(stream: LogStreamRecord, arn: string): DescribedStream {
  if (stream.events.length === 0) return { logStreamName: stream.logStreamName, creationTime: stream.creationTime, arn, storedBytes: 0 };
  let first = Infinity;
  let last = -Infinity;
  let storedBytes = 0;
  for (const event of stream.events) {
    first = Math.min(first, event.timestamp);
    last = Math.max(last, event.timestamp);
    storedBytes += Buffer.byteLength(event.message, 'utf8');
  }
  return {
    logStreamName: stream.logStreamName,
    creationTime: stream.creationTime,
    firstEventTimestamp: first,
    lastEventTimestamp: last,
    ...(stream.lastIngestionTime !== undefined && { lastIngestionTime: stream.lastIngestionTime }),
    arn,
    storedBytes,
  };
}
