import { statSync } from 'node:fs';
import { segmentPath } from './directory.ts';
import { ACK_ENTRY, RECORD_ENTRY, RECORDS_PER_SEGMENT, type Entry } from './format.ts';
import { SegmentReader } from './segment-reader.ts';

/** A set of record indices of one segment. */
export class IndexSet {
  private bits = new Uint8Array(1024);

  add(index: number): void {
    const byte = index >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (index & 7);
  }

  delete(index: number): void {
    const byte = index >>> 3;
    if (byte < this.bits.length) this.bits[byte]! &= ~(1 << (index & 7));
  }

  has(index: number): boolean {
    const byte = index >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (index & 7))) !== 0;
  }
}

/** A segment left by an earlier run: which of its records still have to be sent. */
export interface RecoveredSegment {
  readonly segment: number;
  readonly path: string;
  readonly bytes: number;
  /** Indices of the records whose fate was never settled. */
  readonly unsettled: IndexSet;
  readonly unsettledCount: number;
  /** Records that could not be read back (a torn last block, a damaged one), with why. */
  readonly damaged: readonly { readonly records: number; readonly message: string }[];
}

/**
 * Reads the segments an earlier run left behind: the records in each, and the acks (written in any later
 * segment) of those already delivered or counted. Whatever is left is sent again.
 */
export async function recoverSegments(directory: string, segments: readonly number[]): Promise<RecoveredSegment[]> {
  const present = new Map<number, IndexSet>();
  const counts = new Map<number, number>();
  const acked: number[] = [];
  const scanned: { segment: number; path: string; bytes: number; damaged: { records: number; message: string }[] }[] = [];
  for (const segment of segments) {
    const path = segmentPath(directory, segment);
    const bytes = statSync(path).size;
    const indices = new IndexSet();
    let records = 0;
    const damaged: { records: number; message: string }[] = [];
    const onEntry = (entry: Entry) => {
      if (entry.type === RECORD_ENTRY) {
        indices.add(entry.index);
        records++;
      } else if (entry.type === ACK_ENTRY) {
        for (const sequence of entry.sequences) acked.push(sequence);
      }
      return true;
    };
    await new SegmentReader(path).read({ offset: 0, entry: 0 }, bytes, true, onEntry, (count, message) => damaged.push({ records: count, message }));
    present.set(segment, indices);
    counts.set(segment, records);
    scanned.push({ segment, path, bytes, damaged });
  }
  for (const sequence of acked) {
    const segment = Math.floor(sequence / RECORDS_PER_SEGMENT);
    const indices = present.get(segment);
    const index = sequence % RECORDS_PER_SEGMENT;
    if (indices?.has(index)) {
      indices.delete(index);
      counts.set(segment, counts.get(segment)! - 1);
    }
  }
  return scanned.map((found) => ({ ...found, unsettled: present.get(found.segment)!, unsettledCount: counts.get(found.segment)! }));
}
