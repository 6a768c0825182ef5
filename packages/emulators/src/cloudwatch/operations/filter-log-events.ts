import { CloudWatchError, validationError } from '../errors.ts';
import { optionalBoolean, optionalInteger, optionalLimit, optionalString, optionalStringList, type RequestBody } from '../fields.ts';
import { compileFilterPattern } from '../filter-pattern.ts';
import { logGroupNameOrIdentifier, validateLogStreamName } from '../names.ts';
import type { LogStreamRecord } from '../state.ts';
import { requireGroup, type OperationContext } from './context.ts';
import { MAX_GET_LOG_EVENTS_LIMIT, PUT_LOG_EVENTS_LIMITS } from './limits.ts';

/** As GetLogEvents: a page holds at most 10,000 events and what fits in 1 MB. */
const MAX_RESPONSE_BYTES = 1_048_576;
const MAX_LOG_STREAM_NAMES = 100;

interface FilteredEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

/**
 * FilterLogEvents: the events of a group's streams (all, `logStreamNames`, or `logStreamNamePrefix`) within
 * [startTime, endTime] (both inclusive, as the API reference says) that match `filterPattern`, in timestamp order
 * across streams. `nextToken` carries the last event id returned, so pages stay consistent while events arrive.
 */
export function filterLogEvents(body: RequestBody, context: OperationContext): object {
  const logGroupName = logGroupNameOrIdentifier(body);
  const streamNames = optionalStringList(body, 'logStreamNames', 1, MAX_LOG_STREAM_NAMES);
  streamNames?.forEach((name, index) => validateLogStreamName(name, `logStreamNames.${index + 1}.member`));
  const prefix = optionalString(body, 'logStreamNamePrefix');
  if (prefix !== undefined) validateLogStreamName(prefix, 'logStreamNamePrefix');
  if (streamNames !== undefined && prefix !== undefined) {
    throw new CloudWatchError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters; give one of them.');
  }
  const startTime = optionalTime(body, 'startTime');
  const endTime = optionalTime(body, 'endTime');
  const limit = optionalLimit(body, MAX_GET_LOG_EVENTS_LIMIT) ?? MAX_GET_LOG_EVENTS_LIMIT;
  const token = optionalString(body, 'nextToken');
  const after = token === undefined ? undefined : decodeToken(token);
  // Deprecated or about masking, neither changes what the emulator returns.
  optionalBoolean(body, 'interleaved');
  optionalBoolean(body, 'unmask');
  const matches = compileFilterPattern(optionalString(body, 'filterPattern') ?? '');
  const group = requireGroup(context, logGroupName);

  const searched: LogStreamRecord[] = [];
  const found: FilteredEvent[] = [];
  let ordinal = -1;
  // The stream's position in the group (streams are never removed) makes event ids stable across calls.
  for (const stream of group.streams.values()) {
    ordinal++;
    if (streamNames !== undefined ? !streamNames.includes(stream.logStreamName) : prefix !== undefined && !stream.logStreamName.startsWith(prefix)) continue;
    searched.push(stream);
    stream.events.forEach((event, index) => {
      if ((startTime !== undefined && event.timestamp < startTime) || (endTime !== undefined && event.timestamp > endTime)) return;
      const eventId = encodeEventId(event.timestamp, ordinal, index);
      if (after !== undefined && eventId <= after) return;
      if (!matches(event.message)) return;
      found.push({ logStreamName: stream.logStreamName, timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime, eventId });
    });
  }
  // Ids start with the timestamp, then the stream and the position in it: one sort gives the service's order.
  found.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));

  let count = 0;
  let bytes = 0;
  while (count < found.length && count < limit) {
    const size = Buffer.byteLength(found[count]!.message, 'utf8') + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;
    if (count > 0 && bytes + size > MAX_RESPONSE_BYTES) break;
    bytes += size;
    count++;
  }
  const events = found.slice(0, count);
  const unread = new Set(found.slice(count).map((event) => event.logStreamName));
  return {
    events,
    searchedLogStreams: searched.map((stream) => ({ logStreamName: stream.logStreamName, searchedCompletely: !unread.has(stream.logStreamName) })),
    ...(count < found.length && { nextToken: encodeToken(events[events.length - 1]!.eventId) }),
  };
}

function optionalTime(body: RequestBody, key: string): number | undefined {
  const value = optionalInteger(body, key);
  if (value !== undefined && value < 0) throw validationError(key, value, 'have value greater than or equal to 0');
  return value;
}

/** 56 digits like the service's ids: timestamp (20), stream position in the group (10), event position (26). */
function encodeEventId(timestamp: number, streamOrdinal: number, index: number): string {
  return `${String(timestamp).padStart(20, '0')}${String(streamOrdinal).padStart(10, '0')}${String(index).padStart(26, '0')}`;
}

function encodeToken(lastEventId: string): string {
  return Buffer.from(JSON.stringify({ after: lastEventId }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown } | null)?.after;
    if (typeof after === 'string' && /^\d{56}$/.test(after)) return after;
  } catch {
    // not one of ours: answered below
  }
  throw new CloudWatchError('InvalidParameterException', 'The specified nextToken is invalid.');
}
