import type { RequestSender, SendOutcome } from './codec.ts';
import { describeDrop } from './drops.ts';
import type { EncodedBatch } from './encoded-batch.ts';
import { NetworkError } from './http.ts';
import type { ProviderLimits } from './limits.ts';
import type { SelfMetrics } from './metrics.ts';
import type { Destination } from './model.ts';
import { checkTimeWindow } from './planner.ts';
import type { ProblemReporter } from './problems.ts';
import { backoffDelay, sleep, type RetryOptions } from './retry.ts';
import { secretScrubber } from './scrub.ts';

/** What delivery needs of an exporter: its sender, limits, retry policy and where to count fates. */
export interface DeliveryTarget extends RequestSender {
  readonly limits: ProviderLimits;
  readonly metrics: SelfMetrics;
  readonly problems: ProblemReporter;
  readonly retry: RetryOptions;
  readonly requestTimeoutMillis: number;
}

export interface DeliveryOptions {
  /** Epoch ms after which retrying stops. */
  readonly deadlineAt: number;
  /** Aborts the request and any wait (shutdown). */
  readonly signal?: AbortSignal;
  /**
   * Records cut short by the abort stay with the caller (a spool keeps them for the next run) instead of being
   * counted as dropped 'shutdown'.
   */
  readonly keepOnAbort?: boolean;
}

/**
 * Sends one planned request, retrying what the provider classifies as retryable with backoff (or the service's
 * Retry-After) until the deadline, and counts every record's fate. The body is built once and resent unchanged.
 * Resolves true when nothing was lost to a failure (accepted, or refused individually by the service).
 */
export async function deliver(target: DeliveryTarget, destination: Destination, batch: EncodedBatch, options: DeliveryOptions): Promise<boolean> {
  const { metrics, problems } = target;
  let pending = batch;
  for (let attempt = 0; ; attempt++) {
    // Checked before every attempt: a request may have waited in the queue or between retries.
    pending = dropExpired(target, pending);
    if (pending.length === 0) return true;
    if (options.signal?.aborted) return stopped(target, pending.length, options);
    const outcome = await sendSafely(target, destination, pending, attempt, options);
    if (outcome.status === 'accepted') {
      let refused = 0;
      for (const { reason, count } of outcome.rejected ?? []) {
        refused += count;
        metrics.recordRejected(reason, count);
        problems.warn(`rejected:${reason}`, `the service refused log records individually (${reason})`);
      }
      metrics.recordExported(pending.length - refused, pending.requestBytes);
      return true;
    }
    // A request cut short by shutdown failed because of the abort, not because of the service.
    const aborted = options.signal?.aborted === true;
    if (outcome.status === 'failed') {
      if (aborted) return stopped(target, pending.length, options);
      metrics.recordRejected(outcome.reason, pending.length);
      problems.error(`failed:${outcome.reason}`, `a request failed and is not retried (${outcome.reason}): ${outcome.error.message}`);
      return false;
    }
    if (outcome.remaining && outcome.remaining.length < pending.length) {
      pending = acceptPart(target, pending, outcome.remaining);
      if (pending.length === 0) return true;
    }
    if (aborted) return stopped(target, pending.length, options);
    const delay = Math.max(outcome.retryAfterMillis ?? 0, backoffDelay(attempt + 1, target.retry));
    if (Date.now() + delay > options.deadlineAt) {
      problems.error('retry_deadline', `giving up on a request after ${attempt + 1} attempt(s): ${outcome.error.message}`);
      return giveUp(target, pending.length, 'retry_deadline_exceeded');
    }
    metrics.recordRetry(outcome.throttled === true);
    problems.warn(outcome.throttled ? 'throttled' : 'retrying', `retrying a request (${outcome.throttled ? 'throttled' : outcome.error.message})`);
    try {
      await sleep(delay, options.signal);
    } catch {
      return stopped(target, pending.length, options);
    }
  }
}

/** The provider's outcome, its error scrubbed of secrets: every error a provider surfaces passes here. */
async function sendSafely(target: DeliveryTarget, destination: Destination, batch: EncodedBatch, attempt: number, options: DeliveryOptions): Promise<SendOutcome> {
  const signal = options.signal ?? new AbortController().signal;
  const timeoutMillis = Math.max(1, Math.min(target.requestTimeoutMillis, options.deadlineAt - Date.now()));
  let outcome: SendOutcome;
  try {
    outcome = await target.send(destination, batch, { signal, timeoutMillis, attempt, deadlineAt: options.deadlineAt });
  } catch (error) {
    // A provider's send should classify everything; an escaped network error is still retryable.
    outcome = error instanceof NetworkError ? { status: 'retry', error } : { status: 'failed', error: error as Error, reason: 'export_error' };
  }
  if (outcome.status !== 'accepted') secretScrubber.scrubError(outcome.error);
  return outcome;
}

/** Counts the records the service took from a partly accepted request; returns the batch of those left to send. */
function acceptPart(target: DeliveryTarget, batch: EncodedBatch, remaining: readonly number[]): EncodedBatch {
  const left = new Set(remaining);
  const rest = batch.filter((index) => left.has(index));
  target.metrics.recordExported(batch.length - rest.length, batch.requestBytes - rest.requestBytes);
  return rest;
}

/** Drops records that aged out of the time window while waiting (a new batch without them; the same one if none). */
function dropExpired(target: DeliveryTarget, batch: EncodedBatch): EncodedBatch {
  const now = Date.now();
  const limits = target.limits;
  if (checkTimeWindow(batch.earliestTime, limits, now) === 'ok' && checkTimeWindow(batch.latestTime, limits, now) === 'ok') return batch;
  return batch.filter((index) => {
    const verdict = checkTimeWindow(batch.timeAt(index), limits, now);
    if (verdict === 'ok') return true;
    target.metrics.recordDropped(verdict);
    target.problems.warn(`drop:${verdict}`, describeDrop(verdict, limits));
    return false;
  });
}

/** Cut short by shutdown: dropped, unless the caller keeps the records. */
function stopped(target: DeliveryTarget, records: number, options: DeliveryOptions): false {
  return options.keepOnAbort ? false : giveUp(target, records, 'shutdown');
}

function giveUp(target: DeliveryTarget, records: number, reason: 'shutdown' | 'retry_deadline_exceeded'): false {
  target.metrics.recordDropped(reason, records);
  target.problems.error(`drop:${reason}`, describeDrop(reason, target.limits));
  return false;
}
