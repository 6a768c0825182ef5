/** An AWS error answer: `__type` (namespace stripped) and message. */
export class CloudWatchServiceError extends Error {
  readonly type: string;
  readonly status: number;
  readonly retryAfter: string | undefined;
  constructor(type: string, message: string, status: number, retryAfter: string | undefined) {
    super(`${type} (HTTP ${status}): ${message}`);
    this.name = 'CloudWatchServiceError';
    this.type = type;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}
