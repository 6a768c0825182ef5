import { statSync, unlink } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fragmentSourceOf, type EncodedRecord, type RecordCodec } from '../codec.ts';
import type { EncodedBatch, RequestFrame } from '../encoded-batch.ts';
import { internDestination, type Destination, type LogEntry } from '../model.ts';
import type { ProblemLevel } from '../problems.ts';
import { listSegments, segmentPath } from './directory.ts';
import { appendAck, appendFrame, appendRecord, FRAME_ENTRY, RECORD_ENTRY, RECORD_ENTRY_OVERHEAD, RECORDS_PER_SEGMENT, segmentOf, sequenceOf, type Entry, type StoredFrame } from './format.ts';
import { recoverSegments, type IndexSet } from './recovery.ts';
import { SegmentReader, type SegmentPosition } from './segment-reader.ts';
import { SegmentWriter } from './segment-writer.ts';
import { FrameIds } from '../frame-ids.ts';

/** The durable spool of `ConstraintAwareBatchProcessor` (plain data: it is copied to a worker thread). */
export interface SpoolOptions {
  /** The spool's directory, used by this processor alone (a lock file says so). Created if missing. */
  readonly directory: string;
  /** Disk bound: bytes of segment files. Default 1 GiB. */
  readonly maxBytes?: number;
  /** `fsync` after each commit, so that a power loss keeps the records too (a killed process keeps them anyway). Default false. */
  readonly fsync?: boolean;
  /** How often appended records are written out (group commit): the most a SIGKILL can lose. Default 200 ms. */
  readonly commitIntervalMillis?: number;
  /** Size at which a new segment file is started. Default 16 MiB. */
  readonly segmentBytes?: number;
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_COMMIT_INTERVAL_MILLIS = 200;
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

const START: SegmentPosition = { offset: 0, entry: 0 };

/** What the spool needs of the queue it serves. */
export interface SpoolSink {
  /** Whether memory has room for records read back from disk. */
  hasRoom(): boolean;
  /** A record read back (left by an earlier run, or spooled while memory was full). */
  replay(stored: StoredFrame, fragment: Buffer, size: number, timeMillis: number, sequence: number): void;
  /** Records that cannot be read back. */
  damaged(count: number, message: string): void;
  problem(level: ProblemLevel, key: string, message: string): void;
}

interface SegmentState {
  readonly segment: number;
  readonly path: string;
  /** This run's segment (being written, or closing after rotation). */
  writer: SegmentWriter | undefined;
  /** An earlier run's segment: the records in it still to send. */
  recovered: IndexSet | undefined;
  /** Size once no longer written. */
  bytes: number;
  /** Records in it whose fate is not settled yet; the segment is deleted at 0 (oldest first). */
  unsettled: number;
  closing: Promise<void> | undefined;
}

interface Cursor {
  segment: number;
  position: SegmentPosition;
  readonly frames: Map<number, StoredFrame>;
}

/**
 * Bytes in a block that get it written before its commit interval is up (without fsync): a 200 ms block at
 * 140,000 records/s was ~13 MB, and copying fragments into it missed the CPU's caches; a kill also loses less.
 */
const EARLY_COMMIT_BYTES = 1024 * 1024;

/**
 * Records on disk until their fate is settled: every accepted record is appended (its wire fragment, encoded
 * once) to a segment file before it counts as queued, with group commit; each finished request appends an ack.
 * A segment is deleted once all its records, and those of every older segment, are settled. Records that do not
 * fit in memory stay on disk only ("backlog") and are read back in order as memory frees up; records left by an
 * earlier run are the first backlog.
 */
export class Spool {
  readonly directory: string;
  private readonly codec: RecordCodec;
  private readonly sink: SpoolSink;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly fsync: boolean;
  private readonly segments = new Map<number, SegmentState>();
  private current: SegmentState;
  private closedBytes = 0;
  private readonly frameIds = new FrameIds(1);
  /** Sequence number of the first record kept on disk only (Infinity: none). */
  private backlogFrom = Infinity;
  private cursor: Cursor | undefined;
  /** Records on disk only, still to be read back. */
  backlogRecords = 0;
  private recovered = false;
  private readonly recovering: Promise<void>;
  private reading: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private writeErrorReported = false;

  constructor(options: SpoolOptions, codec: RecordCodec, sink: SpoolSink) {
    this.directory = options.directory;
    this.codec = codec;
    this.sink = sink;
    this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.fsync = options.fsync === true;
    const existing = listSegments(this.directory);
    for (const segment of existing) {
      const path = segmentPath(this.directory, segment);
      const bytes = statSync(path).size;
      // Not deletable (unsettled unknown) until recovery has read it.
      this.segments.set(segment, { segment, path, writer: undefined, recovered: undefined, bytes, unsettled: Infinity, closing: undefined });
      this.closedBytes += bytes;
    }
    this.current = this.openSegment((existing.at(-1) ?? 0) + 1);
    if (existing.length > 0) {
      this.backlogFrom = 0;
      this.cursor = { segment: existing[0]!, position: START, frames: new Map() };
    }
    this.recovering = this.recover(existing);
    this.timer = setInterval(() => this.tick(), options.commitIntervalMillis ?? DEFAULT_COMMIT_INTERVAL_MILLIS);
    this.timer.unref();
  }

  /** Bytes of segment files (written or about to be). */
  get bytes(): number {
    return this.closedBytes + this.current.writer!.bytes;
  }

  /** Whether a record of `fragmentBytes` fits under the disk bound. */
  hasRoomFor(fragmentBytes: number): boolean {
    return this.bytes + fragmentBytes + RECORD_ENTRY_OVERHEAD <= this.maxBytes;
  }

  /** Whether records are being kept on disk only: new ones must then wait behind them, in order. */
  get backlogging(): boolean {
    return this.backlogFrom !== Infinity;
  }

  /** Appends an accepted record; `diskOnly` when memory has no room for it. Returns its sequence number. */
  append(entry: LogEntry, record: EncodedRecord, diskOnly: boolean): number {
    const writer = this.writerWithRoom();
    const frameId = this.frameIdFor(entry.destination, record.frameKey, entry, undefined, writer);
    return this.appendTo(writer, frameId, record.timeMillis, record.size, fragmentSourceOf(record) ?? record.fragment, record.fragmentBytes, diskOnly);
  }

  /** Appends a record encoded on another thread (`length` bytes of `source` from `start`, with its frame), as `append`. */
  appendStored(stored: StoredFrame, source: Buffer, start: number, length: number, size: number, timeMillis: number, diskOnly: boolean): number {
    const writer = this.writerWithRoom();
    const frameId = this.frameIdFor(stored.destination, stored.frameKey, undefined, stored.frame, writer);
    return this.appendTo(writer, frameId, timeMillis, size, source, length, diskOnly, start);
  }

  private writerWithRoom(): SegmentWriter {
    const writer = this.current.writer!;
    return writer.bytes >= this.segmentBytes || writer.records >= RECORDS_PER_SEGMENT - 1 ? this.rotate() : writer;
  }

  private appendTo(writer: SegmentWriter, frameId: number, timeMillis: number, size: number, fragment: Buffer | string, fragmentBytes: number, diskOnly: boolean, start = 0): number {
    const index = writer.records++;
    const sequence = sequenceOf(this.current.segment, index);
    appendRecord(writer.buffer, frameId, index, timeMillis, size, fragment, fragmentBytes, start);
    // Without fsync a block is also written once it holds EARLY_COMMIT_BYTES, if no write is queued (see there).
    if (!this.fsync && writer.buffer.size >= EARLY_COMMIT_BYTES && writer.idle) this.commit(writer);
    this.current.unsettled++;
    if (diskOnly) {
      if (this.backlogFrom === Infinity) {
        this.backlogFrom = sequence;
        this.cursor = { segment: this.current.segment, position: START, frames: new Map() };
      }
      this.backlogRecords++;
    }
    return sequence;
  }

  /** The fates of a finished request's records are settled (delivered, refused or counted as dropped). */
  settle(batch: EncodedBatch): void {
    if (batch.length > 0) this.acknowledge(batch.sequences());
  }

  /** One record's fate is settled (e.g. read back from disk but out of the time window by now). */
  settleOne(sequence: number): void {
    this.acknowledge(Float64Array.of(sequence));
  }

  /** Memory has freed up: read more of the backlog back. */
  wake(): void {
    if (this.backlogging && this.recovered && !this.reading && !this.closed) {
      this.reading = this.readBacklog().finally(() => (this.reading = undefined));
    }
  }

  /**
   * Resolves once every record appended so far is in the OS (in the files: also the last block of a segment that
   * was just rotated out); rejects when it cannot be written.
   */
  async durable(): Promise<void> {
    const writer = this.current.writer!;
    const closings: Promise<void>[] = [];
    for (const state of this.segments.values()) if (state.closing) closings.push(state.closing);
    await Promise.all([writer.commit(), ...closings]);
    if (writer.error) throw new Error(`the spool cannot be written: ${writer.error.message}`);
  }

  /** Writes out what is left, deletes what is settled; returns how many records stay for the next run. */
  async close(): Promise<number> {
    this.closed = true;
    clearInterval(this.timer);
    await this.recovering.catch(() => undefined);
    await this.reading;
    const closings: Promise<void>[] = [];
    for (const state of this.segments.values()) if (state.writer) closings.push(state.closing ?? state.writer.close());
    await Promise.all(closings);
    let left = 0;
    for (const state of this.segments.values()) left += state.unsettled;
    // With nothing left, the current segment (acks only) goes too.
    if (left === 0) await Promise.all([...this.segments.values()].map((state) => rm(state.path, { force: true })));
    else this.deleteSettled();
    return left;
  }

  /** Counts the records as settled in their segments and appends their ack. */
  private acknowledge(sequences: Float64Array): void {
    let state: SegmentState | undefined;
    for (const sequence of sequences) {
      const segment = segmentOf(sequence);
      if (state?.segment !== segment) state = this.segments.get(segment);
      if (state) state.unsettled--;
    }
    appendAck(this.current.writer!.buffer, sequences);
    this.deleteSettled();
  }

  private tick(): void {
    this.commit(this.current.writer!);
    this.wake();
  }

  private commit(writer: SegmentWriter): void {
    void writer.commit().then(() => this.reportWriteError(writer));
  }

  private reportWriteError(writer: SegmentWriter): void {
    if (!writer.error || this.writeErrorReported) return;
    this.writeErrorReported = true;
    this.sink.problem('error', 'spool_write', `cannot write the spool file ${writer.path}: ${writer.error.message}; records are still sent from memory, but a crash would lose them: free disk space or fix the directory's permissions`);
  }

  private openSegment(segment: number): SegmentState {
    const path = segmentPath(this.directory, segment);
    const state: SegmentState = { segment, path, writer: SegmentWriter.create(segment, path, this.fsync), recovered: undefined, bytes: 0, unsettled: 0, closing: undefined };
    this.segments.set(segment, state);
    return state;
  }

  /** Starts the next segment; the full one is written out and closed in the background. */
  private rotate(): SegmentWriter {
    const full = this.current;
    const writer = full.writer!;
    full.bytes = writer.bytes;
    this.closedBytes += full.bytes;
    full.closing = writer.close().then(() => {
      this.reportWriteError(writer);
      full.writer = undefined;
      full.closing = undefined;
      this.deleteSettled();
    });
    this.current = this.openSegment(full.segment + 1);
    // Every segment defines the frames its records use, so that it can be read on its own.
    this.frameIds.clear();
    return this.current.writer!;
  }

  /** The id of a destination's frame in the current segment, defined there first if new (from `entry` or as given). */
  private frameIdFor(destination: Destination, frameKey: string, entry: LogEntry | undefined, frame: RequestFrame | undefined, writer: SegmentWriter): number {
    const known = this.frameIds.idOf(destination, frameKey);
    if (known >= 0) return known;
    const defined = frame ?? this.codec.frame(destination, entry!);
    const id = this.frameIds.add(destination, frameKey);
    appendFrame(writer.buffer, id, { destination, frameKey, frame: defined });
    return id;
  }

  /** Deletes settled segments, oldest first (a later segment may hold the acks of an older one's records). */
  private deleteSettled(): void {
    for (const state of this.segments.values()) {
      if (state === this.current || state.unsettled > 0 || state.closing) return;
      this.segments.delete(state.segment);
      this.closedBytes -= state.bytes;
      unlink(state.path, () => undefined);
    }
  }

  private async recover(existing: readonly number[]): Promise<void> {
    try {
      if (existing.length === 0) return;
      let left = 0;
      for (const found of await recoverSegments(this.directory, existing)) {
        const state = this.segments.get(found.segment)!;
        state.recovered = found.unsettled;
        state.unsettled = found.unsettledCount;
        left += found.unsettledCount;
        for (const { records, message } of found.damaged) {
          if (records > 0) this.sink.damaged(records, `spool file ${found.path}: ${message}; its ${records} record(s) are skipped`);
          else this.sink.problem('warn', 'spool_damaged', `spool file ${found.path}: ${message}; it held no whole record (acks lost there make records be sent again)`);
        }
      }
      this.backlogRecords += left;
      if (left > 0) this.sink.problem('warn', 'spool_recovered', `${left} log record(s) not delivered by an earlier run are sent first (spool ${this.directory})`);
      this.deleteSettled();
    } catch (error) {
      this.sink.problem('error', 'spool_recover', `cannot read the spool ${this.directory} left by an earlier run: ${(error as Error).message}`);
      for (const state of this.segments.values()) if (state.unsettled === Infinity) state.unsettled = 0;
    } finally {
      this.recovered = true;
      this.wake();
    }
  }

  private async readBacklog(): Promise<void> {
    try {
      while (this.backlogFrom !== Infinity && !this.closed && this.sink.hasRoom()) {
        if (!(await this.readStep())) return;
      }
    } catch (error) {
      this.sink.problem('error', 'spool_read', `cannot read records back from the spool ${this.directory}: ${(error as Error).message}`);
    }
  }

  /** Reads the next piece of the backlog; false once it is all read (the backlog is over). */
  private async readStep(): Promise<boolean> {
    const cursor = this.cursor!;
    const state = this.segments.get(cursor.segment);
    if (!state) return this.advance(cursor);
    if (state.closing) {
      await state.closing;
      return true;
    }
    const live = state === this.current;
    const end = live ? state.writer!.writtenBytes : state.bytes;
    if (cursor.position.offset >= end) {
      if (!live) return this.advance(cursor);
      if (state.writer!.unwrittenBytes > 0) {
        await state.writer!.commit();
        return true;
      }
      // Caught up with everything appended: new records go to memory again.
      this.backlogFrom = Infinity;
      this.cursor = undefined;
      return false;
    }
    const reader = new SegmentReader(state.path, live ? state.writer : undefined);
    // Damage in an earlier run's segment was counted when it was recovered; in this run's, it is new.
    const onDamage = state.recovered ? () => undefined : (records: number, message: string) => this.sink.damaged(records, `spool file ${state.path}: ${message}`);
    cursor.position = await reader.read(cursor.position, end, !live, (entry) => this.onBacklogEntry(state, cursor, entry), onDamage);
    return true;
  }

  private advance(cursor: Cursor): boolean {
    let next: number | undefined;
    for (const segment of this.segments.keys()) {
      if (segment > cursor.segment) {
        next = segment;
        break;
      }
    }
    this.cursor = { segment: next ?? this.current.segment, position: START, frames: new Map() };
    return true;
  }

  private onBacklogEntry(state: SegmentState, cursor: Cursor, entry: Entry): boolean {
    if (entry.type === FRAME_ENTRY) {
      const { destination, frameKey, frame } = entry.stored;
      cursor.frames.set(entry.frameId, { destination: internDestination(destination), frameKey, frame });
      return true;
    }
    if (entry.type !== RECORD_ENTRY) return true;
    const sequence = sequenceOf(state.segment, entry.index);
    if (state.recovered ? !state.recovered.has(entry.index) : sequence < this.backlogFrom) return true;
    state.recovered?.delete(entry.index);
    this.backlogRecords--;
    const stored = cursor.frames.get(entry.frameId);
    if (!stored) {
      this.sink.damaged(1, `spool file ${state.path}: a record refers to a request frame the file does not define`);
      this.settleOne(sequence);
      return true;
    }
    this.sink.replay(stored, entry.fragment, entry.size, entry.timeMillis, sequence);
    return this.sink.hasRoom();
  }
}
