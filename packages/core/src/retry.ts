import type { SendOutcome } from './codec.ts';

/** Exponential backoff with jitter, bounded by a total deadline (the stock OTLP exporter's conventions). */
export interface RetryOptions {
  /** Delay before the first retry. Default 1,000 ms. */
  readonly initialDelayMillis: number;
  /** Cap of one delay. Default 5,000 ms. */
  readonly maxDelayMillis: number;
  /** Growth per attempt. Default 1.5. */
  readonly multiplier: number;
  /** ± fraction of random spread on each delay. Default 0.2. */
  readonly jitter: number;
  /** Time from the first attempt after which a request is given up. Default 60,000 ms. */
  readonly deadlineMillis: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  initialDelayMillis: 1_000,
  maxDelayMillis: 5_000,
  multiplier: 1.5,
  jitter: 0.2,
  deadlineMillis: 60_000,
};

export function resolveRetryOptions(options: Partial<RetryOptions> | undefined): RetryOptions {
  // An option given as undefined (e.g. from an unset environment variable) keeps its default.
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  const merged: RetryOptions = { ...DEFAULT_RETRY, ...given };
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry.${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (merged.jitter > 1) throw new RangeError(`retry.jitter must be between 0 and 1, got ${merged.jitter}`);
  return merged;
}

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMillis, options.initialDelayMillis * options.multiplier ** (attempt - 1));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

/** Parses a `Retry-After` header (delta seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, nowMillis = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMillis);
}

/** Resolves after `millis`, or rejects when `signal` aborts first. */
export function sleep(millis: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, millis);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One retry of a call, told before its wait (to count it, or to say it). */
export interface RetryEvent {
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly error: Error;
  readonly throttled: boolean;
  readonly delayMillis: number;
}

/** How `callWithRetry` retries: the exporters' policy for whatever is not given. */
export interface CallRetryOptions {
  /** Backoff and total deadline; DEFAULT_RETRY for what is omitted. */
  readonly retry?: Partial<RetryOptions>;
  /** Epoch ms after which no retry starts. Default: `retry.deadlineMillis` after the first attempt. */
  readonly deadlineAt?: number;
  /** Attempts in all. Default: as many as fit before the deadline. */
  readonly maxAttempts?: number;
  /** Cuts a wait between attempts short (rejecting with the signal's reason). */
  readonly signal?: AbortSignal;
  readonly onRetry?: (event: RetryEvent) => void;
}

/**
 * Runs `call` until it resolves, retrying what `classify` (the provider's classifier) calls retryable (throttling,
 * 5xx, network failures) after the exporters' backoff or the service's Retry-After, whichever is longer. Anything
 * else (a 4xx: the configuration or the credentials are wrong) is thrown at once, unchanged; so is the last error
 * once the next attempt would start after the deadline.
 */
export async function callWithRetry<T>(call: (attempt: number) => Promise<T>, classify: (error: unknown) => SendOutcome, options: CallRetryOptions = {}): Promise<T> {
  const policy = resolveRetryOptions(options.retry);
  const deadlineAt = options.deadlineAt ?? Date.now() + policy.deadlineMillis;
  const maxAttempts = options.maxAttempts ?? Infinity;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt - 1);
    } catch (error) {
      const verdict = classify(error);
      if (verdict.status !== 'retry' || attempt >= maxAttempts) throw error;
      const delayMillis = Math.max(verdict.retryAfterMillis ?? 0, backoffDelay(attempt, policy));
      if (Date.now() + delayMillis > deadlineAt) throw error;
      options.onRetry?.({ attempt, error: verdict.error, throttled: verdict.throttled === true, delayMillis });
      await sleep(delayMillis, options.signal);
    }
  }
}
