import type { Destination, SendOutcome } from '@otel-cloud-logs/core';
import { classifyFailure } from './classify.ts';
import { CloudWatchServiceError } from './errors.ts';
import type { OtlpPartialSuccess } from './otlp-client.ts';

/** The counts inside `partialSuccess.errorMessage`, and the reasons they are counted under. */
const PARTIAL_REASONS: ReadonlyArray<readonly [key: string, reason: string]> = [
  ['tooOldLogEventCount', 'too_old'],
  ['tooNewLogEventCount', 'too_new'],
  ['expiredLogEventCount', 'expired'],
];

/**
 * Records the endpoint refused individually, by reason: `errorMessage` is JSON with the counts per reason
 * (CWL_HTTP_Endpoints_OTLP); refused records it does not account for are counted as `partial_success`.
 */
export function partialSuccessCounts(partial: OtlpPartialSuccess, recordCount: number): { reason: string; count: number }[] {
  const total = Math.min(Math.max(0, Math.floor(partial.rejectedLogRecords)), recordCount);
  if (total === 0) return [];
  let breakdown: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(partial.errorMessage ?? '');
    if (typeof parsed === 'object' && parsed !== null) breakdown = parsed as Record<string, unknown>;
  } catch {
    // Not the documented JSON: every refused record is counted under the generic reason.
  }
  const counts: { reason: string; count: number }[] = [];
  let left = total;
  for (const [key, reason] of PARTIAL_REASONS) {
    const count = Math.min(left, Math.max(0, Math.floor(Number(breakdown[key]) || 0)));
    if (count > 0) counts.push({ reason, count });
    left -= count;
  }
  if (left > 0) counts.push({ reason: 'partial_success', count: left });
  return counts;
}

/**
 * Classifies a failed request to the OTLP endpoint as for PutLogEvents (throttling, 5xx and network errors are
 * retried, other 4xx are not), with the hints a bearer token needs: 401 is a bad key, 403 usually bearer
 * authentication disabled on the group; both are configuration problems and never retried.
 */
export function classifyOtlpFailure(error: unknown, bearer: boolean, destination: Destination): SendOutcome {
  if (bearer && error instanceof CloudWatchServiceError && (error.status === 401 || error.status === 403)) {
    const hint =
      error.status === 401
        ? 'the API key is invalid, expired or inactive: create one (aws iam create-service-specific-credential --service-name logs.amazonaws.com) and pass it as auth.token or AWS_BEARER_TOKEN_LOGS'
        : `enable bearer token authentication on log group ${destination.logGroup} (aws logs put-bearer-token-authentication --log-group-identifier ${destination.logGroup} --bearer-token-authentication-enabled), and allow the API key's IAM user logs:CallWithBearerToken and logs:PutLogEvents`;
    return { status: 'failed', error: new Error(`${error.message} — ${hint}`, { cause: error }), reason: error.type };
  }
  if (error instanceof CloudWatchServiceError && error.type === 'ResourceNotFoundException' && bearer) {
    const described = new Error(`${error.message} — create log group ${destination.logGroup} and stream ${destination.logStream} first: a CloudWatch Logs API key may only put log events`, { cause: error });
    return { status: 'failed', error: described, reason: error.type };
  }
  return classifyFailure(error);
}
