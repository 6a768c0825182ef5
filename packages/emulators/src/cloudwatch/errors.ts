import type { EmulatorResponse } from '../common/http-server.ts';

/** The CloudWatch Logs error names the emulator answers with (the `__type` of the JSON error body). */
export type CloudWatchErrorType =
  | 'AccessDeniedException'
  | 'InvalidParameterException'
  | 'ResourceNotFoundException'
  | 'ResourceAlreadyExistsException'
  | 'ServiceUnavailableException'
  | 'ThrottlingException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'IncompleteSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'AccessDeniedException';

/** Thrown by the operations; the handler turns it into the service's JSON error answer. */
export class CloudWatchError extends Error {
  readonly type: CloudWatchErrorType;
  readonly status: number;

  constructor(type: CloudWatchErrorType, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The AWS JSON 1.1 error format: `{"__type", "message"}` plus the `x-amzn-ErrorType` header. */
export function errorResponse(error: CloudWatchError, extraHeaders: Record<string, string> = {}): EmulatorResponse {
  return {
    status: error.status,
    headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-errortype': error.type, ...extraHeaders },
    body: JSON.stringify({ __type: error.type, message: error.message }),
  };
}

/** The service's wording for a model constraint failure, e.g. a name that breaks its pattern. */
export function validationError(path: string, value: unknown, rule: string): CloudWatchError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new CloudWatchError('InvalidParameterException', `1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: Member must ${rule}`);
}
