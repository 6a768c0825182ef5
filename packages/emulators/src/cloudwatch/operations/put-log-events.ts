import { CloudWatchError, validationError } from '../errors.ts';
import { optionalObject, optionalString, requiredArray, requiredInteger, requiredString, type RequestBody } from '../fields.ts';
import { validateLogGroupName, validateLogStreamName } from '../names.ts';
import type { CloudWatchStoredLogEvent } from '../state.ts';
import { requireGroup, requireStream, type OperationContext } from './context.ts';
import { MILLIS_PER_DAY, PUT_LOG_EVENTS_LIMITS as LIMITS } from './limits.ts';

interface InputEvent {
  readonly timestamp: number;
  readonly message: string;
}

interface RejectedLogEventsInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

/**
 * PutLogEvents as the API reference describes it: batch-wide rules (count, sizes, order, 24 h span) fail the
 * whole call with InvalidParameterException; events outside the time window are refused one by one and
 * reported in `rejectedLogEventsInfo` while the rest are stored.
 */
export function putLogEvents(body: RequestBody, context: OperationContext): object {
  const logGroupName = validateLogGroupName(requiredString(body, 'logGroupName'));
  const logStreamName = validateLogStreamName(requiredString(body, 'logStreamName'));
  optionalString(body, 'sequenceToken'); // accepted for old clients, ignored as by the service
  const events = readEvents(body, context.maxEventBytes);
  const entity = optionalObject(body, 'entity');

  const group = requireGroup(context, logGroupName);
  const stream = requireStream(group, logStreamName);
  for (let index = 1; index < events.length; index++) {
    if (events[index]!.timestamp < events[index - 1]!.timestamp) {
      throw new CloudWatchError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    }
  }

  const now = context.now();
  const tooNewStart = firstIndexWhere(events, (event) => event.timestamp > now + LIMITS.maxFutureMillis);
  const tooOldEnd = firstIndexWhere(events, (event) => event.timestamp >= now - LIMITS.maxAgeMillis);
  const expiredEnd = group.retentionInDays === undefined ? 0 : firstIndexWhere(events, (event) => event.timestamp >= now - group.retentionInDays! * MILLIS_PER_DAY);
  const valid = events.slice(Math.max(tooOldEnd, expiredEnd), tooNewStart);
  if (valid.length > 0 && valid[valid.length - 1]!.timestamp - valid[0]!.timestamp > LIMITS.maxSpanMillis) {
    throw new CloudWatchError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }

  for (const event of valid) stream.events.push({ timestamp: event.timestamp, message: event.message, ingestionTime: now } satisfies CloudWatchStoredLogEvent);
  if (valid.length > 0) stream.lastIngestionTime = now;

  const rejected: RejectedLogEventsInfo = {};
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd > 0) rejected.expiredLogEventEndIndex = expiredEnd;
  const entityError = entity === undefined ? undefined : entityErrorType(entity);
  return {
    nextSequenceToken: String(stream.events.length).padStart(56, '0'),
    ...(Object.keys(rejected).length > 0 && { rejectedLogEventsInfo: rejected }),
    ...(entityError !== undefined && { rejectedEntityInfo: { errorType: entityError } }),
  };
}

/** Reads and checks the events against the count and size limits (sizes in UTF-8 bytes + 26 each). */
function readEvents(body: RequestBody, maxEventBytes: number): InputEvent[] {
  const raw = requiredArray(body, 'logEvents');
  if (raw.length < 1) throw validationError('logEvents', '[]', 'have length greater than or equal to 1');
  if (raw.length > LIMITS.maxEventsPerBatch) {
    throw validationError('logEvents', `[${raw.length} log events]`, `have length less than or equal to ${LIMITS.maxEventsPerBatch}`);
  }
  let batchBytes = 0;
  const events = raw.map((item, index): InputEvent => {
    const path = `logEvents.${index + 1}.member`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new CloudWatchError('SerializationException', `${path} must be an object with timestamp and message`);
    }
    const timestamp = requiredInteger(item as RequestBody, 'timestamp', `${path}.timestamp`);
    if (timestamp < 0) throw validationError(`${path}.timestamp`, timestamp, 'have value greater than or equal to 0');
    const message = requiredString(item as RequestBody, 'message', `${path}.message`);
    if (message.length === 0) throw validationError(`${path}.message`, message, 'have length greater than or equal to 1');
    const eventBytes = Buffer.byteLength(message, 'utf8') + LIMITS.perEventOverheadBytes;
    if (eventBytes > maxEventBytes) {
      throw new CloudWatchError('InvalidParameterException', `Log event too large: ${eventBytes} bytes exceeds limit of ${maxEventBytes} (event index ${index})`);
    }
    batchBytes += eventBytes;
    return { timestamp, message };
  });
  if (batchBytes > LIMITS.maxBatchBytes) {
    throw new CloudWatchError('InvalidParameterException', `Upload too large: ${batchBytes} bytes exceeds limit of ${LIMITS.maxBatchBytes}`);
  }
  return events;
}

/** Index of the first event that satisfies `predicate`, or the event count when none does. */
function firstIndexWhere(events: readonly InputEvent[], predicate: (event: InputEvent) => boolean): number {
  const index = events.findIndex(predicate);
  return index < 0 ? events.length : index;
}

const KEY_ATTRIBUTE_NAMES = new Set(['Type', 'ResourceType', 'Identifier', 'Name', 'Environment', 'AwsAccountId']);
const REQUIRED_BY_TYPE: Record<string, readonly string[]> = {
  Service: ['Name', 'Environment'],
  'AWS::Service': ['Name'],
  Resource: ['ResourceType', 'Identifier'],
  'AWS::Resource': ['ResourceType', 'Identifier'],
};

/** The entity is optional and never fails the call: an invalid one is reported, the events are still stored. */
function entityErrorType(entity: RequestBody): string | undefined {
  const keyAttributes = entity.keyAttributes;
  if (typeof keyAttributes !== 'object' || keyAttributes === null || Array.isArray(keyAttributes)) return 'InvalidKeyAttributes';
  const attributes = keyAttributes as Record<string, unknown>;
  const names = Object.keys(attributes);
  if (names.some((name) => !KEY_ATTRIBUTE_NAMES.has(name) || typeof attributes[name] !== 'string' || attributes[name] === '')) return 'InvalidKeyAttributes';
  const required = REQUIRED_BY_TYPE[String(attributes.Type)];
  if (!required || required.some((name) => attributes[name] === undefined)) return 'InvalidKeyAttributes';
  return undefined;
}
