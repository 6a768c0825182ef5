import { CloudWatchError } from '../errors.ts';
import { optionalBoolean, optionalInteger, optionalLimit, optionalString, requiredString, type RequestBody } from '../fields.ts';
import { logGroupNameOrIdentifier, validateLogStreamName } from '../names.ts';
import type { CloudWatchStoredLogEvent } from '../state.ts';
import { requireGroup, requireStream, type OperationContext } from './context.ts';
import { MAX_GET_LOG_EVENTS_LIMIT, PUT_LOG_EVENTS_LIMITS } from './limits.ts';

/** Without `limit` the service returns as many events as fit in a 1 MB response. */
const MAX_RESPONSE_BYTES = 1_048_576;

type Direction = 'f' | 'b';

/**
 * GetLogEvents over the stream's events in timestamp order within [startTime, endTime). Tokens are positions in
 * that view: `f/<n>` reads forward from n, `b/<n>` reads backward from n; at either end the same token comes back,
 * which is how clients detect that there is nothing more.
 */
export function getLogEvents(body: RequestBody, context: OperationContext): object {
  const logGroupName = logGroupNameOrIdentifier(body);
  const logStreamName = validateLogStreamName(requiredString(body, 'logStreamName'));
  const startTime = optionalInteger(body, 'startTime');
  const endTime = optionalInteger(body, 'endTime');
  const limit = optionalLimit(body, MAX_GET_LOG_EVENTS_LIMIT) ?? MAX_GET_LOG_EVENTS_LIMIT;
  const startFromHead = optionalBoolean(body, 'startFromHead') ?? false;
  const token = optionalString(body, 'nextToken');
  const stream = requireStream(requireGroup(context, logGroupName), logStreamName);

  const view = stream.events
    .filter((event) => (startTime === undefined || event.timestamp >= startTime) && (endTime === undefined || event.timestamp < endTime))
    .sort((a, b) => a.timestamp - b.timestamp);
  const { direction, position } = token === undefined ? { direction: startFromHead ? 'f' : 'b', position: startFromHead ? 0 : view.length } : decodeToken(token, view.length);

  let from = position;
  let to = position;
  let bytes = 0;
  const fits = (event: CloudWatchStoredLogEvent): boolean => {
    const size = Buffer.byteLength(event.message, 'utf8') + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;
    if (to - from >= limit || bytes + size > MAX_RESPONSE_BYTES) return false;
    bytes += size;
    return true;
  };
  if (direction === 'f') while (to < view.length && fits(view[to]!)) to++;
  else while (from > 0 && fits(view[from - 1]!)) from--;

  return {
    events: view.slice(from, to).map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
    nextForwardToken: encodeToken('f', to),
    nextBackwardToken: encodeToken('b', from),
  };
}

function encodeToken(direction: Direction, position: number): string {
  return `${direction}/${String(position).padStart(20, '0')}`;
}

function decodeToken(token: string, viewLength: number): { direction: Direction; position: number } {
  const match = /^([fb])\/(\d{1,20})$/.exec(token);
  const position = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(position)) throw new CloudWatchError('InvalidParameterException', 'The specified nextToken is invalid.');
  return { direction: match[1] as Direction, position: Math.min(position, viewLength) };
}
