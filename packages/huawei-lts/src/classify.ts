import { NetworkError, parseRetryAfter, type HttpResponse, type SendOutcome } from '@otel-cloud-logs/core';
import { DestinationNotFoundError, HuaweiCloudError, parseServiceCode, quoteBody, serviceError } from './errors.ts';

/** The body code of a successful report. */
export const REPORT_SUCCESS_CODE = 'SVCSTG.ALS.200.200';
/** The body code LTS answers when the account's log quota is used up. */
export const QUOTA_FULL_CODE = 'SVCSTG.ALS.200.210';

/**
 * Classifies the answer to a report request. Success is HTTP 200 *and* the body code SVCSTG.ALS.200.200;
 * any other code is an error even under HTTP 200. 429 and 5xx are retried; everything else (validation,
 * auth, quota full) fails without retry, counted under the service's error code.
 */
export function classifyReport(response: HttpResponse, operation: string): SendOutcome {
  if (response.status === 200) {
    const { code } = parseServiceCode(response.body);
    if (code === REPORT_SUCCESS_CODE) return { status: 'accepted' };
    const error = code
      ? serviceError(operation, 200, response.body)
      : new HuaweiCloudError(operation, 200, 'NO_BODY_CODE', quoteBody(response.body), `expected body code ${REPORT_SUCCESS_CODE}`);
    return { status: 'failed', error, reason: error.code };
  }
  const error = serviceError(operation, response.status, response.body);
  if (response.status === 429) {
    return { status: 'retry', error, throttled: true, retryAfterMillis: parseRetryAfter(response.headers['retry-after']) };
  }
  if (response.status >= 500) return { status: 'retry', error, retryAfterMillis: parseRetryAfter(response.headers['retry-after']) };
  return { status: 'failed', error, reason: error.code };
}

/**
 * Classifies a failure before the report was answered (name lookup, creation, IAM token, network), and a failed
 * provisioning call: 429, 5xx and network failures are retried, other answers (wrong configuration) are not.
 */
export function classifyFailure(error: unknown): SendOutcome {
  if (error instanceof NetworkError) return { status: 'retry', error };
  if (error instanceof DestinationNotFoundError) return { status: 'failed', error, reason: error.code };
  if (error instanceof HuaweiCloudError) {
    if (error.status === 429) return { status: 'retry', error, throttled: true, retryAfterMillis: error.retryAfterMillis };
    if (error.retryable) return { status: 'retry', error, retryAfterMillis: error.retryAfterMillis };
    return { status: 'failed', error, reason: error.code };
  }
  const wrapped = error instanceof Error ? error : new Error(String(error));
  return { status: 'failed', error: wrapped, reason: 'export_error' };
}
