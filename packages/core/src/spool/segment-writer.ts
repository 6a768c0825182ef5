import { close, fsync, openSync, read, write } from 'node:fs';
import { promisify } from 'node:util';
import { BLOCK_HEADER_BYTES, EntryBuffer } from './format.ts';

const writeAsync = promisify(write);
const readAsync = promisify(read);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

/**
 * Block buffers of closed segments, for the next segments' writers, which then start with buffers already grown
 * to the working block size. Fresh ones, grown again by doubling after every rotation (every 16 MiB written by
 * default), were tens of megabytes of garbage external memory a second at 50,000 records/s: V8 answered with a
 * full garbage collection every few hundred milliseconds, pauses of several ms on the application's thread.
 */
const spareBuffers: EntryBuffer[] = [];
/** Two writers' worth: the next writer is made while the last one is still closing. */
const MAX_SPARE_BUFFERS = 4;
/** A buffer grown larger (by a burst) is not kept. */
const MAX_SPARE_BUFFER_BYTES = 16 * 1024 * 1024;

function takeBuffer(): EntryBuffer {
  return spareBuffers.pop() ?? new EntryBuffer();
}

function giveBack(buffer: EntryBuffer): void {
  if (buffer.size !== 0 || buffer.bytes.length > MAX_SPARE_BUFFER_BYTES || spareBuffers.length >= MAX_SPARE_BUFFERS) return;
  // Never twice: two writers sharing a buffer would write each other's entries and clear them.
  if (!spareBuffers.includes(buffer)) spareBuffers.push(buffer);
}

/**
 * One segment file being written, with group commit: entries are appended to a memory buffer on the calling
 * thread (no system call per record) and written out as one checksummed block, in one `write` per commit, on
 * libuv's thread pool. While a
 * write is under way, new entries go to a second buffer. What was written is in the OS page cache and survives a
 * killed process; `fsync` (optional) makes it survive a power loss too.
 */
export class SegmentWriter {
  readonly segment: number;
  readonly path: string;
  /** Next record index in this segment. */
  records = 0;
  /** Bytes in the file (readable back). */
  writtenBytes = 0;
  private readonly fd: number;
  private readonly fsync: boolean;
  private pending = takeBuffer();
  private spare = takeBuffer();
  private writingBytes = 0;
  /** Commits asked for and not finished yet. */
  private commits = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The first write error: the spool then stops being durable (reported once by the spool). */
  error: Error | undefined;

  private constructor(segment: number, path: string, fd: number, fsync: boolean) {
    this.segment = segment;
    this.path = path;
    this.fd = fd;
    this.fsync = fsync;
  }

  /** Creates the segment file (one system call, once per segment). */
  static create(segment: number, path: string, fsync: boolean): SegmentWriter {
    return new SegmentWriter(segment, path, openSync(path, 'wx+'), fsync);
  }

  /** Where the next entry is appended (in memory until the next commit). */
  get buffer(): EntryBuffer {
    return this.pending;
  }

  /** Bytes appended in all, written or not: the segment's size once committed. */
  get bytes(): number {
    return this.writtenBytes + this.writingBytes + this.pending.size;
  }

  /** Bytes appended but not yet in the file. */
  get unwrittenBytes(): number {
    return this.writingBytes + this.pending.size;
  }

  /** Resolves once everything appended before the call is in the file. Never rejects (see `error`). */
  commit(): Promise<void> {
    if (this.pending.size === 0 && this.writingBytes === 0) return this.chain;
    this.commits++;
    this.chain = this.chain
      .then(() => this.writeOut())
      .finally(() => {
        this.commits--;
      });
    return this.chain;
  }

  /** Whether no commit is queued or under way (one asked for now would write the pending block at once). */
  get idle(): boolean {
    return this.commits === 0;
  }

  /** Reads `length` bytes at `position` of the written part into `into`. */
  async readAt(into: Buffer, length: number, position: number): Promise<number> {
    const { bytesRead } = await readAsync(this.fd, into, 0, length, position);
    return bytesRead;
  }

  /** Commits what is left and closes the file; its block buffers go to later writers. Once, however often called. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    await this.commit();
    this.closed = true;
    giveBack(this.pending);
    giveBack(this.spare);
    // Nothing is appended to a closed writer; these only keep `bytes` and `buffer` answering.
    this.pending = new EntryBuffer(BLOCK_HEADER_BYTES);
    this.spare = new EntryBuffer(BLOCK_HEADER_BYTES);
    await closeAsync(this.fd).catch(() => undefined);
  }

  private async writeOut(): Promise<void> {
    if (this.pending.size === 0 || this.closed) return;
    const out = this.pending;
    this.pending = this.spare;
    this.spare = out;
    const block = out.sealBlock();
    this.writingBytes = block.length;
    try {
      let done = 0;
      while (done < block.length) {
        const { bytesWritten } = await writeAsync(this.fd, block, done, block.length - done, this.writtenBytes + done);
        done += bytesWritten;
      }
      if (this.fsync) await fsyncAsync(this.fd);
    } catch (error) {
      this.error ??= error as Error;
    }
    this.writtenBytes += block.length;
    this.writingBytes = 0;
    out.clear();
  }
}
