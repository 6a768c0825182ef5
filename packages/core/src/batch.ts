import type { ProviderLimits } from './limits.ts';

/** One record in a provider's wire format, with what the limits need to know about it. */
export interface WireEvent {
  /** Event time in ms since the epoch. */
  readonly timeMillis: number;
  /** Size the service counts for this event, without the per-event overhead (e.g. UTF-8 bytes of the message). */
  readonly size: number;
}

/**
 * A request being filled: tracks bytes (with per-event overhead), count and time span so that
 * `fits()` answers exactly whether one more event keeps the request valid.
 */
export class BatchBuilder<E extends WireEvent> {
  private readonly limits: ProviderLimits;
  private events: E[] = [];
  private bytes = 0;
  private minTime = Infinity;
  private maxTime = -Infinity;

  constructor(limits: ProviderLimits) {
    this.limits = limits;
  }

  get length(): number {
    return this.events.length;
  }

  /** Request bytes as the service counts them. */
  get requestBytes(): number {
    return this.bytes;
  }

  fits(event: E): boolean {
    const limits = this.limits;
    // An empty request takes any valid event, even one over maxRequestBytes on its own (it then travels alone).
    if (this.events.length === 0) return event.size <= limits.maxEventBytes;
    if (this.events.length + 1 > limits.maxEventsPerRequest) return false;
    if (this.bytes + event.size + limits.perEventOverheadBytes > limits.maxRequestBytes) return false;
    if (limits.maxSpanMillis !== undefined) {
      const span = Math.max(this.maxTime, event.timeMillis) - Math.min(this.minTime, event.timeMillis);
      if (span > limits.maxSpanMillis) return false;
    }
    return true;
  }

  add(event: E): void {
    this.events.push(event);
    this.bytes += event.size + this.limits.perEventOverheadBytes;
    if (event.timeMillis < this.minTime) this.minTime = event.timeMillis;
    if (event.timeMillis > this.maxTime) this.maxTime = event.timeMillis;
  }

  /** Returns the events (sorted by time when the provider requires it, stable for equal times) and resets. */
  take(): E[] {
    const events = this.events;
    if (this.limits.chronological) sortByTime(events);
    this.events = [];
    this.bytes = 0;
    this.minTime = Infinity;
    this.maxTime = -Infinity;
    return events;
  }
}

/** Stable in-place sort by event time (Array.prototype.sort is stable). */
export function sortByTime<E extends WireEvent>(events: E[]): E[] {
  return events.sort((a, b) => a.timeMillis - b.timeMillis);
}

/** Bytes of a request as the service counts them. */
export function requestBytes(events: readonly WireEvent[], limits: ProviderLimits): number {
  let bytes = 0;
  for (const event of events) bytes += event.size + limits.perEventOverheadBytes;
  return bytes;
}
