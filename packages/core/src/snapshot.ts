import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { deserialize, serialize } from 'node:v8';
import { toJsonValue, type AnyValue } from './any-value.ts';
import { ValueReader, ValueWriter, type ValueColumns } from './snapshot-values.ts';
import { entryFromFields, internDestination, type LogEntry } from './model.ts';

/** Records per chunk at most (a chunk also goes once its strings reach 1 Mi code units). */
const MAX_RECORDS = 1_024;

/**
 * Records snapshotted on the application's thread for a worker thread, in batches: per record six numbers and
 * eight values (severity text, body, attributes, event name, trace id, span id, severity number, trace flags) in
 * flat columns (see snapshot-values); resources and scopes, shared by many records, travel once, and with values
 * that are not plain data and entries added whole, through V8's serializer.
 */
export interface SnapshotChunk {
  readonly records: number;
  readonly values: ValueColumns;
  /** `serialize({ others, resources, scopes, entries })`, when any of them is not empty. */
  readonly payload: Uint8Array<ArrayBuffer> | undefined;
  /** A measure of the memory the chunk holds until the worker has read it. */
  readonly bytes: number;
}

interface Payload {
  readonly others: unknown[];
  readonly resources: Array<[number, Record<string, AnyValue>]>;
  readonly scopes: Array<[number, { name: string; version?: string }]>;
  /** Entries added with `add()` (not from the SDK), whole. */
  readonly entries: LogEntry[];
}

/** Accumulates snapshots on the application's thread until a chunk is taken. */
export class SnapshotWriter {
  private readonly values = new ValueWriter();
  private entries: LogEntry[] = [];
  private resources: Payload['resources'] = [];
  private scopes: Payload['scopes'] = [];
  private count = 0;
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
    return this.count >= MAX_RECORDS || this.values.stringUnits >= 1_048_576;
  }

  /** Snapshots an SDK record: reads its fields once (getters) and writes them into the chunk's columns. */
  addRecord(record: ReadableLogRecord): void {
    const values = this.values;
    const time = record.hrTime;
    const observed = record.hrTimeObserved;
    values.number(time[0]);
    values.number(time[1]);
    values.number(observed[0]);
    values.number(observed[1]);
    values.number(this.resourceId(record.resource.attributes as Record<string, AnyValue>));
    values.number(this.scopeId(record.instrumentationScope));
    // Severity and trace flags are values too: any number (NaN included) or none must arrive as it was.
    const span = record.spanContext;
    values.value(record.severityText, true);
    values.value(record.body, false);
    values.value(record.attributes, false);
    values.value(record.eventName, true);
    values.value(span?.traceId, false);
    values.value(span?.spanId, false);
    values.value(record.severityNumber, false);
    values.value(span?.traceFlags, false);
    this.count++;
  }

  /** Keeps an entry that did not come from the SDK (e.g. decoded OTLP/JSON) to send whole. */
  addEntry(entry: LogEntry): void {
    this.entries.push(entry);
  }

  /** The pending records as one chunk (undefined when none), ready to transfer. */
  take(): SnapshotChunk | undefined {
    if (this.length === 0) return undefined;
    const units = this.values.stringUnits;
    const values = this.values.take();
    const payload: Payload = { others: values.others, resources: this.resources, scopes: this.scopes, entries: this.entries };
    const serialized = payload.others.length + payload.resources.length + payload.scopes.length + payload.entries.length === 0 ? undefined : serializeSafely(payload);
    const bytes = values.tags.byteLength + values.counts.byteLength + values.numbers.byteLength + 2 * units + (serialized?.byteLength ?? 0);
    const chunk: SnapshotChunk = { records: this.length, values: { ...values, others: [] }, payload: serialized, bytes };
    this.entries = [];
    this.resources = [];
    this.scopes = [];
    this.count = 0;
    return chunk;
  }

  /** The buffers a chunk's message transfers instead of copying. */
  static transferList(chunk: SnapshotChunk): ArrayBuffer[] {
    const { tags, counts, numbers } = chunk.values;
    const list = [tags.buffer, counts.buffer, numbers.buffer];
    if (chunk.payload) list.push(chunk.payload.buffer);
    return list;
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
    const others = payload.others.map((value) => (cloneable(value) ? value : toJsonValue(value)));
    const entries = payload.entries.map((entry) =>
      cloneable(entry) ? entry : { ...entry, body: toJsonValue(entry.body), attributes: toJsonValue(entry.attributes) as Record<string, AnyValue> },
    );
    return serialize({ ...payload, others, entries }) as Uint8Array<ArrayBuffer>;
  }
}

function cloneable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

const EMPTY_PAYLOAD: Payload = { others: [], resources: [], scopes: [], entries: [] };

/** Reads chunks back into entries on the worker's side; remembers the resources, scopes and words announced so far. */
export class SnapshotReader {
  private readonly resources = new Map<number, Record<string, AnyValue>>();
  private readonly scopes = new Map<number, { name: string; version?: string }>();
  private readonly values = new ValueReader();

  /** Calls `each` with every entry of the chunk, in emit order (SDK records first, then added entries). */
  read(chunk: SnapshotChunk, defaults: Parameters<typeof entryFromFields>[1], each: (entry: LogEntry) => void): void {
    const payload = chunk.payload ? (deserialize(chunk.payload) as Payload) : EMPTY_PAYLOAD;
    for (const [id, attributes] of payload.resources) this.resources.set(id, attributes);
    for (const [id, scope] of payload.scopes) this.scopes.set(id, scope);
    const values = this.values;
    values.begin(chunk.values, payload.others);
    const records = chunk.records - payload.entries.length;
    for (let i = 0; i < records; i++) {
      const time: [number, number] = [values.number(), values.number()];
      const observed: [number, number] = [values.number(), values.number()];
      const resource = this.resources.get(values.number()) ?? {};
      const scope = this.scopes.get(values.number());
      const severityText = values.value() as string | undefined;
      const body = values.value();
      const attributes = (values.value() ?? {}) as Record<string, AnyValue>;
      const eventName = values.value() as string | undefined;
      const traceId = values.value() as string | undefined;
      const spanId = values.value() as string | undefined;
      const severityNumber = values.value() as number | undefined;
      const traceFlags = values.value() as number | undefined;
      each(
        entryFromFields(
          { time, observed, severityNumber, severityText, body, attributes, eventName, traceId, spanId, traceFlags, resource, scope },
          defaults,
        ),
      );
    }
    for (const entry of payload.entries) each({ ...entry, destination: internDestination(entry.destination) });
  }
}
