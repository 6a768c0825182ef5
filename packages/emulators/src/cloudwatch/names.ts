import { CloudWatchError, validationError } from './errors.ts';
import { optionalString, type RequestBody } from './fields.ts';

const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]+$/;
const LOG_STREAM_NAME_PATTERN = /^[^:*]*$/;
const MAX_NAME_LENGTH = 512;

/** Log group names: 1–512 characters of `[.-_/#A-Za-z0-9]`, not starting with the reserved `aws/`. */
export function validateLogGroupName(name: string, path = 'logGroupName'): string {
  if (name.length < 1) throw validationError(path, name, 'have length greater than or equal to 1');
  if (name.length > MAX_NAME_LENGTH) throw validationError(path, name, `have length less than or equal to ${MAX_NAME_LENGTH}`);
  if (!LOG_GROUP_NAME_PATTERN.test(name)) throw validationError(path, name, 'satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
  if (name.startsWith('aws/')) {
    throw new CloudWatchError('InvalidParameterException', `Log group name '${name}' is invalid: the prefix 'aws/' is reserved for AWS services.`);
  }
  return name;
}

/** Log stream names: 1–512 characters, no ':' and no '*'. */
export function validateLogStreamName(name: string, path = 'logStreamName'): string {
  if (name.length < 1) throw validationError(path, name, 'have length greater than or equal to 1');
  if (name.length > MAX_NAME_LENGTH) throw validationError(path, name, `have length less than or equal to ${MAX_NAME_LENGTH}`);
  if (!LOG_STREAM_NAME_PATTERN.test(name)) throw validationError(path, name, 'satisfy regular expression pattern: [^:*]*');
  return name;
}

/**
 * Operations that read a group take `logGroupName` or `logGroupIdentifier` (a name or an ARN), exactly one.
 * Returns the group name.
 */
export function logGroupNameOrIdentifier(body: RequestBody): string {
  const name = optionalString(body, 'logGroupName');
  const identifier = optionalString(body, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw new CloudWatchError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (name !== undefined) return validateLogGroupName(name);
  if (identifier === undefined) throw new CloudWatchError('InvalidParameterException', 'Should provide either a log group name or a log group identifier.');
  // ARN form: arn:aws:logs:region:account:log-group:NAME[:*]
  const arnMatch = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(identifier);
  return validateLogGroupName(arnMatch ? arnMatch[1]! : identifier, 'logGroupIdentifier');
}
