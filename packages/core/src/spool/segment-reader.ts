import { open } from 'node:fs/promises';
import { ENTRY_HEADER_BYTES, readEntry, type Entry } from './format.ts';
import type { SegmentWriter } from './segment-writer.ts';

const CHUNK_BYTES = 4 * 1024 * 1024;

/** Where a read stopped: at `offset`, and whether the bytes from there on are unreadable. */
export interface ReadProgress {
  readonly offset: number;
  /** Why the rest of the segment cannot be read (a torn last entry, a checksum mismatch), if so. */
  readonly damaged?: string;
  /** The damaged entry's type byte, when that much of it is there (a torn ack loses no record). */
  readonly damagedType?: number;
}

/**
 * Reads a segment's entries in chunks of a few MiB: from the file of a segment still being written (its written
 * part) or from one left by an earlier run.
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
   * Reads entries from `offset` up to `end` (the bytes known to be complete), handing each to `onEntry` (its
   * buffers are views, valid only during the call) until it returns false. `final`: nothing will be appended
   * past `end`, so an entry cut off there is torn.
   */
  async read(offset: number, end: number, final: boolean, onEntry: (entry: Entry) => boolean): Promise<ReadProgress> {
    const handle = this.writer ? undefined : await open(this.path, 'r');
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
          const result = readEntry(this.buffer, at, got);
          if (result.status === 'corrupt') return { offset: offset + at, damaged: `${result.reason} at byte ${offset + at}`, damagedType: this.buffer[at + ENTRY_HEADER_BYTES] };
          if (result.status === 'incomplete') {
            if (offset + at + result.needed <= end) {
              // An entry larger than the buffer: grow it and read again from the entry's start.
              if (at === 0) this.buffer = Buffer.allocUnsafeSlow(Math.max(result.needed, this.buffer.length * 2));
              break;
            }
            if (final) {
              const type = got - at > ENTRY_HEADER_BYTES ? this.buffer[at + ENTRY_HEADER_BYTES] : undefined;
              return { offset: offset + at, damaged: `torn entry at byte ${offset + at} (the process stopped mid-write)`, damagedType: type };
            }
            return { offset: offset + at };
          }
          const keepGoing = onEntry(result.entry);
          at = result.next;
          if (!keepGoing) return { offset: offset + at };
        }
        offset += at;
      }
      return { offset };
    } finally {
      await handle?.close();
    }
  }
}
