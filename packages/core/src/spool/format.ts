import { crc32 } from 'node:zlib';
import type { RequestFrame } from '../encoded-batch.ts';
import type { Destination } from '../model.ts';
import { writeVarint } from '../varint.ts';

/**
 * The spool's segment files are a sequence of blocks, one per group commit: `[u32 length][u32 CRC-32][entries]`,
 * little-endian; a block is checksummed as it fills, 64 KiB at a time, not once per record (a CRC call per record
 * would cost more than the rest of spooling it) nor all at once when it is written out (a long turn of the event
 * loop at every commit). Each entry is `[u32 payload length][payload]`, the payload's
 * first byte saying what it is:
 * - a frame: the request frame (head, separator, tail, budget, length-prefixed openings if any) and destination
 *   that later records refer to by id; written into a segment before its first record that uses it, so every
 *   segment can be read on its own;
 * - a record: its frame id, its index in the segment, time, service-counted size and wire fragment (the bytes
 *   that go into the request body, encoded once);
 * - an ack: the sequence numbers of records whose fate is settled (delivered, refused or counted as dropped).
 * A kill mid-write leaves a torn last block: it is shorter than its length says, so it is detected and skipped (a
 * block whose checksum does not match, too).
 */
export const BLOCK_HEADER_BYTES = 8;
const ENTRY_HEADER_BYTES = 4;
/** Appended bytes checksummed at a time (~15 µs of CRC-32 each). */
const CHECKSUM_STEP_BYTES = 64 * 1024;
/** A block buffer larger than this shrinks back to SHRUNK_BYTES after this many small blocks in a row. */
const SHRINK_ABOVE_BYTES = 4 * 1024 * 1024;
const SMALL_BLOCKS_BEFORE_SHRINKING = 8;
const SHRUNK_BYTES = 1024 * 1024;
export const FRAME_ENTRY = 1;
export const RECORD_ENTRY = 2;
export const ACK_ENTRY = 3;
/** Record entry bytes besides the fragment: header, type, frame id, index, time, size. */
export const RECORD_ENTRY_OVERHEAD = ENTRY_HEADER_BYTES + 1 + 4 + 4 + 8 + 4;

/** A record's sequence number: its segment's number and its index in the segment (< 2^24), exact in a double. */
export const RECORDS_PER_SEGMENT = 1 << 24;

export function sequenceOf(segment: number, index: number): number {
  return segment * RECORDS_PER_SEGMENT + index;
}

export function segmentOf(sequence: number): number {
  return Math.floor(sequence / RECORDS_PER_SEGMENT);
}

/** A frame as stored: what a replayed record needs to rejoin a request. */
export interface StoredFrame {
  readonly destination: Destination;
  readonly frameKey: string;
  readonly frame: RequestFrame;
}

/** The block being filled: entries appended after room for the block header, which `sealBlock` writes. */
export class EntryBuffer {
  bytes: Buffer;
  length = BLOCK_HEADER_BYTES;
  /** CRC-32 of the entries' bytes up to `checkedUpTo`. */
  private checksum = 0;
  private checkedUpTo = BLOCK_HEADER_BYTES;
  /** Blocks in a row that used less than a quarter of a buffer larger than SHRINK_ABOVE_BYTES. */
  private smallBlocks = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(capacity, BLOCK_HEADER_BYTES));
  }

  /** Bytes the block takes in the file (0 while it holds no entry). */
  get size(): number {
    return this.length === BLOCK_HEADER_BYTES ? 0 : this.length;
  }

  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  /** Writes the length of the entry that started at `start` (its header bytes reserved there). */
  seal(start: number): void {
    this.bytes.writeUInt32LE(this.length - start - ENTRY_HEADER_BYTES, start);
    // Entries are complete and never change once sealed: checksum them in steps as the block fills.
    if (this.length - this.checkedUpTo >= CHECKSUM_STEP_BYTES) this.advanceChecksum();
  }

  /** Writes the block header; returns the block's bytes (valid until `clear`). */
  sealBlock(): Buffer {
    this.advanceChecksum();
    this.bytes.writeUInt32LE(this.length - BLOCK_HEADER_BYTES, 0);
    this.bytes.writeUInt32LE(this.checksum, 4);
    return this.bytes.subarray(0, this.length);
  }

  private advanceChecksum(): void {
    this.checksum = crc32(this.bytes.subarray(this.checkedUpTo, this.length), this.checksum);
    this.checkedUpTo = this.length;
  }

  /**
   * Empties the buffer. One grown by a burst shrinks back once blocks have stayed small for a while; one that
   * blocks keep filling stays as it is: shrunk after a block and grown again by doubling in the next, it made
   * megabytes of garbage buffers per commit, whose external memory V8 answers with full garbage collections.
   */
  clear(): void {
    const used = this.length;
    this.length = BLOCK_HEADER_BYTES;
    this.checksum = 0;
    this.checkedUpTo = BLOCK_HEADER_BYTES;
    if (this.bytes.length <= SHRINK_ABOVE_BYTES || used >= this.bytes.length / 4) this.smallBlocks = 0;
    else if (++this.smallBlocks >= SMALL_BLOCKS_BEFORE_SHRINKING) {
      this.bytes = Buffer.allocUnsafeSlow(SHRUNK_BYTES);
      this.smallBlocks = 0;
    }
  }
}

function writeBytes(out: EntryBuffer, bytes: Uint8Array): void {
  out.length = out.bytes.writeUInt32LE(bytes.length, out.length);
  out.bytes.set(bytes, out.length);
  out.length += bytes.length;
}

function writeString(out: EntryBuffer, text: string): void {
  writeBytes(out, Buffer.from(text, 'utf8'));
}

export function appendFrame(out: EntryBuffer, frameId: number, stored: StoredFrame): void {
  const { destination, frameKey, frame } = stored;
  const strings = destination.accountId.length + destination.logGroup.length + destination.logStream.length + frameKey.length;
  const openings = frame.lengthDelimited ?? [];
  let openingBytes = 0;
  for (const opening of openings) openingBytes += 4 + opening.length;
  out.reserve(ENTRY_HEADER_BYTES + 1 + 8 + 7 * 4 + strings * 3 + frame.head.length + frame.separator.length + frame.tail.length + 1 + openingBytes);
  const start = out.length;
  out.length += ENTRY_HEADER_BYTES;
  out.length = out.bytes.writeUInt8(FRAME_ENTRY, out.length);
  out.length = out.bytes.writeUInt32LE(frameId, out.length);
  out.length = out.bytes.writeUInt32LE(frame.maxRequestBytes, out.length);
  writeString(out, destination.accountId);
  writeString(out, destination.logGroup);
  writeString(out, destination.logStream);
  writeString(out, frameKey);
  writeBytes(out, frame.head);
  writeBytes(out, frame.separator);
  writeBytes(out, frame.tail);
  // Optional trailer: the openings of a length-prefixed (protobuf) frame.
  if (openings.length > 0) {
    out.length = out.bytes.writeUInt8(openings.length, out.length);
    for (const opening of openings) writeBytes(out, opening);
  }
  out.seal(start);
}

/**
 * Appends a record entry; the fragment is bytes already encoded (`fragmentBytes` of them from `fragmentStart`), or
 * a string of `fragmentBytes` UTF-8 bytes.
 */
export function appendRecord(out: EntryBuffer, frameId: number, index: number, timeMillis: number, size: number, fragment: Buffer | string, fragmentBytes: number, fragmentStart = 0): void {
  out.reserve(RECORD_ENTRY_OVERHEAD + fragmentBytes);
  const bytes = out.bytes;
  const start = out.length;
  let at = start + ENTRY_HEADER_BYTES;
  at = bytes.writeUInt8(RECORD_ENTRY, at);
  at = bytes.writeUInt32LE(frameId, at);
  at = bytes.writeUInt32LE(index, at);
  at = bytes.writeDoubleLE(timeMillis, at);
  at = bytes.writeUInt32LE(size, at);
  // A buffer holds the fragment in its first `fragmentBytes` bytes (it may be longer: a codec's scratch).
  at += typeof fragment === 'string' ? bytes.write(fragment, at, fragmentBytes, 'utf8') : fragment.copy(bytes, at, fragmentStart, fragmentStart + fragmentBytes);
  out.length = at;
  out.seal(start);
}

/** Appends an ack of `sequences` (sorted ascending here), delta-coded as variable-length integers. */
export function appendAck(out: EntryBuffer, sequences: Float64Array): void {
  sequences.sort();
  out.reserve(ENTRY_HEADER_BYTES + 1 + 8 + sequences.length * 8);
  const start = out.length;
  out.length += ENTRY_HEADER_BYTES;
  out.length = out.bytes.writeUInt8(ACK_ENTRY, out.length);
  out.length = writeVarint(out.bytes, out.length, sequences.length);
  let previous = 0;
  for (const sequence of sequences) {
    out.length = writeVarint(out.bytes, out.length, sequence - previous);
    previous = sequence;
  }
  out.seal(start);
}

/** One entry read back. Views into the read buffer: valid until the next read. */
export type Entry =
  | { readonly type: typeof FRAME_ENTRY; readonly frameId: number; readonly stored: StoredFrame }
  | { readonly type: typeof RECORD_ENTRY; readonly frameId: number; readonly index: number; readonly timeMillis: number; readonly size: number; readonly fragment: Buffer }
  | { readonly type: typeof ACK_ENTRY; readonly sequences: readonly number[] };

/** What one look at the bytes from a block's start found. */
export type BlockResult =
  /** A whole block whose checksum matches: its entries lie from `start` to `end`; the next block starts at `next`. */
  | { readonly status: 'block'; readonly start: number; readonly end: number; readonly next: number }
  /** The block runs past the bytes given (`needed` bytes from its start): read more, or, at a file's end, torn. */
  | { readonly status: 'incomplete'; readonly needed: number }
  /** The checksum does not match; the next block starts at `next`. */
  | { readonly status: 'corrupt'; readonly start: number; readonly end: number; readonly next: number };

export function readBlock(bytes: Buffer, offset: number, end: number): BlockResult {
  if (end - offset < BLOCK_HEADER_BYTES) return { status: 'incomplete', needed: BLOCK_HEADER_BYTES };
  const length = bytes.readUInt32LE(offset);
  const total = BLOCK_HEADER_BYTES + length;
  if (end - offset < total) return { status: 'incomplete', needed: total };
  const start = offset + BLOCK_HEADER_BYTES;
  const status = crc32(bytes.subarray(start, start + length)) === bytes.readUInt32LE(offset + 4) ? 'block' : 'corrupt';
  return { status, start, end: start + length, next: offset + total };
}

/** The entry at `offset` of a checked block, and where the next one starts; throws when the layout is wrong. */
export function readEntry(bytes: Buffer, offset: number, end: number): { readonly entry: Entry; readonly next: number } {
  if (end - offset < ENTRY_HEADER_BYTES + 1) throw new RangeError('entry header runs past the block');
  const length = bytes.readUInt32LE(offset);
  const payloadStart = offset + ENTRY_HEADER_BYTES;
  if (length === 0 || payloadStart + length > end) throw new RangeError('entry runs past the block');
  return { entry: parsePayload(bytes.subarray(payloadStart, payloadStart + length)), next: payloadStart + length };
}

/** How many record entries a damaged block seems to hold (its entry lengths followed as far as they make sense). */
export function countRecordEntries(bytes: Buffer, start: number, end: number): number {
  let records = 0;
  for (let at = start; at + ENTRY_HEADER_BYTES < end; ) {
    if (bytes[at + ENTRY_HEADER_BYTES] === RECORD_ENTRY) records++;
    const length = bytes.readUInt32LE(at);
    if (length === 0) break;
    at += ENTRY_HEADER_BYTES + length;
  }
  return records;
}

function parsePayload(payload: Buffer): Entry {
  let at = 1;
  const bytesAt = (): Buffer => {
    const length = payload.readUInt32LE(at);
    at += 4;
    if (at + length > payload.length) throw new RangeError('field runs past the entry');
    const bytes = payload.subarray(at, at + length);
    at += length;
    return bytes;
  };
  switch (payload[0]) {
    case FRAME_ENTRY: {
      const frameId = payload.readUInt32LE(at);
      const maxRequestBytes = payload.readUInt32LE(at + 4);
      at += 8;
      const accountId = bytesAt().toString('utf8');
      const logGroup = bytesAt().toString('utf8');
      const logStream = bytesAt().toString('utf8');
      const frameKey = bytesAt().toString('utf8');
      // Copies: a frame outlives the read buffer.
      const head = Buffer.from(bytesAt());
      const separator = Buffer.from(bytesAt());
      const tail = Buffer.from(bytesAt());
      const lengthDelimited: Buffer[] = [];
      if (at < payload.length) for (let count = payload.readUInt8(at++); count > 0; count--) lengthDelimited.push(Buffer.from(bytesAt()));
      const frame: RequestFrame = lengthDelimited.length > 0 ? { head, separator, tail, maxRequestBytes, lengthDelimited } : { head, separator, tail, maxRequestBytes };
      return { type: FRAME_ENTRY, frameId, stored: { destination: { accountId, logGroup, logStream }, frameKey, frame } };
    }
    case RECORD_ENTRY:
      return {
        type: RECORD_ENTRY,
        frameId: payload.readUInt32LE(1),
        index: payload.readUInt32LE(5),
        timeMillis: payload.readDoubleLE(9),
        size: payload.readUInt32LE(17),
        fragment: payload.subarray(21),
      };
    case ACK_ENTRY: {
      const sequences: number[] = [];
      let count: number;
      [count, at] = readVarint(payload, at);
      let previous = 0;
      for (let i = 0; i < count; i++) {
        let delta: number;
        [delta, at] = readVarint(payload, at);
        previous += delta;
        sequences.push(previous);
      }
      return { type: ACK_ENTRY, sequences };
    }
    default:
      throw new RangeError(`unknown entry type ${payload[0]}`);
  }
}

function readVarint(bytes: Buffer, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at >= bytes.length) throw new RangeError('varint runs past the entry');
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 0x80;
  }
}
