import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, test } from 'vitest';
import { logEntryFromReadableLogRecord, toJsonValue, type LogEntry } from '../src/index.ts';
import { SnapshotReader, SnapshotWriter, type SnapshotChunk } from '../src/snapshot.ts';

/** Emits through a real LoggerProvider and keeps the SDK's records, as the processor receives them. */
function sdkRecords(emit: (logger: ReturnType<LoggerProvider['getLogger']>) => void): ReadableLogRecord[] {
  const records: ReadableLogRecord[] = [];
  const keep: LogRecordProcessor = { onEmit: (record) => void records.push(record), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'snap', log_group_value: 'g' }), processors: [keep] });
  emit(provider.getLogger('scope-a', '1.2.3'));
  return records;
}

/** What the worker's side reads: the chunk copied as postMessage copies it (structured clone, buffers moved). */
function roundTrip(writer: SnapshotWriter, reader: SnapshotReader): LogEntry[] {
  const chunk = writer.take()!;
  const copied = structuredClone(chunk, { transfer: SnapshotWriter.transferList(chunk) }) as SnapshotChunk;
  const entries: LogEntry[] = [];
  reader.read(copied, { logStream: 'default-stream' }, (entry) => entries.push(entry));
  return entries;
}

function expectSameAsInThread(records: readonly ReadableLogRecord[], entries: readonly LogEntry[]): void {
  expect(entries).toHaveLength(records.length);
  records.forEach((record, index) => {
    const inThread = logEntryFromReadableLogRecord(record, { logStream: 'default-stream' });
    const viaWorker = entries[index]!;
    // Values the encoders render through toJsonValue (bytes, bigint, cycles, functions) compare by that rendering;
    // of the scope the encoders read the name and version.
    const scope = inThread.scope && { name: inThread.scope.name, version: inThread.scope.version };
    const rendered = (value: unknown) => JSON.stringify(toJsonValue(value as never));
    expect({ ...viaWorker, body: rendered(viaWorker.body), attributes: rendered(viaWorker.attributes) }).toEqual({
      ...inThread,
      scope,
      body: rendered(inThread.body),
      attributes: rendered(inThread.attributes),
    });
  });
}

describe('record snapshots for the worker thread', () => {
  test('every kind of value arrives as the in-thread path reads it', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { [`level${i}`]: deep };
    const records = sdkRecords((logger) => {
      logger.emit({ body: 'plain line', severityNumber: 9, severityText: 'INFO', attributes: { 'http.route': '/a', log_stream_value: 's-1' } });
      logger.emit({ body: '' });
      logger.emit({ body: '注文を処理しました 📦 \ud800 lone surrogate', attributes: { 'app.locale': 'ja-JP', emoji: '🚚' } });
      logger.emit({ body: { msg: 'structured', nested: { list: [1, 'two', null, true, false, -0, 1.5e300], empty: {} }, holes: [1, , 3] } as never });
      logger.emit({ body: new Uint8Array([0, 1, 254, 255]), attributes: { bytes: new Uint8Array([7]) } as never });
      logger.emit({ body: cyclic as never, attributes: { deep } as never });
      logger.emit({ body: JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as never });
      logger.emit({ body: Object.assign(Object.create(null), { bare: 'null prototype' }) as never });
      logger.emit({ body: { when: new Date(0), big: 12n, fn: () => 1 } as never, severityNumber: Number.NaN, eventName: 'checkout.done' });
      logger.emit({ body: 'x', attributes: { ['k'.repeat(100_000)]: 'huge key', long: 'v'.repeat(70_000) } });
      logger.emit({ body: undefined as never, attributes: {} });
    });
    const writer = new SnapshotWriter();
    for (const record of records) writer.addRecord(record);
    const entries = roundTrip(writer, new SnapshotReader());
    expectSameAsInThread(records, entries);
    expect(Object.getPrototypeOf(entries[6]!.body)).toBe(Object.prototype);
    expect(Object.keys(entries[6]!.body as object)).toEqual(['__proto__', 'ok']);
    expect(entries[8]!.severityNumber).toBeNaN();
    expect(entries[0]!.destination).toEqual({ accountId: '', logGroup: 'g', logStream: 's-1' });
  });

  test('map keys and severity texts cross once; the dictionary starts over on both sides at its bound', () => {
    const writer = new SnapshotWriter();
    const reader = new SnapshotReader();
    // 35,000 distinct keys over many chunks: the dictionary (16,384 words) is reset twice on the way.
    let resets = 0;
    for (let round = 0; round < 70; round++) {
      const records = sdkRecords((logger) => {
        for (let i = 0; i < 500; i++) logger.emit({ body: `r${round}.${i}`, severityText: 'WARN', attributes: { [`key-${round}-${i}`]: i, shared: 'same' } });
      });
      for (const record of records) writer.addRecord(record);
      const chunk = writer.take()!;
      if (chunk.values.resetWords) resets++;
      // Each record's own key; 'shared' and 'WARN' only in the first chunk and after a reset.
      expect(chunk.values.words).toHaveLength(round === 0 || chunk.values.resetWords ? 502 : 500);
      const copied = structuredClone(chunk, { transfer: SnapshotWriter.transferList(chunk) }) as SnapshotChunk;
      const entries: LogEntry[] = [];
      reader.read(copied, { logStream: 'default-stream' }, (entry) => entries.push(entry));
      expectSameAsInThread(records, entries);
    }
    expect(resets).toBe(2);
  });

  test('keys someone added to Object.prototype are not taken for the record’s own', () => {
    const records = sdkRecords((logger) => logger.emit({ body: { own: 1 } as never, attributes: { a: 'b' } }));
    Object.defineProperty(Object.prototype, 'polluted', { value: 'x', enumerable: true, configurable: true, writable: true });
    try {
      const writer = new SnapshotWriter();
      writer.addRecord(records[0]!);
      const [entry] = roundTrip(writer, new SnapshotReader());
      expect(Object.keys(entry!.body as object)).toEqual(['own']);
      expect(Object.keys(entry!.attributes)).toEqual(['a']);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  test('entries added whole come after the chunk’s SDK records', () => {
    const records = sdkRecords((logger) => logger.emit({ body: 'from the sdk' }));
    const writer = new SnapshotWriter();
    writer.addRecord(records[0]!);
    const added = logEntryFromReadableLogRecord(records[0]!, {});
    writer.addEntry({ ...added, body: 'added' });
    const entries = roundTrip(writer, new SnapshotReader());
    expect(entries.map((entry) => entry.body)).toEqual(['from the sdk', 'added']);
  });
});
