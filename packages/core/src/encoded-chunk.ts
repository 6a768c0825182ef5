import { fragmentSourceOf, type EncodedRecord, type RecordCodec } from './codec.ts';
import type { DropReason } from './metrics.ts';
import { FrameIds } from './frame-ids.ts';
import { fitRecord, type OversizeMode } from './planner.ts';
import { internDestination, type LogEntry } from './model.ts';
import type { StoredFrame } from './spool/format.ts';

/** Records per chunk at most (a chunk also goes once its fragments reach 1 MiB). */
const MAX_RECORDS = 1_024;
const MAX_BYTES = 1_048_576;
/** Both sides forget the frames announced once there are this many (records then name new ones). */
const MAX_FRAMES = 4_096;

/**
 * Records the application's thread encoded itself (while the worker lagged behind, see WorkerQueue), for the
 * worker to add to its requests as they are: per record its wire fragment (bytes), the size the service counts,
 * its time and the id of its request frame; frames new to the worker travel once.
 */
export interface EncodedChunk {
  readonly records: number;
  readonly fragments: Uint8Array<ArrayBuffer>;
  /** Per record: end offset of its fragment in `fragments`, frame id, size; and time. */
  readonly ends: Uint32Array<ArrayBuffer>;
  readonly frameIds: Uint32Array<ArrayBuffer>;
  readonly sizes: Uint32Array<ArrayBuffer>;
  readonly times: Float64Array<ArrayBuffer>;
  /** The worker forgets the frames it knows before taking `frames` (so does the writer: its ids go on counting). */
  readonly resetFrames: boolean;
  readonly frames: Array<[number, StoredFrame]>;
  /** A measure of the memory the chunk holds until the worker has read it. */
  readonly bytes: number;
}

/** What encoding a record for the worker needs of the application's exporter (a ConstraintAwareExporter). */
export interface RecordEncoder extends RecordCodec {
  readonly mode: OversizeMode;
  /** Encodes an entry into `out`, counting why it cannot be sent (false). */
  encodeEntry(entry: LogEntry, out: EncodedRecord): boolean;
  recordDrop(reason: DropReason, count: number): void;
  recordTruncated(count: number): void;
}

/** Accumulates encoded records on the application's thread until a chunk is taken. */
export class EncodedChunkWriter {
  private fragments = Buffer.allocUnsafeSlow(64 * 1024);
  private used = 0;
  private ends = new Uint32Array(MAX_RECORDS);
  private frameIds = new Uint32Array(MAX_RECORDS);
  private sizes = new Uint32Array(MAX_RECORDS);
  private times = new Float64Array(MAX_RECORDS);
  private count = 0;
  private frames: Array<[number, StoredFrame]> = [];
  private resetFrames = false;
  private readonly frameIdTable = new FrameIds();

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= MAX_RECORDS || this.used >= MAX_BYTES;
  }

  /**
   * Encodes and fits an entry as the worker's queue would (drops and truncations counted by `exporter`) and adds
   * it; false when it was dropped. `out` is the caller's scratch record.
   */
  encode(exporter: RecordEncoder, entry: LogEntry, out: EncodedRecord): boolean {
    try {
      if (!exporter.encodeEntry(entry, out)) return false;
      const verdict = fitRecord(exporter, entry, out, Date.now(), exporter.mode);
      if (verdict !== 'ok' && verdict !== 'truncated') {
        exporter.recordDrop(verdict, 1);
        return false;
      }
      this.add(entry, out, exporter);
      if (verdict === 'truncated') exporter.recordTruncated(1);
      return true;
    } finally {
      out.fragment = ''; // do not keep the last record's text alive
    }
  }

  /** Adds an encoded record; the codec's frame is asked for only for a destination and frame key new to the worker. */
  private add(entry: LogEntry, record: EncodedRecord, codec: RecordCodec): void {
    const length = record.fragmentBytes;
    if (this.used + length > this.fragments.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.used + length, this.fragments.length * 2));
      this.fragments.copy(grown, 0, 0, this.used);
      this.fragments = grown;
    }
    const source = fragmentSourceOf(record);
    this.used += source ? source.copy(this.fragments, this.used, 0, length) : this.fragments.write(record.fragment, this.used, length, 'utf8');
    const i = this.count++;
    this.ends[i] = this.used;
    this.frameIds[i] = this.frameIdFor(entry, record.frameKey, codec);
    this.sizes[i] = record.size;
    this.times[i] = record.timeMillis;
  }

  take(): EncodedChunk | undefined {
    const records = this.count;
    if (records === 0) return undefined;
    const chunk: EncodedChunk = {
      records,
      fragments: new Uint8Array(this.fragments.subarray(0, this.used)),
      ends: this.ends.slice(0, records),
      frameIds: this.frameIds.slice(0, records),
      sizes: this.sizes.slice(0, records),
      times: this.times.slice(0, records),
      resetFrames: this.resetFrames,
      frames: this.frames,
      bytes: this.used + records * 20,
    };
    this.count = 0;
    this.used = 0;
    this.frames = [];
    this.resetFrames = this.frameIdTable.size >= MAX_FRAMES;
    if (this.resetFrames) this.frameIdTable.clear();
    return chunk;
  }

  static transferList(chunk: EncodedChunk): ArrayBuffer[] {
    return [chunk.fragments.buffer, chunk.ends.buffer, chunk.frameIds.buffer, chunk.sizes.buffer, chunk.times.buffer];
  }

  private frameIdFor(entry: LogEntry, frameKey: string, codec: RecordCodec): number {
    const destination = entry.destination;
    const id = this.frameIdTable.idFor(destination, frameKey);
    if (this.frameIdTable.added) this.frames.push([id, { destination, frameKey, frame: codec.frame(destination, entry) }]);
    return id;
  }

}

/** Reads encoded chunks on the worker's side; remembers the frames announced so far. */
export class EncodedChunkReader {
  private readonly frames = new Map<number, StoredFrame>();

  /** Calls `each` with every record of the chunk, in order: its fragment is `length` bytes of `source` from `start`. */
  read(chunk: EncodedChunk, each: (stored: StoredFrame, source: Buffer, start: number, length: number, size: number, timeMillis: number) => void): void {
    if (chunk.resetFrames) this.frames.clear();
    for (const [id, stored] of chunk.frames) this.frames.set(id, rebuildFrame(stored));
    const source = Buffer.from(chunk.fragments.buffer, chunk.fragments.byteOffset, chunk.fragments.byteLength);
    let start = 0;
    for (let i = 0; i < chunk.records; i++) {
      const end = chunk.ends[i]!;
      const stored = this.frames.get(chunk.frameIds[i]!);
      if (!stored) throw new Error(`unknown request frame ${chunk.frameIds[i]}`);
      each(stored, source, start, end - start, chunk.sizes[i]!, chunk.times[i]!);
      start = end;
    }
  }
}

/** Structured cloning turns Buffers into plain Uint8Arrays and objects into copies: back to what the batcher expects. */
function rebuildFrame(stored: StoredFrame): StoredFrame {
  const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { frame } = stored;
  return {
    destination: internDestination(stored.destination),
    frameKey: stored.frameKey,
    frame: {
      head: buffer(frame.head),
      separator: buffer(frame.separator),
      tail: buffer(frame.tail),
      maxRequestBytes: frame.maxRequestBytes,
      ...(frame.lengthDelimited ? { lengthDelimited: frame.lengthDelimited.map(buffer) } : {}),
    },
  };
}
