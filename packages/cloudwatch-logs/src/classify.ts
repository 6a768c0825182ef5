import { NetworkError, parseRetryAfter, type SendOutcome } from '@otel-cloud-logs/core';
import { CloudWatchServiceError } from './errors.ts';

/** What came back from PutLogEvents when the call succeeded. */
export interface PutLogEventsResponse {
  readonly nextSequenceToken?: string;
  readonly rejectedLogEventsInfo?: {
    readonly tooNewLogEventStartIndex?: number;
    readonly tooOldLogEventEndIndex?: number;
    readonly expiredLogEventEndIndex?: number;
  };
  readonly rejectedEntityInfo?: { readonly errorType?: string };
}

/**
 * Counts the events CloudWatch refused individually. The indices overlap: expired (older than the
 * group's retention) and too-old events both sit at the front of the sorted batch, too-new at the end.
 */
export function rejectedCounts(response: PutLogEventsResponse, eventCount: number): { reason: string; count: number }[] {
  const info = response.rejectedLogEventsInfo;
  if (!info) return [];
  const counts: { reason: string; count: number }[] = [];
  const tooOldEnd = clamp(info.tooOldLogEventEndIndex, eventCount);
  const expiredEnd = clamp(info.expiredLogEventEndIndex, eventCount);
  const frontEnd = Math.max(tooOldEnd, expiredEnd);
  if (tooOldEnd > 0) counts.push({ reason: 'too_old', count: tooOldEnd });
  if (expiredEnd > tooOldEnd) counts.push({ reason: 'expired', count: expiredEnd - tooOldEnd });
  if (info.tooNewLogEventStartIndex !== undefined) {
    const start = Math.max(frontEnd, clamp(info.tooNewLogEventStartIndex, eventCount));
    if (eventCount - start > 0) counts.push({ reason: 'too_new', count: eventCount - start });
  }
  return counts;
}

function clamp(index: number | undefined, eventCount: number): number {
  return index === undefined ? 0 : Math.min(Math.max(index, 0), eventCount);
}

/** Errors that are never worth repeating: the request or the credentials are wrong. */
const PERMANENT = new Set([
  'InvalidParameterException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
  'ExpiredTokenException',
  'IncompleteSignatureException',
  'ValidationException',
  'DataAlreadyAcceptedException',
  'ResourceNotFoundException',
]);

const HINTS: Record<string, string> = {
  UnrecognizedClientException: 'check the access key id (AWS_ACCESS_KEY_ID / credentials) and region',
  InvalidSignatureException: 'check the secret access key and the machine clock',
  ExpiredTokenException: 'the session token expired; refresh the credentials',
  AccessDeniedException: 'grant logs:PutLogEvents (and logs:CreateLogStream/CreateLogGroup if creation is enabled) to the caller',
  ResourceNotFoundException: 'create the log group/stream, or enable createLogGroup/createLogStream',
  InvalidParameterException: 'the request was refused as invalid; this is a bug if it persists, please report it',
};

/** Classifies a failed PutLogEvents call: throttling, 5xx and network errors are retried; the rest are not. */
export function classifyFailure(error: unknown): SendOutcome {
  if (error instanceof NetworkError) return { status: 'retry', error };
  // No credentials (yet): the container or instance credential endpoint can be briefly unavailable at start-up.
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    const reason = error.message.split('\n', 1)[0]!.slice(0, 200);
    return {
      status: 'retry',
      error: new Error(`no AWS credentials could be loaded (${reason}): pass credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an IAM role`, { cause: error }),
    };
  }
  if (error instanceof CloudWatchServiceError) {
    const retryAfterMillis = parseRetryAfter(error.retryAfter);
    if (error.type === 'ThrottlingException' || error.status === 429) {
      return { status: 'retry', error, throttled: true, retryAfterMillis };
    }
    if (error.status >= 500 || error.type === 'ServiceUnavailableException') return { status: 'retry', error, retryAfterMillis };
    const hint = HINTS[error.type];
    const described = new Error(hint ? `${error.message} — ${hint}` : error.message, { cause: error });
    if (PERMANENT.has(error.type) || (error.status >= 400 && error.status < 500)) {
      return { status: 'failed', error: described, reason: error.type };
    }
  }
  return { status: 'failed', error: error as Error, reason: 'unexpected_error' };
}
