/**
 * OTLP model → CreateCustomLogEvents: each record is encoded once into its OTLP/JSON log record (the wire fragment,
 * sized exactly), and requests are its frame around such fragments (see request-frame.ts).
 */
import {
  destinationKey,
  setFragment,
  truncationMarker,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
} from '@otel-cloud-logs/core';
import { destinationProblem } from './config.ts';
import { otlpLogRecordJson, toOtlpLogRecord } from './otlp-json.ts';
import { createCustomLogEventsJson, frameBytes, resourceScopeOf, type ResourceScope } from './request-frame.ts';
import { truncatedRecordJson } from './truncate.ts';

export { truncationMarker };

function writeRecord(entry: LogEntry, fragment: string, group: ResourceScope, out: EncodedRecord): void {
  setFragment(out, fragment);
  // The body holds the fragment as is: its size is exactly what the record adds (plus one separating comma).
  out.size = out.fragmentBytes;
  out.timeMillis = entry.timeMillis;
  out.frameKey = group.frameKey;
}

/**
 * Encodes an entry as its OTLP/JSON log record. A record within the event limit that cannot fit in one request
 * together with its resource and scope is invalid; one over the event limit is left to the planner, which drops
 * it or has it cut (to what fits its request, see `encodeTruncatedServiceWatchRecord`).
 */
export function encodeServiceWatchRecord(entry: LogEntry, limits: Pick<ProviderLimits, 'maxRequestBytes' | 'maxEventBytes'>, out: EncodedRecord): InvalidEvent | undefined {
  const group = resourceScopeOf(entry);
  writeRecord(entry, otlpLogRecordJson(entry), group, out);
  if (out.size > limits.maxEventBytes) return undefined;
  const envelope = frameBytes(entry.destination, group);
  if (envelope + out.size <= limits.maxRequestBytes) return undefined;
  return {
    invalid: 'oversize',
    message: `a ${out.size}-byte log record does not fit in one request with its resource and scope (${envelope} bytes of envelope; limits.maxRequestBytes is ${limits.maxRequestBytes}); shorten the resource attributes or the scope`,
  };
}

/**
 * Encodes an entry cut to at most `maxSize` bytes and to what fits in a request of `maxRequestBytes` with its
 * resource and scope; false when it cannot be cut that far.
 */
export function encodeTruncatedServiceWatchRecord(entry: LogEntry, maxSize: number, maxRequestBytes: number, out: EncodedRecord): boolean {
  const group = resourceScopeOf(entry);
  const room = maxRequestBytes - frameBytes(entry.destination, group);
  const json = truncatedRecordJson(toOtlpLogRecord(entry), Math.min(maxSize, room));
  if (json === undefined) return false;
  writeRecord(entry, json, group, out);
  return true;
}

/**
 * The CreateCustomLogEvents body for entries of one destination (e.g. from `logEntriesFromOtlpJson`), without
 * applying any size limit: one `resourceLogs` per distinct resource and scope, in order of first appearance, each
 * carrying the three routing attributes first. Throws a TypeError when a destination is incomplete or the entries
 * span several.
 */
export function toCreateCustomLogEventsBody(entries: readonly LogEntry[]): string {
  if (entries.length === 0) throw new TypeError('toCreateCustomLogEventsBody: no log entries');
  const destination = entries[0]!.destination;
  const problem = destinationProblem(destination);
  if (problem) throw new TypeError(`toCreateCustomLogEventsBody: ${problem}`);
  const key = destinationKey(destination);
  if (entries.some((entry) => destinationKey(entry.destination) !== key)) {
    throw new TypeError('toCreateCustomLogEventsBody: entries go to several destinations; one request holds one destination (group them first)');
  }
  const groups = new Map<string, { group: ResourceScope; records: string[] }>();
  for (const entry of entries) {
    const group = resourceScopeOf(entry);
    let records = groups.get(group.frameKey)?.records;
    if (!records) groups.set(group.frameKey, { group, records: (records = []) });
    records.push(otlpLogRecordJson(entry));
  }
  return createCustomLogEventsJson(destination, [...groups.values()]);
}
