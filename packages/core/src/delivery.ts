import type { WireEvent } from './batch.ts';
import { requestBytes } from './batch.ts';
import type { ConstraintAwareExporter, SendOutcome } from './exporter.ts';
import { describeDrop } from './exporter.ts';
import { NetworkError } from './http.ts';
import type { Destination } from './model.ts';
import { checkTimeWindow } from './planner.ts';
import { backoffDelay, sleep } from './retry.ts';

export interface DeliveryOptions {
  /** Epoch ms after which retrying stops. */
  readonly deadlineAt: number;
  /** Aborts the request and any wait (shutdown). */
  readonly signal?: AbortSignal;
}

/**
 * Sends one planned request, retrying what the provider classifies as retryable with backoff
 * (or the service's Retry-After) until the deadline, and counts every event's fate.
 * Resolves true when nothing was lost to a failure (accepted, or refused individually by the service).
 */
export async function deliver<E extends WireEvent>(
  exporter: ConstraintAwareExporter<E>,
  destination: Destination,
  events: readonly E[],
  options: DeliveryOptions,
): Promise<boolean> {
  const { metrics, problems, limits } = exporter;
  let pending: readonly E[] = events;
  for (let attempt = 0; ; attempt++) {
    // Checked before every attempt: a request may have waited in the queue or between retries.
    pending = dropExpired(exporter, pending);
    if (pending.length === 0) return true;
    if (options.signal?.aborted) return giveUp(exporter, pending, 'shutdown');
    const outcome = await sendSafely(exporter, destination, pending, attempt, options);
    if (outcome.status === 'accepted') {
      let refused = 0;
      for (const { reason, count } of outcome.rejected ?? []) {
        refused += count;
        metrics.recordRejected(reason, count);
        problems.warn(`rejected:${reason}`, `the service refused log records individually (${reason})`);
      }
      metrics.recordExported(pending.length - refused, requestBytes(pending, limits));
      return true;
    }
    // A request cut short by shutdown failed because of the abort, not because of the service.
    const aborted = options.signal?.aborted === true;
    if (outcome.status === 'failed') {
      if (aborted) return giveUp(exporter, pending, 'shutdown');
      metrics.recordRejected(outcome.reason, pending.length);
      problems.error(`failed:${outcome.reason}`, `a request failed and is not retried (${outcome.reason}): ${outcome.error.message}`);
      return false;
    }
    if (outcome.events && outcome.events.length < pending.length) {
      const resend = new Set(outcome.events);
      const accepted = pending.filter((event) => !resend.has(event));
      metrics.recordExported(accepted.length, requestBytes(accepted, limits));
      pending = outcome.events;
      if (pending.length === 0) return true;
    }
    if (aborted) return giveUp(exporter, pending, 'shutdown');
    const delay = Math.max(outcome.retryAfterMillis ?? 0, backoffDelay(attempt + 1, exporter.retry));
    if (Date.now() + delay > options.deadlineAt) {
      problems.error('retry_deadline', `giving up on a request after ${attempt + 1} attempt(s): ${outcome.error.message}`);
      return giveUp(exporter, pending, 'retry_deadline_exceeded');
    }
    metrics.recordRetry(outcome.throttled === true);
    problems.warn(outcome.throttled ? 'throttled' : 'retrying', `retrying a request (${outcome.throttled ? 'throttled' : outcome.error.message})`);
    try {
      await sleep(delay, options.signal);
    } catch {
      return giveUp(exporter, pending, 'shutdown');
    }
  }
}

async function sendSafely<E extends WireEvent>(
  exporter: ConstraintAwareExporter<E>,
  destination: Destination,
  events: readonly E[],
  attempt: number,
  options: DeliveryOptions,
): Promise<SendOutcome<E>> {
  const signal = options.signal ?? new AbortController().signal;
  const timeoutMillis = Math.max(1, Math.min(exporter.requestTimeoutMillis, options.deadlineAt - Date.now()));
  try {
    return await exporter.send(destination, events, { signal, timeoutMillis, attempt });
  } catch (error) {
    // A provider's send should classify everything; an escaped network error is still retryable.
    if (error instanceof NetworkError) return { status: 'retry', error };
    return { status: 'failed', error: error as Error, reason: 'export_error' };
  }
}

/** Drops events that aged out of the time window while waiting to be retried. */
function dropExpired<E extends WireEvent>(exporter: ConstraintAwareExporter<E>, events: readonly E[]): readonly E[] {
  const now = Date.now();
  let kept: E[] | undefined;
  events.forEach((event, index) => {
    const verdict = checkTimeWindow(event.timeMillis, exporter.limits, now);
    if (verdict === 'ok') {
      kept?.push(event);
      return;
    }
    kept ??= events.slice(0, index);
    exporter.metrics.recordDropped(verdict);
    exporter.problems.warn(`drop:${verdict}`, describeDrop(verdict, exporter.limits));
  });
  return kept ?? events;
}

function giveUp<E extends WireEvent>(exporter: ConstraintAwareExporter<E>, events: readonly E[], reason: 'shutdown' | 'retry_deadline_exceeded'): false {
  exporter.metrics.recordDropped(reason, events.length);
  exporter.problems.error(`drop:${reason}`, describeDrop(reason, exporter.limits));
  return false;
}
