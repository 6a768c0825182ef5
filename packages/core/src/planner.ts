import { BatchBuilder, sortByTime, type WireEvent } from './batch.ts';
import type { ProviderLimits } from './limits.ts';
import type { DropReason } from './metrics.ts';
import { destinationKey, type Destination, type LogEntry } from './model.ts';

export type TimeWindowVerdict = 'ok' | 'too_old' | 'too_new';

/** Whether the service would accept an event at `timeMillis` now, kept `timeWindowMarginMillis` inside both edges. */
export function checkTimeWindow(timeMillis: number, limits: ProviderLimits, nowMillis: number): TimeWindowVerdict {
  const margin = limits.timeWindowMarginMillis;
  if (limits.maxAgeMillis !== undefined && timeMillis < nowMillis - limits.maxAgeMillis + margin) return 'too_old';
  if (limits.maxFutureMillis !== undefined && timeMillis > nowMillis + limits.maxFutureMillis - margin) return 'too_new';
  return 'ok';
}

/** How an exporter shrinks an event that is over `maxEventBytes`. */
export interface OversizePolicy<E extends WireEvent> {
  readonly mode: 'truncate' | 'drop';
  /** Returns the event cut to at most `maxSize`, or undefined if it cannot be cut (then it is dropped). */
  truncate(event: E, maxSize: number): E | undefined;
}

export type FitVerdict<E> = { ok: true; event: E; truncated: boolean } | { ok: false; reason: DropReason };

/** Makes one event valid on its own: inside the time window and no larger than one event may be. */
export function fitEvent<E extends WireEvent>(
  event: E,
  limits: ProviderLimits,
  nowMillis: number,
  oversize: OversizePolicy<E>,
): FitVerdict<E> {
  const window = checkTimeWindow(event.timeMillis, limits, nowMillis);
  if (window !== 'ok') return { ok: false, reason: window };
  if (event.size <= limits.maxEventBytes) return { ok: true, event, truncated: false };
  if (oversize.mode === 'drop') return { ok: false, reason: 'oversize' };
  const cut = oversize.truncate(event, limits.maxEventBytes);
  if (!cut || cut.size > limits.maxEventBytes) return { ok: false, reason: 'oversize' };
  return { ok: true, event: cut, truncated: true };
}

export interface PlannedRequest<E> {
  readonly events: E[];
  /** Request size as the service counts it. */
  readonly bytes: number;
}

export interface Plan<E> {
  readonly requests: PlannedRequest<E>[];
  readonly dropped: Partial<Record<DropReason, number>>;
  readonly truncated: number;
}

/**
 * The pure batch planner: events of one destination + limits + now → requests the service accepts.
 * Events are fitted one by one (window, size), sorted by time (stable) and packed greedily, so every
 * valid event is in exactly one request and every other one is counted by reason.
 */
export function planRequests<E extends WireEvent>(
  events: readonly E[],
  limits: ProviderLimits,
  nowMillis: number,
  oversize: OversizePolicy<E>,
): Plan<E> {
  const dropped: Partial<Record<DropReason, number>> = {};
  let truncated = 0;
  const valid: E[] = [];
  for (const event of events) {
    const verdict = fitEvent(event, limits, nowMillis, oversize);
    if (verdict.ok) {
      valid.push(verdict.event);
      if (verdict.truncated) truncated++;
    } else {
      dropped[verdict.reason] = (dropped[verdict.reason] ?? 0) + 1;
    }
  }
  // Packing in time order keeps each request's span small, so a 24 h rule splits only where it must.
  sortByTime(valid);
  const requests: PlannedRequest<E>[] = [];
  const builder = new BatchBuilder<E>(limits);
  for (const event of valid) {
    if (!builder.fits(event)) {
      const bytes = builder.requestBytes;
      requests.push({ events: builder.take(), bytes });
    }
    builder.add(event);
  }
  if (builder.length > 0) {
    const bytes = builder.requestBytes;
    requests.push({ events: builder.take(), bytes });
  }
  return { requests, dropped, truncated };
}

export interface DestinationPlan<E> {
  readonly destination: Destination;
  readonly requests: PlannedRequest<E>[];
}

export interface MultiDestinationPlan<E> {
  readonly destinations: DestinationPlan<E>[];
  /** Events the planner left out, by reason, over all destinations (`encode` accounts for its own refusals). */
  readonly dropped: Partial<Record<DropReason, number>>;
  readonly truncated: number;
}

/**
 * Entries of any destinations → valid requests per destination: each entry is encoded (`encode` returns undefined
 * for one it refuses, having counted why), grouped by destination, and planned with `planRequests`.
 */
export function planByDestination<E extends WireEvent>(
  entries: readonly LogEntry[],
  encode: (entry: LogEntry) => E | undefined,
  limits: ProviderLimits,
  nowMillis: number,
  oversize: OversizePolicy<E>,
): MultiDestinationPlan<E> {
  const groups = new Map<string, { destination: Destination; events: E[] }>();
  for (const entry of entries) {
    const event = encode(entry);
    if (!event) continue;
    const key = destinationKey(entry.destination);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { destination: entry.destination, events: [] }));
    group.events.push(event);
  }
  const dropped: Partial<Record<DropReason, number>> = {};
  let truncated = 0;
  const destinations: DestinationPlan<E>[] = [];
  for (const { destination, events } of groups.values()) {
    const plan = planRequests(events, limits, nowMillis, oversize);
    truncated += plan.truncated;
    for (const [reason, count] of Object.entries(plan.dropped) as [DropReason, number][]) dropped[reason] = (dropped[reason] ?? 0) + count;
    destinations.push({ destination, requests: plan.requests });
  }
  return { destinations, dropped, truncated };
}
