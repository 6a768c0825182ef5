import { CloudWatchError, validationError } from '../errors.ts';
import { optionalBoolean, optionalString, optionalStringMap, requiredInteger, requiredString, optionalLimit, type RequestBody } from '../fields.ts';
import { logGroupNameOrIdentifier, validateLogGroupName } from '../names.ts';
import type { LogGroupRecord } from '../state.ts';
import { logGroupArn, requireGroup, type OperationContext } from './context.ts';
import { LOG_GROUP_CLASSES, MAX_DESCRIBE_LIMIT, RETENTION_DAYS } from './limits.ts';
import { paginate } from './pagination.ts';

const MAX_TAGS = 50;
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_KMS_KEY_ID_LENGTH = 256;

export function createLogGroup(body: RequestBody, context: OperationContext): undefined {
  const logGroupName = validateLogGroupName(requiredString(body, 'logGroupName'));
  const kmsKeyId = optionalString(body, 'kmsKeyId');
  if (kmsKeyId !== undefined && kmsKeyId.length > MAX_KMS_KEY_ID_LENGTH) {
    throw validationError('kmsKeyId', kmsKeyId, `have length less than or equal to ${MAX_KMS_KEY_ID_LENGTH}`);
  }
  const logGroupClass = optionalString(body, 'logGroupClass') ?? 'STANDARD';
  if (!LOG_GROUP_CLASSES.has(logGroupClass)) {
    throw validationError('logGroupClass', logGroupClass, `satisfy enum value set: [${[...LOG_GROUP_CLASSES].join(', ')}]`);
  }
  const tags = validateTags(optionalStringMap(body, 'tags') ?? {});
  const created = context.store.addGroup({ logGroupName, creationTime: context.now(), logGroupClass, tags, ...(kmsKeyId !== undefined && { kmsKeyId }) });
  if (!created) throw new CloudWatchError('ResourceAlreadyExistsException', 'The specified log group already exists');
  return undefined;
}

function validateTags(tags: Record<string, string>): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw validationError('tags', `${entries.length} tags`, `have length less than or equal to ${MAX_TAGS}`);
  for (const [key, value] of entries) {
    if (!TAG_KEY_PATTERN.test(key)) throw validationError('tags', key, 'have keys of 1-128 characters matching [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    if (!TAG_VALUE_PATTERN.test(value)) throw validationError(`tags.${key}`, value, 'have 0-256 characters matching [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
  }
  return { ...tags };
}

export function putRetentionPolicy(body: RequestBody, context: OperationContext): undefined {
  const logGroupName = validateLogGroupName(requiredString(body, 'logGroupName'));
  const retentionInDays = requiredInteger(body, 'retentionInDays');
  if (!RETENTION_DAYS.has(retentionInDays)) {
    throw new CloudWatchError(
      'InvalidParameterException',
      `1 validation error detected: Value '${retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(', ')}]`,
    );
  }
  requireGroup(context, logGroupName).retentionInDays = retentionInDays;
  return undefined;
}

export function describeLogGroups(body: RequestBody, context: OperationContext): object {
  const prefix = optionalString(body, 'logGroupNamePrefix');
  const pattern = optionalString(body, 'logGroupNamePattern');
  if (prefix !== undefined && pattern !== undefined) {
    throw new CloudWatchError('InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  }
  if (prefix !== undefined) validateLogGroupName(prefix, 'logGroupNamePrefix');
  const logGroupClass = optionalString(body, 'logGroupClass');
  const limit = optionalLimit(body, MAX_DESCRIBE_LIMIT) ?? MAX_DESCRIBE_LIMIT;
  const matching = context.store
    .sortedGroups()
    .filter((group) => prefix === undefined || group.logGroupName.startsWith(prefix))
    .filter((group) => pattern === undefined || group.logGroupName.includes(pattern))
    .filter((group) => logGroupClass === undefined || group.logGroupClass === logGroupClass);
  const { page, nextToken } = paginate(matching, limit, optionalString(body, 'nextToken'));
  return { logGroups: page.map((group) => describeGroup(group, context)), ...(nextToken !== undefined && { nextToken }) };
}

function describeGroup(group: LogGroupRecord, context: OperationContext): object {
  const arn = logGroupArn(context, group.logGroupName);
  let storedBytes = 0;
  for (const stream of group.streams.values()) for (const event of stream.events) storedBytes += Buffer.byteLength(event.message, 'utf8');
  return {
    logGroupName: group.logGroupName,
    creationTime: group.creationTime,
    ...(group.retentionInDays !== undefined && { retentionInDays: group.retentionInDays }),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes,
    ...(group.kmsKeyId !== undefined && { kmsKeyId: group.kmsKeyId }),
    logGroupClass: group.logGroupClass,
    logGroupArn: arn,
  };
}

/** Enables or disables bearer token (API key) authentication on a group; it stays as set until changed. */
export function putBearerTokenAuthentication(body: RequestBody, context: OperationContext): undefined {
  const logGroupName = logGroupNameOrIdentifier(body);
  const enabled = optionalBoolean(body, 'bearerTokenAuthenticationEnabled');
  if (enabled === undefined) throw validationError('bearerTokenAuthenticationEnabled', undefined, 'not be null');
  requireGroup(context, logGroupName).bearerTokenAuthenticationEnabled = enabled;
  return undefined;
}
