import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { fromOtlpAnyValue, fromOtlpKeyValues, type AnyValue, type OtlpAnyValue, type OtlpKeyValue } from './any-value.ts';

/** The attributes that say where a record goes (record attribute first, then resource attribute, then default). */
export const ROUTING_ATTRIBUTES = {
  logGroup: 'log_group_value',
  logStream: 'log_stream_value',
  accountId: 'account_id',
} as const;

/** Where a record is delivered. An empty string means "not set": the exporter decides if that is valid. */
export interface Destination {
  readonly logGroup: string;
  readonly logStream: string;
  readonly accountId: string;
}

export type DestinationDefaults = Partial<Destination>;

/**
 * The provider-neutral log entry: a snapshot of one record with everything a provider needs to build
 * its wire format. Built from an SDK `ReadableLogRecord` or from OTLP/JSON `resourceLogs`.
 */
export interface LogEntry {
  /** Event time in nanoseconds since the epoch (falls back to the observed time when the record has none). */
  readonly timeUnixNano: bigint;
  /** Event time in whole milliseconds, the unit of every time-window and span rule. */
  readonly timeMillis: number;
  readonly observedTimeUnixNano?: bigint;
  readonly severityNumber?: number;
  readonly severityText?: string;
  readonly body: AnyValue;
  readonly eventName?: string;
  readonly attributes: Readonly<Record<string, AnyValue>>;
  readonly resource: Readonly<Record<string, AnyValue>>;
  readonly scope?: { readonly name: string; readonly version?: string };
  readonly traceId?: string;
  readonly spanId?: string;
  readonly traceFlags?: number;
  readonly destination: Destination;
}

const NANOS_PER_MILLI = 1_000_000n;

/** A routing attribute's value as text: the record's, else the resource's, else the default ('' when none). */
function routingText(fromRecord: AnyValue, fromResource: AnyValue, fallback: string | undefined): string {
  if (fromRecord !== undefined && fromRecord !== null && fromRecord !== '') return String(fromRecord);
  if (fromResource !== undefined && fromResource !== null && fromResource !== '') return String(fromResource);
  return fallback ?? '';
}

/** Interned destinations: records of one stream share one object, so that grouping them costs no string building. */
const interned = new Map<string, Map<string, Map<string, Destination>>>();
let internedCount = 0;
const MAX_INTERNED = 10_000;

let last: Destination | undefined;
/** The streams of the last account and group looked up: records of one group spread over its streams. */
let lastStreams: Map<string, Destination> | undefined;

function intern(accountId: string, logGroup: string, logStream: string): Destination {
  // Consecutive records mostly go to the same place: one comparison instead of three map lookups.
  if (last !== undefined && last.logStream === logStream && last.logGroup === logGroup && last.accountId === accountId) return last;
  const sameGroup = lastStreams !== undefined && last!.logGroup === logGroup && last!.accountId === accountId;
  last = (sameGroup ? lastStreams!.get(logStream) : undefined) ?? internLookup(accountId, logGroup, logStream);
  return last;
}

function internLookup(accountId: string, logGroup: string, logStream: string): Destination {
  let byGroup = interned.get(accountId);
  if (!byGroup) interned.set(accountId, (byGroup = new Map()));
  let byStream = byGroup.get(logGroup);
  if (!byStream) byGroup.set(logGroup, (byStream = new Map()));
  lastStreams = byStream;
  let destination = byStream.get(logStream);
  if (destination) return destination;
  destination = Object.freeze({ logGroup, logStream, accountId });
  // Bounded: a runaway set of distinct names must not grow the table without end (they are then just not shared).
  if (internedCount >= MAX_INTERNED) {
    interned.clear();
    lastStreams = undefined;
    internedCount = 0;
  } else {
    byStream.set(logStream, destination);
    internedCount++;
  }
  return destination;
}

/** The shared object for a destination equal to `destination` (e.g. one that was copied to a worker thread). */
export function internDestination(destination: Destination): Destination {
  return intern(destination.accountId, destination.logGroup, destination.logStream);
}

/** Resolves a record's destination: record attribute, then resource attribute, then the configured default. */
export function resolveDestination(
  attributes: Readonly<Record<string, AnyValue>>,
  resource: Readonly<Record<string, AnyValue>>,
  defaults: DestinationDefaults = {},
): Destination {
  // Each key is read at its own site: one helper indexed by key made every read megamorphic (~2.5× slower).
  return intern(
    routingText(attributes[ROUTING_ATTRIBUTES.accountId], resource[ROUTING_ATTRIBUTES.accountId], defaults.accountId),
    routingText(attributes[ROUTING_ATTRIBUTES.logGroup], resource[ROUTING_ATTRIBUTES.logGroup], defaults.logGroup),
    routingText(attributes[ROUTING_ATTRIBUTES.logStream], resource[ROUTING_ATTRIBUTES.logStream], defaults.logStream),
  );
}

const keys = new WeakMap<Destination, string>();

/** A stable map key for a destination (cached per destination object). */
export function destinationKey(destination: Destination): string {
  let key = keys.get(destination);
  if (key === undefined) {
    key = `${destination.accountId}\u0000${destination.logGroup}\u0000${destination.logStream}`;
    keys.set(destination, key);
  }
  return key;
}

let lastSeconds = Number.NaN;
let lastSecondsAsNanos = 0n;

/** 0n (not set) for a missing or unusable time: an app passing `timestamp: NaN` must not make logging throw. */
function hrTimeToNanos(time: readonly [number, number] | undefined): bigint {
  if (!time || !Number.isSafeInteger(time[0]) || !Number.isSafeInteger(time[1])) return 0n;
  // Records of one second share their seconds part: one bigint multiplication per second, not per record.
  if (time[0] !== lastSeconds) {
    lastSeconds = time[0];
    lastSecondsAsNanos = BigInt(time[0]) * 1_000_000_000n;
  }
  return lastSecondsAsNanos + BigInt(time[1]);
}

/** Whole milliseconds of a time in nanoseconds (no bigint division when the hrtime is at hand). */
function nanosToMillis(nanos: bigint, time: readonly [number, number] | undefined): number {
  if (nanos === 0n) return 0;
  if (time && Number.isSafeInteger(time[0]) && Number.isSafeInteger(time[1]) && time[0] >= 0 && time[1] >= 0 && time[1] < 1_000_000_000) return time[0] * 1000 + Math.floor(time[1] / 1_000_000);
  return Number(nanos / NANOS_PER_MILLI);
}

/** The fields of a record as read from the SDK (or from its snapshot in a worker thread). */
export interface RecordFields {
  readonly time: readonly [number, number] | undefined;
  readonly observed: readonly [number, number] | undefined;
  readonly severityNumber: number | undefined;
  readonly severityText: string | undefined;
  readonly body: AnyValue;
  readonly eventName: string | undefined;
  readonly attributes: Readonly<Record<string, AnyValue>>;
  readonly resource: Readonly<Record<string, AnyValue>>;
  readonly scope: { readonly name: string; readonly version?: string } | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly traceFlags: number | undefined;
}

/** An entry from a record's fields, with its destination resolved (a record snapshotted for a worker thread). */
export function entryFromFields(fields: RecordFields, defaults?: DestinationDefaults): LogEntry {
  let timeUnixNano = hrTimeToNanos(fields.time);
  const observedTimeUnixNano = hrTimeToNanos(fields.observed);
  // As for an SDK record read in-thread: the milliseconds from the hrtime, without a bigint division.
  const timeMillis = timeUnixNano === 0n ? nanosToMillis((timeUnixNano = observedTimeUnixNano), fields.observed) : nanosToMillis(timeUnixNano, fields.time);
  return {
    timeUnixNano,
    timeMillis,
    observedTimeUnixNano,
    severityNumber: fields.severityNumber,
    severityText: fields.severityText,
    body: fields.body,
    eventName: fields.eventName,
    attributes: fields.attributes,
    resource: fields.resource,
    scope: fields.scope,
    traceId: fields.traceId,
    spanId: fields.spanId,
    traceFlags: fields.traceFlags,
    destination: resolveDestination(fields.attributes, fields.resource, defaults),
  };
}

/** Snapshots an SDK record (class instances with getters: fields are read one by one, never spread). */
export function logEntryFromReadableLogRecord(record: ReadableLogRecord, defaults?: DestinationDefaults): LogEntry {
  // Built directly, not through entryFromFields: this runs on the application's thread for every record.
  const resource = record.resource.attributes as Record<string, AnyValue>;
  const attributes = record.attributes as Record<string, AnyValue>;
  const time = record.hrTime;
  const observed = record.hrTimeObserved;
  let timeUnixNano = hrTimeToNanos(time);
  const observedTimeUnixNano = hrTimeToNanos(observed);
  const timeMillis = timeUnixNano === 0n ? nanosToMillis((timeUnixNano = observedTimeUnixNano), observed) : nanosToMillis(timeUnixNano, time);
  const spanContext = record.spanContext;
  return {
    timeUnixNano,
    timeMillis,
    observedTimeUnixNano,
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: record.body,
    eventName: record.eventName,
    attributes,
    resource,
    scope: record.instrumentationScope,
    traceId: spanContext?.traceId,
    spanId: spanContext?.spanId,
    traceFlags: spanContext?.traceFlags,
    destination: resolveDestination(attributes, resource, defaults),
  };
}

/** OTLP/JSON logs request body (`ExportLogsServiceRequest`), as sent to `/v1/logs` or to ServiceWatch. */
export interface OtlpLogsRequest {
  resourceLogs?: OtlpResourceLogs[];
}

export interface OtlpResourceLogs {
  resource?: { attributes?: OtlpKeyValue[]; droppedAttributesCount?: number };
  scopeLogs?: OtlpScopeLogs[];
  schemaUrl?: string;
}

export interface OtlpScopeLogs {
  scope?: { name?: string; version?: string; attributes?: OtlpKeyValue[] };
  logRecords?: OtlpLogRecord[];
  schemaUrl?: string;
}

export interface OtlpLogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
}

function parseNanos(value: string | number | undefined, path: string): bigint {
  if (value === undefined || value === '' || value === 0 || value === '0') return 0n;
  try {
    return BigInt(value);
  } catch {
    throw new TypeError(`${path} must be an integer number of nanoseconds as a string, got ${JSON.stringify(value)}`);
  }
}

/** Runs a decoder and names the path of the value it could not decode (e.g. an `intValue` that is not a number). */
function decodeAt<T>(path: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw new TypeError(`${path}: ${(error as Error).message}`);
  }
}

/**
 * Converts OTLP/JSON `resourceLogs` into entries. Throws a `TypeError` naming the path of the first malformed
 * field (a non-numeric `timeUnixNano`, a `resourceLogs` that is not an array).
 */
export function logEntriesFromOtlpJson(request: OtlpLogsRequest, defaults?: DestinationDefaults): LogEntry[] {
  const entries: LogEntry[] = [];
  if (request.resourceLogs !== undefined && !Array.isArray(request.resourceLogs)) {
    throw new TypeError('resourceLogs must be an array');
  }
  (request.resourceLogs ?? []).forEach((resourceLogs, r) => {
    const resource = decodeAt(`resourceLogs[${r}].resource.attributes`, () => fromOtlpKeyValues(resourceLogs.resource?.attributes));
    (resourceLogs.scopeLogs ?? []).forEach((scopeLogs, s) => {
      const scope = scopeLogs.scope?.name !== undefined ? { name: scopeLogs.scope.name, version: scopeLogs.scope.version } : undefined;
      (scopeLogs.logRecords ?? []).forEach((record, l) => {
        const path = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${l}]`;
        const attributes = decodeAt(`${path}.attributes`, () => fromOtlpKeyValues(record.attributes));
        const observedTimeUnixNano = parseNanos(record.observedTimeUnixNano, `${path}.observedTimeUnixNano`);
        let timeUnixNano = parseNanos(record.timeUnixNano, `${path}.timeUnixNano`);
        if (timeUnixNano === 0n) timeUnixNano = observedTimeUnixNano;
        entries.push({
          timeUnixNano,
          timeMillis: Number(timeUnixNano / NANOS_PER_MILLI),
          observedTimeUnixNano,
          severityNumber: record.severityNumber,
          severityText: record.severityText,
          body: decodeAt(`${path}.body`, () => fromOtlpAnyValue(record.body)),
          eventName: record.eventName,
          attributes,
          resource,
          scope,
          traceId: record.traceId || undefined,
          spanId: record.spanId || undefined,
          traceFlags: record.flags,
          destination: resolveDestination(attributes, resource, defaults),
        });
      });
    });
  });
  return entries;
}
