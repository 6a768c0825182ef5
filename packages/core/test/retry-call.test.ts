import { describe, expect, it } from 'vitest';
import { callWithRetry, type RetryEvent, type SendOutcome } from '../src/index.ts';

class Answer extends Error {
  readonly status: number;
  readonly retryAfterMillis: number | undefined;
  constructor(status: number, retryAfterMillis?: number) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMillis = retryAfterMillis;
  }
}

/** A provider classifier in miniature: 429 is throttling, 5xx is retried, the rest is not. */
function classify(error: unknown): SendOutcome {
  const answer = error as Answer;
  if (answer.status === 429) return { status: 'retry', error: answer, throttled: true, retryAfterMillis: answer.retryAfterMillis };
  if (answer.status >= 500) return { status: 'retry', error: answer, retryAfterMillis: answer.retryAfterMillis };
  return { status: 'failed', error: answer, reason: `http_${answer.status}` };
}

/** A call that fails with `failures` in turn, then resolves with the attempt number. */
function failing(...failures: Answer[]) {
  const attempts: number[] = [];
  const call = async (attempt: number) => {
    attempts.push(attempt);
    if (attempt < failures.length) throw failures[attempt];
    return attempt;
  };
  return { call, attempts };
}

const fast = { initialDelayMillis: 2, maxDelayMillis: 8, multiplier: 2, jitter: 0 };

describe('callWithRetry', () => {
  it('retries throttling and 5xx with backoff or the longer Retry-After, and tells each retry', async () => {
    const { call, attempts } = failing(new Answer(503), new Answer(429, 30), new Answer(500));
    const events: RetryEvent[] = [];
    await expect(callWithRetry(call, classify, { retry: fast, onRetry: (event) => events.push(event) })).resolves.toBe(3);
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(events.map(({ attempt, throttled, delayMillis, error }) => ({ attempt, throttled, delayMillis, message: error.message }))).toEqual([
      { attempt: 1, throttled: false, delayMillis: 2, message: 'HTTP 503' },
      { attempt: 2, throttled: true, delayMillis: 30, message: 'HTTP 429' },
      { attempt: 3, throttled: false, delayMillis: 8, message: 'HTTP 500' },
    ]);
  });

  it('throws a refusal that is not retryable at once, unchanged', async () => {
    const refusal = new Answer(400);
    const { call, attempts } = failing(refusal);
    await expect(callWithRetry(call, classify, { retry: fast })).rejects.toBe(refusal);
    expect(attempts).toEqual([0]);
  });

  it('gives up with the last error when the next attempt would start after the deadline, or after maxAttempts', async () => {
    const late = new Answer(503, 60_000);
    const events: RetryEvent[] = [];
    await expect(callWithRetry(failing(new Answer(503), late).call, classify, { retry: { ...fast, deadlineMillis: 1_000 }, onRetry: (e) => events.push(e) })).rejects.toBe(late);
    expect(events).toHaveLength(1);

    const third = new Answer(502);
    const bounded = failing(new Answer(503), new Answer(503), third, new Answer(503));
    await expect(callWithRetry(bounded.call, classify, { retry: fast, maxAttempts: 3 })).rejects.toBe(third);
    expect(bounded.attempts).toEqual([0, 1, 2]);

    const past = failing(new Answer(503));
    await expect(callWithRetry(past.call, classify, { retry: fast, deadlineAt: Date.now() - 1 })).rejects.toMatchObject({ status: 503 });
    expect(past.attempts).toEqual([0]);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = callWithRetry(failing(new Answer(503), new Answer(503)).call, classify, {
      retry: { ...fast, initialDelayMillis: 60_000, maxDelayMillis: 60_000, deadlineMillis: 120_000 },
      signal: controller.signal,
      onRetry: () => controller.abort(reason),
    });
    await expect(pending).rejects.toBe(reason);
  });
});
