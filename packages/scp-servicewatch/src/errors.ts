/** An error answer of ServiceWatch, with the service's code and request id when it sent them. */
export class ServiceWatchError extends Error {
  readonly status: number;
  /** The service's error code (e.g. `ValidationError`, `HmacValidFail`), or `HTTP <status>`. */
  readonly code: string;
  readonly requestId: string | undefined;
  /** The rejected-records reason used in the self-metrics (e.g. `validation_error`). */
  readonly reason: string;
  readonly retryable: boolean;
  readonly throttled: boolean;
  readonly retryAfterMillis: number | undefined;

  constructor(init: {
    message: string;
    status: number;
    code: string;
    requestId?: string;
    reason: string;
    retryable: boolean;
    throttled?: boolean;
    retryAfterMillis?: number;
  }) {
    super(init.message);
    this.name = 'ServiceWatchError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.reason = init.reason;
    this.retryable = init.retryable;
    this.throttled = init.throttled ?? false;
    this.retryAfterMillis = init.retryAfterMillis;
  }
}
