import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { appendRecord, EntryBuffer, readBlock, readEntry, RECORD_ENTRY } from '../src/spool/format.ts';
import { SegmentWriter } from '../src/spool/segment-writer.ts';

const MiB = 1024 * 1024;
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function fill(out: EntryBuffer, bytes: number, first = 0): number {
  const fragment = 'y'.repeat(1000);
  let index = first;
  while (out.size < bytes) appendRecord(out, 1, index++, 1, fragment.length, fragment, fragment.length);
  return index;
}

/** The record fragments of a segment file, block by block. */
function fragmentsIn(path: string): string[] {
  const bytes = readFileSync(path);
  const fragments: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const block = readBlock(bytes, offset, bytes.length);
    if (block.status !== 'block') throw new Error(`block at ${offset}: ${block.status}`);
    for (let at = block.start; at < block.end; ) {
      const { entry, next } = readEntry(bytes, at, block.end);
      if (entry.type === RECORD_ENTRY) fragments.push(entry.fragment.toString('utf8'));
      at = next;
    }
    offset = block.next;
  }
  return fragments;
}

describe('spool block buffers', () => {
  test('a buffer that blocks keep filling keeps its size; after eight small blocks in a row it shrinks back', () => {
    const out = new EntryBuffer();
    fill(out, 6 * MiB);
    out.clear();
    const grown = out.bytes.length;
    expect(grown).toBeGreaterThanOrEqual(6 * MiB);
    // A full block, then a small one (a segment's last, a quiet moment), then full again: it stays as it is.
    fill(out, 5 * MiB);
    out.clear();
    fill(out, 100_000);
    out.clear();
    fill(out, 5 * MiB);
    out.clear();
    expect(out.bytes.length).toBe(grown);
    for (let i = 0; i < 7; i++) {
      fill(out, 100_000);
      out.clear();
    }
    expect(out.bytes.length).toBe(grown);
    fill(out, 100_000);
    out.clear();
    expect(out.bytes.length).toBe(MiB);
    expect(out.size).toBe(0);
  });

  test("a closed segment's grown buffers go to the next writer, empty: its file holds only its own records", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'spool-buffers-'));
    directories.push(directory);
    const first = SegmentWriter.create(1, join(directory, 'segment-1'), false);
    const next = fill(first.buffer, 3 * MiB);
    await first.commit();
    const total = fill(first.buffer, 3 * MiB, next);
    await first.close();
    const firstBytes = first.bytes;

    const second = SegmentWriter.create(2, join(directory, 'segment-2'), false);
    // Both of the first writer's buffers had grown past 3 MiB: the second starts with them (no regrowing).
    expect(second.buffer.bytes.length).toBeGreaterThanOrEqual(3 * MiB);
    expect(second.buffer.size).toBe(0);
    appendRecord(second.buffer, 1, 0, 1, 5, 'later', 5);
    await second.close();
    expect(first.bytes).toBe(firstBytes);
    expect(fragmentsIn(join(directory, 'segment-2'))).toEqual(['later']);
    expect(fragmentsIn(join(directory, 'segment-1'))).toHaveLength(total);
  });

  test('a writer closed twice at once hands its buffers back once: the next writer loses nothing appended while it writes', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'spool-buffers-'));
    directories.push(directory);
    const first = SegmentWriter.create(1, join(directory, 'segment-1'), false);
    appendRecord(first.buffer, 1, 0, 1, 5, 'first', 5);
    await Promise.all([first.close(), first.close()]);
    await first.close();

    for (const segment of [2, 3]) {
      const writer = SegmentWriter.create(segment, join(directory, `segment-${segment}`), false);
      appendRecord(writer.buffer, 1, 0, 1, 6, 'before', 6);
      const writing = writer.commit();
      await new Promise((resolve) => setImmediate(resolve)); // the block is sealed and its write under way
      // Appended while the first block is being written: into the other buffer, written by the next commit.
      appendRecord(writer.buffer, 1, 1, 1, 6, 'during', 6);
      await writing;
      await writer.close();
      expect(fragmentsIn(join(directory, `segment-${segment}`))).toEqual(['before', 'during']);
    }
  });
});
