import { Batcher } from './batcher.ts';
import { emptyEncodedRecord, type EncodedRecord, type RecordCodec } from './codec.ts';
import type { EncodedBatch } from './encoded-batch.ts';
import type { ProviderLimits } from './limits.ts';
import type { DropReason } from './metrics.ts';
import type { Destination, LogEntry } from './model.ts';

export type TimeWindowVerdict = 'ok' | 'too_old' | 'too_new';

/** Whether the service would accept an event at `timeMillis` now, kept `timeWindowMarginMillis` inside both edges. */
export function checkTimeWindow(timeMillis: number, limits: ProviderLimits, nowMillis: number): TimeWindowVerdict {
  const margin = limits.timeWindowMarginMillis;
  if (limits.maxAgeMillis !== undefined && timeMillis < nowMillis - limits.maxAgeMillis + margin) return 'too_old';
  if (limits.maxFutureMillis !== undefined && timeMillis > nowMillis + limits.maxFutureMillis - margin) return 'too_new';
  return 'ok';
}

/** What happens to an event over `maxEventBytes`: cut with a marker, or dropped. */
export type OversizeMode = 'truncate' | 'drop';

/** 'ok', 'truncated' (the record in `out` was cut to fit), or why the record cannot be sent. */
export type FitVerdict = 'ok' | 'truncated' | DropReason;

/**
 * Makes one encoded record valid on its own: inside the time window and no larger than one event may be
 * (re-encoded shorter by the codec when `mode` is 'truncate').
 */
export function fitRecord(codec: RecordCodec, entry: LogEntry, out: EncodedRecord, nowMillis: number, mode: OversizeMode): FitVerdict {
  const limits = codec.limits;
  const window = checkTimeWindow(out.timeMillis, limits, nowMillis);
  if (window !== 'ok') return window;
  if (out.size <= limits.maxEventBytes) return 'ok';
  if (mode === 'drop') return 'oversize';
  if (!codec.truncate(entry, limits.maxEventBytes, out) || out.size > limits.maxEventBytes) return 'oversize';
  return 'truncated';
}

export interface PlannedRequest {
  readonly destination: Destination;
  readonly batch: EncodedBatch;
}

export interface Plan {
  /** Requests the service accepts, in the order they were filled (those of one destination in time order). */
  readonly requests: PlannedRequest[];
  /** Records left out, by reason. */
  readonly dropped: Partial<Record<DropReason, number>>;
  readonly truncated: number;
}

/**
 * The pure batch planner: entries of any destinations + codec + now → requests the service accepts. Each entry is
 * encoded once, fitted (window, size) and packed in time order, so that every valid record is in exactly one
 * request and every other one is counted by reason. `encode` returns false for an entry it refused (and counted).
 */
export function planRequests(
  codec: RecordCodec,
  entries: readonly LogEntry[],
  nowMillis: number,
  mode: OversizeMode,
  encode: (entry: LogEntry, out: EncodedRecord) => boolean,
): Plan {
  const dropped: Partial<Record<DropReason, number>> = {};
  let truncated = 0;
  const requests: PlannedRequest[] = [];
  const batcher = new Batcher(codec, (destination, batch) => requests.push({ destination, batch }), { timeSlots: false });
  // Packing in time order keeps each request's span small, so a 24 h rule splits only where it must.
  const ordered = entries.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.timeMillis - b.entry.timeMillis || a.index - b.index);
  const out = emptyEncodedRecord();
  for (const { entry } of ordered) {
    if (!encode(entry, out)) continue;
    const verdict = fitRecord(codec, entry, out, nowMillis, mode);
    if (verdict === 'truncated') truncated++;
    else if (verdict !== 'ok') {
      dropped[verdict] = (dropped[verdict] ?? 0) + 1;
      continue;
    }
    batcher.add(entry, out, nowMillis);
  }
  batcher.sealAll();
  return { requests, dropped, truncated };
}
