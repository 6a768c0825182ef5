import { open } from 'node:fs/promises';
import { countRecordEntries, readBlock, readEntry, type Entry } from './format.ts';
import type { SegmentWriter } from './segment-writer.ts';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** A place in a segment: the start of a block, and how many of its entries were already handed out. */
export interface SegmentPosition {
  readonly offset: number;
  readonly entry: number;
}

/** Records that cannot be read back (a torn or damaged block): how many, and why. */
export type DamageReport = (records: number, message: string) => void;

/**
 * Reads a segment's blocks and their entries in chunks of a few MiB: from the file of a segment still being
 * written (its written part) or from one left by an earlier run.
 */
export class SegmentReader {
  private buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private readonly path: string;
  private readonly writer: SegmentWriter | undefined;

  constructor(path: string, writer?: SegmentWriter) {
    this.path = path;
    this.writer = writer;
  }

  /**
   * Reads the entries from `from` up to `end` (bytes known to be written), handing each to `onEntry` (its buffers
   * are views, valid only during the call) until it returns false; returns where to go on. `final`: nothing will
   * be appended past `end`, so a block cut off there is torn. Damaged blocks are skipped and reported.
   */
  async read(from: SegmentPosition, end: number, final: boolean, onEntry: (entry: Entry) => boolean, onDamage: DamageReport): Promise<SegmentPosition> {
    const handle = this.writer ? undefined : await open(this.path, 'r');
    let offset = from.offset;
    let skip = from.entry;
    try {
      while (offset < end) {
        const length = Math.min(end - offset, this.buffer.length);
        const got = this.writer ? await this.writer.readAt(this.buffer, length, offset) : (await handle!.read(this.buffer, 0, length, offset)).bytesRead;
        if (got < length) {
          // The file is shorter than expected (cut by a crash): what is there is all there is.
          end = offset + got;
          final = true;
        }
        let at = 0;
        while (at < got) {
          const block = readBlock(this.buffer, at, got);
          if (block.status === 'incomplete') {
            if (offset + at + block.needed <= end) {
              // The block goes on past this chunk: read again from its start (into a larger buffer if it must).
              if (block.needed > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(block.needed);
              break;
            }
            if (final) {
              onDamage(countRecordEntries(this.buffer, at + 8, got), `torn block at byte ${offset + at} (the process stopped mid-write)`);
              return { offset: end, entry: 0 };
            }
            return { offset: offset + at, entry: skip };
          }
          if (block.status === 'corrupt') {
            onDamage(countRecordEntries(this.buffer, block.start, block.end), `checksum mismatch in the block at byte ${offset + at}`);
          } else {
            const paused = this.entries(block.start, block.end, skip, onEntry, onDamage, offset + at);
            if (paused === 'at-end') return { offset: offset + block.next, entry: 0 };
            if (paused !== undefined) return { offset: offset + at, entry: paused };
          }
          at = block.next;
          skip = 0;
        }
        offset += at;
      }
      return { offset, entry: 0 };
    } finally {
      await handle?.close();
    }
  }

  /**
   * Hands out a block's entries from the `skip`th on. When `onEntry` pauses: how many entries of the block are
   * done, or 'at-end' when none is left; undefined when it did not pause.
   */
  private entries(start: number, end: number, skip: number, onEntry: (entry: Entry) => boolean, onDamage: DamageReport, blockOffset: number): number | 'at-end' | undefined {
    let index = 0;
    for (let at = start; at < end; index++) {
      let read: ReturnType<typeof readEntry>;
      try {
        read = readEntry(this.buffer, at, end);
      } catch (error) {
        onDamage(countRecordEntries(this.buffer, at, end), `${(error as Error).message} in the block at byte ${blockOffset}`);
        return undefined;
      }
      at = read.next;
      if (index < skip) continue;
      if (!onEntry(read.entry)) return at < end ? index + 1 : 'at-end';
    }
    return undefined;
  }
}
