import type { SendOutcome } from '@otel-cloud-logs/core';
import type { MemoryExporter } from './memory-exporter.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
export function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/**
 * A service that answers at random: accepted, accepted with some events refused, partly accepted, throttled
 * (with Retry-After), 5xx, or a permanent failure. Accepted events are kept, so arrivals can be checked.
 */
export function randomService(exporter: MemoryExporter, random: () => number): void {
  const acceptedShare = 0.1 + random() * 0.5; // from a service in trouble to a healthy one
  exporter.behaviour = (destination, events): SendOutcome | undefined => {
    if (random() < acceptedShare) return undefined; // accepted whole, after the exporter's own validity check
    const r = random();
    if (r < 0.15) {
      const refused = Math.floor(random() * (events.length + 1));
      exporter.requests.push({ destination, events: events.slice(refused) });
      return { status: 'accepted', rejected: [{ reason: 'too_old', count: refused }] };
    }
    if (r < 0.35 && events.length > 1) {
      const accepted = 1 + Math.floor(random() * (events.length - 1));
      exporter.requests.push({ destination, events: events.slice(0, accepted) });
      return { status: 'retry', error: new Error('partly accepted'), remaining: events.slice(accepted).map((_, i) => i + accepted) };
    }
    if (r < 0.6) return { status: 'retry', error: new Error('ThrottlingException'), throttled: true, retryAfterMillis: Math.floor(random() * 15) };
    if (r < 0.92) return { status: 'retry', error: new Error('HTTP 503') };
    return { status: 'failed', error: new Error('InvalidParameterException'), reason: 'InvalidParameterException' };
  };
}

