import { NetworkError, parseRetryAfter, secretScrubber, type HttpResponse, type SendOutcome } from '@otel-cloud-logs/core';
import { ServiceWatchError } from './errors.ts';

interface ErrorItem {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  message?: unknown;
  request_id?: unknown;
}

const MAX_DETAIL_CHARS = 1_000;

function describeDetail(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map(describeDetail).filter(Boolean).join('; ');
  if (typeof detail === 'object') {
    const item = detail as { loc?: unknown; msg?: unknown };
    if (typeof item.msg === 'string') return Array.isArray(item.loc) ? `${item.loc.join('.')}: ${item.msg}` : item.msg;
  }
  return JSON.stringify(detail);
}

/** Reads `{"errors":[{code, detail, status, title, request_id}]}` (or anything else, as text). */
function parseErrorBody(body: string): { code?: string; detail: string; requestId?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { detail: body.trim() };
  }
  const errors = (parsed as { errors?: unknown })?.errors;
  const first: ErrorItem | undefined = Array.isArray(errors) ? (errors[0] as ErrorItem) : (parsed as ErrorItem);
  if (!first || typeof first !== 'object') return { detail: body.trim() };
  const code = typeof first.code === 'string' ? first.code : typeof first.title === 'string' ? first.title : undefined;
  const detail = describeDetail(first.detail ?? first.message ?? (Array.isArray(errors) ? undefined : parsed));
  return { code, detail, requestId: typeof first.request_id === 'string' ? first.request_id : undefined };
}


function advice(status: number): { reason: string; hint: string; retryable: boolean } {
  if (status === 400) return { reason: 'validation_error', hint: 'the request was not valid; not retried', retryable: false };
  if (status === 401) {
    return { reason: 'unauthorized', hint: 'check the access key and secret key (SCP_ACCESS_KEY/SCP_SECRET_KEY) and that the clock is right', retryable: false };
  }
  if (status === 403) {
    return { reason: 'forbidden', hint: 'the access key may not write to this account or log stream; check its permissions and account_id', retryable: false };
  }
  if (status === 404) return { reason: 'not_found', hint: 'the log group or stream does not exist; provision it first', retryable: false };
  if (status === 413) return { reason: 'request_too_large', hint: 'lower limits.maxRequestBytes', retryable: false };
  if (status === 408 || status === 429 || status >= 500) return { reason: `http_${status}`, hint: 'retrying with backoff', retryable: true };
  return { reason: `http_${status}`, hint: 'not retried', retryable: false };
}

/**
 * Classifies an answer of `operation`: undefined for 2xx, otherwise a ServiceWatchError saying what went wrong
 * and what to do. 408/429/5xx are retryable (429 as throttling, with Retry-After); other 4xx are not. What is
 * quoted from the answer is scrubbed before it is cut (core's scrubber, plus `secrets`: this request's own values).
 */
export function classifyResponse(operation: string, response: HttpResponse, secrets: readonly string[]): ServiceWatchError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const parsed = parseErrorBody(response.body);
  const { reason, hint, retryable } = advice(status);
  const code = secretScrubber.scrub(parsed.code ?? `HTTP ${status}`, secrets);
  const fullDetail = secretScrubber.scrub(parsed.detail, secrets);
  const detail = fullDetail.length > MAX_DETAIL_CHARS ? `${fullDetail.slice(0, MAX_DETAIL_CHARS)}…` : fullDetail;
  const requestId = parsed.requestId === undefined ? undefined : secretScrubber.scrub(parsed.requestId, secrets);
  const message = `ServiceWatch ${operation} failed with ${status} ${code}${detail ? `: ${detail}` : ''}${requestId ? ` (request_id ${requestId})` : ''}; ${hint}`;
  return new ServiceWatchError({
    message,
    status,
    code,
    requestId,
    reason,
    retryable,
    throttled: status === 429,
    retryAfterMillis: retryable ? parseRetryAfter(response.headers['retry-after']) : undefined,
  });
}

/** Classifies a failed call (provisioning): 408/429/5xx answers and network failures are retried, other answers are not. */
export function classifyCallFailure(error: unknown): SendOutcome {
  if (error instanceof NetworkError) return { status: 'retry', error };
  if (error instanceof ServiceWatchError) {
    if (error.retryable) return { status: 'retry', error, throttled: error.throttled, retryAfterMillis: error.retryAfterMillis };
    return { status: 'failed', error, reason: error.reason };
  }
  return { status: 'failed', error: error instanceof Error ? error : new Error(String(error)), reason: 'export_error' };
}
