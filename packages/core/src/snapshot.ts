import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { deserialize, serialize } from 'node:v8';
import { toJsonValue, type AnyValue } from './any-value.ts';
import { entryFromFields, internDestination, type LogEntry } from './model.ts';

/** Numbers kept per record: event time (s, ns), observed time (s, ns), resource id, scope id. */
const NUMBERS = 6;
/** Values kept per record: severity text, body, attributes, event name, trace id, span id, severity number, trace flags. */
const VALUES = 8;
const MAX_RECORDS = 1_024;

/**
 * Records snapshotted on the application's thread for a worker thread, in batches: per record 6 numbers in a
 * typed array and 8 values, serialised per chunk with V8's structured-clone serializer (native, and it copies
 * strings as they are instead of transcoding them). Resources and scopes, shared by many records, travel once.
 */
export interface SnapshotChunk {
  readonly records: number;
  readonly numbers: Float64Array<ArrayBuffer>;
  /** `serialize({ values, resources, scopes, entries })`. */
  readonly payload: Uint8Array<ArrayBuffer>;
}

interface Payload {
  readonly values: unknown[];
  readonly resources: Array<[number, Record<string, AnyValue>]>;
  readonly scopes: Array<[number, { name: string; version?: string }]>;
  /** Entries added with `add()` (not from the SDK), whole. */
  readonly entries: LogEntry[];
}

/** Accumulates snapshots on the application's thread until a chunk is taken. */
export class SnapshotWriter {
  private numbers = new Float64Array(MAX_RECORDS * NUMBERS);
  private values: unknown[] = [];
  private entries: LogEntry[] = [];
  private resources: Payload['resources'] = [];
  private scopes: Payload['scopes'] = [];
  private count = 0;
  /** A rough size of what is pending (string lengths), to take a chunk before it grows large. */
  private pendingSize = 0;
  private readonly resourceIds = new WeakMap<object, number>();
  private readonly scopeIds = new WeakMap<object, number>();
  private nextId = 1;
  private lastResource: object | undefined;
  private lastResourceId = 0;
  private lastScope: object | undefined;
  private lastScopeId = 0;

  /** Records (and entries) waiting for the next chunk. */
  get length(): number {
    return this.count + this.entries.length;
  }

  /** Whether the pending records should go now rather than wait for the next tick of the hand-over timer. */
  get full(): boolean {
    return this.count >= MAX_RECORDS || this.pendingSize >= 1_048_576;
  }

  /** Snapshots an SDK record: reads its fields once (getters), keeps references to its body and attributes. */
  addRecord(record: ReadableLogRecord): void {
    const at = this.count * NUMBERS;
    const numbers = this.numbers;
    const time = record.hrTime;
    const observed = record.hrTimeObserved;
    numbers[at] = time[0];
    numbers[at + 1] = time[1];
    numbers[at + 2] = observed[0];
    numbers[at + 3] = observed[1];
    // Severity and trace flags go with the values: any number (NaN included) or none must arrive as it was.
    const span = record.spanContext;
    numbers[at + 4] = this.resourceId(record.resource.attributes as Record<string, AnyValue>);
    numbers[at + 5] = this.scopeId(record.instrumentationScope);
    const body = record.body;
    if (typeof body === 'string') this.pendingSize += body.length;
    this.values.push(record.severityText, body, record.attributes, record.eventName, span?.traceId, span?.spanId, record.severityNumber, span?.traceFlags);
    this.count++;
  }

  /** Keeps an entry that did not come from the SDK (e.g. decoded OTLP/JSON) to send whole. */
  addEntry(entry: LogEntry): void {
    this.entries.push(entry);
  }

  /** The pending records as one chunk (undefined when none), ready to transfer. */
  take(): SnapshotChunk | undefined {
    if (this.length === 0) return undefined;
    const payload: Payload = { values: this.values, resources: this.resources, scopes: this.scopes, entries: this.entries };
    const chunk = { records: this.length, numbers: this.numbers.slice(0, this.count * NUMBERS), payload: serializeSafely(payload) };
    this.values = [];
    this.entries = [];
    this.resources = [];
    this.scopes = [];
    this.count = 0;
    this.pendingSize = 0;
    return chunk;
  }

  private resourceId(attributes: Record<string, AnyValue>): number {
    if (attributes === this.lastResource) return this.lastResourceId;
    let id = this.resourceIds.get(attributes);
    if (id === undefined) {
      id = this.nextId++;
      this.resourceIds.set(attributes, id);
      this.resources.push([id, attributes]);
    }
    this.lastResource = attributes;
    this.lastResourceId = id;
    return id;
  }

  private scopeId(scope: { readonly name: string; readonly version?: string }): number {
    // Loggers are few and each keeps its scope object: the last one seen is almost always the one.
    if (scope === this.lastScope) return this.lastScopeId;
    let id = this.scopeIds.get(scope);
    if (id === undefined) {
      id = this.nextId++;
      this.scopeIds.set(scope, id);
      this.scopes.push([id, scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version }]);
    }
    this.lastScope = scope;
    this.lastScopeId = id;
    return id;
  }
}

/**
 * Serialises a payload; values structured cloning refuses (a function, a symbol) are replaced by their JSON form,
 * which is what every encoder would have written for them anyway.
 */
function serializeSafely(payload: Payload): Uint8Array<ArrayBuffer> {
  try {
    return serialize(payload) as Uint8Array<ArrayBuffer>;
  } catch {
    const values = payload.values.map((value) => {
      try {
        serialize(value);
        return value;
      } catch {
        return toJsonValue(value);
      }
    });
    const entries = payload.entries.map((entry) => {
      try {
        serialize(entry);
        return entry;
      } catch {
        return { ...entry, body: toJsonValue(entry.body), attributes: toJsonValue(entry.attributes) as Record<string, AnyValue> };
      }
    });
    return serialize({ ...payload, values, entries }) as Uint8Array<ArrayBuffer>;
  }
}

/** Reads chunks back into entries on the worker's side; remembers the resources and scopes announced so far. */
export class SnapshotReader {
  private readonly resources = new Map<number, Record<string, AnyValue>>();
  private readonly scopes = new Map<number, { name: string; version?: string }>();

  /** Calls `each` with every entry of the chunk, in emit order (SDK records first, then added entries). */
  read(chunk: SnapshotChunk, defaults: Parameters<typeof entryFromFields>[1], each: (entry: LogEntry) => void): void {
    const payload = deserialize(chunk.payload) as Payload;
    for (const [id, attributes] of payload.resources) this.resources.set(id, attributes);
    for (const [id, scope] of payload.scopes) this.scopes.set(id, scope);
    const { numbers, } = chunk;
    const values = payload.values;
    const records = values.length / VALUES;
    for (let i = 0; i < records; i++) {
      const n = i * NUMBERS;
      const v = i * VALUES;
      each(
        entryFromFields(
          {
            time: [numbers[n]!, numbers[n + 1]!],
            observed: [numbers[n + 2]!, numbers[n + 3]!],
            severityNumber: values[v + 6] as number | undefined,
            severityText: values[v] as string | undefined,
            body: values[v + 1],
            attributes: (values[v + 2] ?? {}) as Record<string, AnyValue>,
            eventName: values[v + 3] as string | undefined,
            traceId: values[v + 4] as string | undefined,
            spanId: values[v + 5] as string | undefined,
            traceFlags: values[v + 7] as number | undefined,
            resource: this.resources.get(numbers[n + 4]!) ?? {},
            scope: this.scopes.get(numbers[n + 5]!),
          },
          defaults,
        ),
      );
    }
    for (const entry of payload.entries) each({ ...entry, destination: internDestination(entry.destination) });
  }
}
