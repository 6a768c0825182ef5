import { secretScrubber } from '@otel-cloud-logs/core';

/** An error answered by a Huawei Cloud API (LTS, IAM, GA, or the API gateway in front of them). */
export class HuaweiCloudError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The service's error code (e.g. `LTS.0201`, `SVCSTG.ALS.200.210`, `APIGW.0301`), or `HTTP_<status>` when the body has none. */
  readonly code: string;
  readonly serviceMessage: string;
  /** The answer's Retry-After, in milliseconds, when it had one. */
  readonly retryAfterMillis: number | undefined;

  /** `code` and `serviceMessage` come from the service's answer, which may quote the request's credentials: scrubbed. */
  constructor(operation: string, status: number, code: string, serviceMessage: string, hint?: string, retryAfterMillis?: number) {
    const quoted = secretScrubber.scrub(serviceMessage);
    const cleanCode = secretScrubber.scrub(code);
    super(`${operation} failed: HTTP ${status} ${cleanCode}${quoted ? `: ${quoted}` : ''}${hint ? ` (${hint})` : ''}`);
    this.name = 'HuaweiCloudError';
    this.status = status;
    this.code = cleanCode;
    this.serviceMessage = quoted;
    this.retryAfterMillis = retryAfterMillis;
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

export interface ServiceCode {
  readonly code: string | undefined;
  readonly message: string;
}

/**
 * Reads the error code and message from any of the body shapes Huawei services use:
 * `{error_code, error_msg}` (LTS, GA, gateway), `{errorCode, error_msg | errorMessage}` (log reporting),
 * `{error: {code, message}}` (IAM).
 */
export function parseServiceCode(body: string): ServiceCode {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { code: undefined, message: quoteBody(body) };
  }
  if (typeof parsed !== 'object' || parsed === null) return { code: undefined, message: quoteBody(body) };
  const record = parsed as Record<string, unknown>;
  const nested = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : undefined;
  const code = record.error_code ?? record.errorCode ?? nested?.code;
  const message = record.error_msg ?? record.errorMessage ?? record.errorMsg ?? nested?.message ?? '';
  return { code: code === undefined || code === null ? undefined : String(code), message: String(message) };
}

/** The start of a body for an error message, scrubbed first: a secret cut in half would no longer be recognised. */
export function quoteBody(body: string): string {
  return secretScrubber.scrub(body).slice(0, 200);
}

/** Hints for the codes a user can act on. */
const HINTS: Record<string, string> = {
  'LTS.0003': 'the IAM token is invalid or expired; check the credentials',
  'LTS.0001': 'the project id is wrong for this region',
  'LTS.0011': 'the project id is wrong for this region',
  'LTS.0201': 'the log group does not exist; create it or enable createMissing',
  'LTS.0208': 'the log stream does not exist; create it or enable createMissing',
  'LTS.0104': 'the log group quota (100 per account by default) is used up',
  'LTS.0206': 'the log stream quota (100 per group by default) is used up',
  'SVCSTG.ALS.200.210': 'the LTS log quota (resource package or free quota) is full: logs are refused until it is raised or the period resets',
  'SVCSTG.ALS.403.105': 'the project id in the URL does not match the credentials',
  'APIGW.0301': 'the credentials were refused by the API gateway: check the AK/SK, the token or the clock',
};

export function serviceError(operation: string, status: number, body: string, retryAfterMillis?: number): HuaweiCloudError {
  const { code, message } = parseServiceCode(body);
  const resolved = code ?? `HTTP_${status}`;
  return new HuaweiCloudError(operation, status, resolved, message, HINTS[resolved], retryAfterMillis);
}

/** A destination that cannot be resolved without someone creating it. */
export class DestinationNotFoundError extends Error {
  readonly code: 'LTS.0201' | 'LTS.0208';
  constructor(code: 'LTS.0201' | 'LTS.0208', message: string) {
    super(message);
    this.name = 'DestinationNotFoundError';
    this.code = code;
  }
}
