import { fragmentSourceOf, type EncodedRecord, type RecordCodec } from './codec.ts';
import type { RequestFrame } from './encoded-batch.ts';
import type { DropReason } from './metrics.ts';
import { FrameIds } from './frame-ids.ts';
import { fitRecord, type OversizeMode } from './planner.ts';
import { internDestination, type Destination, type LogEntry } from './model.ts';
import type { StoredFrame } from './spool/format.ts';

/** Records per chunk at most (a chunk also goes once its fragments reach 1 MiB). */
const MAX_RECORDS = 1_024;
const MAX_BYTES = 1_048_576;
const FIRST_BUFFER_BYTES = 64 * 1024;
/** Both sides forget the frames announced once there are this many (records then name new ones). */
const MAX_FRAMES = 4_096;

/** A request frame as it crosses to the worker: its parts in buffers of their own (see `portable`). */
export interface PortableFrame {
  readonly destination: Destination;
  readonly frameKey: string;
  readonly head: Uint8Array<ArrayBuffer>;
  readonly separator: Uint8Array<ArrayBuffer>;
  readonly tail: Uint8Array<ArrayBuffer>;
  readonly maxRequestBytes: number;
  readonly lengthDelimited: Array<Uint8Array<ArrayBuffer>> | undefined;
}

/**
 * Records the application's thread encoded itself (while the worker lagged behind, see WorkerQueue), for the
 * worker to add to its requests as they are: per record its wire fragment (bytes), the size the service counts,
 * its time, whether it was truncated, and the id of its request frame; frames new to the worker travel once.
 */
export interface EncodedChunk {
  readonly records: number;
  /** The fragments, one after the other (the view's buffer may be longer: it is transferred, not copied). */
  readonly fragments: Uint8Array<ArrayBuffer>;
  /** Per record: end offset of its fragment in `fragments`, frame id, size, time, 1 when truncated. */
  readonly ends: Uint32Array<ArrayBuffer>;
  readonly frameIds: Uint32Array<ArrayBuffer>;
  readonly sizes: Uint32Array<ArrayBuffer>;
  readonly times: Float64Array<ArrayBuffer>;
  readonly truncated: Uint8Array<ArrayBuffer>;
  /** The worker forgets the frames it knows before taking `frames` (so does the writer: its ids go on counting). */
  readonly resetFrames: boolean;
  readonly frames: Array<[number, PortableFrame]>;
  /** A measure of the memory the chunk holds until the worker has read it. */
  readonly bytes: number;
}

/** What encoding a record for the worker needs of the application's exporter (a ConstraintAwareExporter). */
export interface RecordEncoder extends RecordCodec {
  readonly mode: OversizeMode;
  /** Encodes an entry into `out`, counting why it cannot be sent (false). */
  encodeEntry(entry: LogEntry, out: EncodedRecord): boolean;
  recordDrop(reason: DropReason, count: number): void;
}

/** Accumulates encoded records on the application's thread until a chunk is taken. */
export class EncodedChunkWriter {
  private fragments = Buffer.allocUnsafeSlow(FIRST_BUFFER_BYTES);
  private used = 0;
  private ends = new Uint32Array(MAX_RECORDS);
  private frameIds = new Uint32Array(MAX_RECORDS);
  private sizes = new Uint32Array(MAX_RECORDS);
  private times = new Float64Array(MAX_RECORDS);
  private truncated = new Uint8Array(MAX_RECORDS);
  private count = 0;
  private frames: Array<[number, PortableFrame]> = [];
  private resetFrames = false;
  private readonly frameIdTable = new FrameIds();

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= MAX_RECORDS || this.used >= MAX_BYTES;
  }

  /**
   * Encodes and fits an entry as the worker's queue would (drops counted by `exporter`; a truncation is counted by
   * the worker, once the record is queued) and adds it; false when it was dropped. `out` is the caller's scratch.
   */
  encode(exporter: RecordEncoder, entry: LogEntry, out: EncodedRecord): boolean {
    try {
      if (!exporter.encodeEntry(entry, out)) return false;
      const verdict = fitRecord(exporter, entry, out, Date.now(), exporter.mode);
      if (verdict !== 'ok' && verdict !== 'truncated') {
        exporter.recordDrop(verdict, 1);
        return false;
      }
      // The frame first: a codec that cannot make it leaves nothing half-written behind.
      const frameId = this.frameIdFor(entry, out.frameKey, exporter);
      this.add(out, frameId, verdict === 'truncated');
      return true;
    } catch {
      // Logging must never throw into the application (a codec's truncate or frame failing): counted instead.
      exporter.recordDrop('invalid_record', 1);
      return false;
    } finally {
      out.fragment = ''; // do not keep the last record's text alive
    }
  }

  take(): EncodedChunk | undefined {
    const records = this.count;
    if (records === 0) return undefined;
    const chunk: EncodedChunk = {
      records,
      // Transferred whole, not copied; the next chunk gets a fresh buffer of the same size, at most 2 MiB.
      fragments: new Uint8Array(this.fragments.buffer, this.fragments.byteOffset, this.used),
      ends: this.ends.slice(0, records),
      frameIds: this.frameIds.slice(0, records),
      sizes: this.sizes.slice(0, records),
      times: this.times.slice(0, records),
      truncated: this.truncated.slice(0, records),
      resetFrames: this.resetFrames,
      frames: this.frames,
      bytes: this.used + records * 21, // the per-record columns: 4 + 4 + 4 + 8 + 1 bytes
    };
    this.fragments = Buffer.allocUnsafeSlow(Math.min(this.fragments.length, 2 * MAX_BYTES));
    this.count = 0;
    this.used = 0;
    this.frames = [];
    this.resetFrames = this.frameIdTable.size >= MAX_FRAMES;
    if (this.resetFrames) this.frameIdTable.clear();
    return chunk;
  }

  static transferList(chunk: EncodedChunk): ArrayBuffer[] {
    return [chunk.fragments.buffer, chunk.ends.buffer, chunk.frameIds.buffer, chunk.sizes.buffer, chunk.times.buffer, chunk.truncated.buffer];
  }

  private add(record: EncodedRecord, frameId: number, truncated: boolean): void {
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
    this.frameIds[i] = frameId;
    this.sizes[i] = record.size;
    this.times[i] = record.timeMillis;
    this.truncated[i] = truncated ? 1 : 0;
  }

  private frameIdFor(entry: LogEntry, frameKey: string, codec: RecordCodec): number {
    const destination = entry.destination;
    const known = this.frameIdTable.idOf(destination, frameKey);
    if (known >= 0) return known;
    const frame = portable(destination, frameKey, codec.frame(destination, entry));
    const id = this.frameIdTable.add(destination, frameKey);
    this.frames.push([id, frame]);
    return id;
  }
}

/**
 * A frame with each part copied into a buffer of its own: frames are small slices of Node's 64 KiB buffer pool,
 * and a message copies a slice's whole backing buffer (the worker would then keep 64 KiB alive per part).
 */
function portable(destination: Destination, frameKey: string, frame: RequestFrame): PortableFrame {
  return {
    destination,
    frameKey,
    head: new Uint8Array(frame.head),
    separator: new Uint8Array(frame.separator),
    tail: new Uint8Array(frame.tail),
    maxRequestBytes: frame.maxRequestBytes,
    lengthDelimited: frame.lengthDelimited?.map((opening) => new Uint8Array(opening)),
  };
}

/** One record of a chunk, read back: its fragment is `length` bytes of `source` from `start`. */
export type EncodedRecordSink = (stored: StoredFrame, source: Buffer, start: number, length: number, size: number, timeMillis: number, truncated: boolean) => void;

/** Reads encoded chunks on the worker's side; remembers the frames announced so far. */
export class EncodedChunkReader {
  private readonly frames = new Map<number, StoredFrame>();

  /** Calls `each` with every record of the chunk, in order; a chunk naming a frame not announced is refused whole. */
  read(chunk: EncodedChunk, each: EncodedRecordSink): void {
    if (chunk.resetFrames) this.frames.clear();
    for (const [id, frame] of chunk.frames) this.frames.set(id, stored(frame));
    for (let i = 0; i < chunk.records; i++) {
      if (!this.frames.has(chunk.frameIds[i]!)) throw new Error(`unknown request frame ${chunk.frameIds[i]}`);
    }
    const source = Buffer.from(chunk.fragments.buffer, chunk.fragments.byteOffset, chunk.fragments.byteLength);
    let start = 0;
    for (let i = 0; i < chunk.records; i++) {
      const end = chunk.ends[i]!;
      each(this.frames.get(chunk.frameIds[i]!)!, source, start, end - start, chunk.sizes[i]!, chunk.times[i]!, chunk.truncated[i] === 1);
      start = end;
    }
  }
}

/** A frame that crossed over, as the batcher takes it: Buffers, and the destination interned as the worker's own. */
function stored(frame: PortableFrame): StoredFrame {
  const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    destination: internDestination(frame.destination),
    frameKey: frame.frameKey,
    frame: {
      head: buffer(frame.head),
      separator: buffer(frame.separator),
      tail: buffer(frame.tail),
      maxRequestBytes: frame.maxRequestBytes,
      ...(frame.lengthDelimited ? { lengthDelimited: frame.lengthDelimited.map(buffer) } : {}),
    },
  };
}
