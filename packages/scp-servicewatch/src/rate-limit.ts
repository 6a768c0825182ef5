import { sleep } from '@otel-cloud-logs/core';

/**
 * A request-rate limit per log stream: a token bucket holding one token, so requests to one stream start at
 * least 1/requestsPerSecond apart and never burst above the stream's `requests_per_second`. Callers reserve
 * slots in order, so concurrent requests queue instead of racing.
 */
export class StreamRateLimiter {
  private readonly nextSlotAt = new Map<string, number>();

  /** Waits for the next free slot of `stream`; rejects when `signal` aborts first. */
  async acquire(stream: string, requestsPerSecond: number, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    if (this.nextSlotAt.size > 1_000) this.forgetIdle(now);
    const slot = Math.max(now, this.nextSlotAt.get(stream) ?? now);
    this.nextSlotAt.set(stream, slot + 1_000 / requestsPerSecond);
    if (slot > now) await sleep(slot - now, signal);
  }

  private forgetIdle(now: number): void {
    for (const [stream, at] of this.nextSlotAt) if (at < now) this.nextSlotAt.delete(stream);
  }
}
