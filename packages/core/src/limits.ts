/**
 * What one provider accepts in one request. Each exporter declares its own; the planner and the
 * processor only ever build requests within them.
 */
export interface ProviderLimits {
  /**
   * Max request size, counted as Σ (event size + perEventOverheadBytes): requests are filled up to it. An event
   * larger than this on its own (allowed when maxEventBytes is larger, e.g. a batch-size target below the
   * service's hard limit) is sent alone.
   */
  readonly maxRequestBytes: number;
  /** Bytes the service adds to each event's size when it counts a request (CloudWatch: 26). */
  readonly perEventOverheadBytes: number;
  readonly maxEventsPerRequest: number;
  /** Max size of one event as the exporter measures it (without the per-event overhead). */
  readonly maxEventBytes: number;
  /** Max time between the first and last event of a request, inclusive; undefined: no rule. */
  readonly maxSpanMillis?: number;
  /** Events in one request must be in chronological order. */
  readonly chronological: boolean;
  /** Events older than now − maxAgeMillis are rejected by the service; undefined: no rule. */
  readonly maxAgeMillis?: number;
  /** Events newer than now + maxFutureMillis are rejected by the service; undefined: no rule. */
  readonly maxFutureMillis?: number;
  /** Kept away from both window edges so that a record does not expire between planning and arrival. */
  readonly timeWindowMarginMillis: number;
}

/** Throws a clear error when a limit is not a positive whole number or the limits contradict each other. */
export function validateLimits(limits: ProviderLimits, owner: string): void {
  const positive = ['maxRequestBytes', 'maxEventsPerRequest', 'maxEventBytes'] as const;
  for (const key of positive) {
    const value = limits[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`${owner}: limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  const nonNegative = ['perEventOverheadBytes', 'timeWindowMarginMillis', 'maxSpanMillis', 'maxAgeMillis', 'maxFutureMillis'] as const;
  for (const key of nonNegative) {
    const value = limits[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new RangeError(`${owner}: limit ${key} must be a non-negative integer, got ${String(value)}`);
    }
  }
}
