import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor, type ConstraintAwareBatchProcessorOptions } from '@otel-cloud-logs/core';
import { MemoryExporter, smallLimits } from './support/memory-exporter.ts';
import { WorkerMemoryExporter } from './support/worker-memory-exporter.ts';
import { SegmentWriter } from '../src/spool/segment-writer.ts';
import { appendAck, appendFrame, appendRecord, BLOCK_HEADER_BYTES, countRecordEntries, EntryBuffer, readBlock, readEntry } from '../src/spool/format.ts';

const fastRetry = { initialDelayMillis: 5, maxDelayMillis: 20, deadlineMillis: 60_000 };
const directories: string[] = [];

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'spool-test-'));
  directories.push(directory);
  return directory;
}

/** What a SIGKILL leaves behind: the files as they are now, without the process that wrote them. */
function copyAsKilled(directory: string): string {
  const copy = freshDirectory();
  cpSync(directory, copy, { recursive: true });
  rmSync(join(copy, 'LOCK'), { force: true });
  return copy;
}

function start(exporter: MemoryExporter, directory: string, options: Partial<ConstraintAwareBatchProcessorOptions> = {}) {
  const processor = new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 20, spool: { directory, commitIntervalMillis: 20 }, ...options });
  const provider = new LoggerProvider({ processors: [processor] });
  return { processor, provider, logger: provider.getLogger('test') };
}

/** ~1.2 MiB of numbered multibyte records: more than a block holds before it is written early (1 MiB). */
function burstBodies(): string[] {
  return Array.from({ length: 1_200 }, (_, i) => `${String(i).padStart(5, '0')} ${'日本語'.repeat(110)}`);
}

/** Emits `bodies` in one go (one event-loop turn); returns how often a segment writer was asked to commit meanwhile. */
function commitsWhileEmitting(logger: ReturnType<typeof start>['logger'], bodies: readonly string[]): number {
  const commits = vi.spyOn(SegmentWriter.prototype, 'commit');
  try {
    for (const body of bodies) logger.emit({ body });
    return commits.mock.calls.length;
  } finally {
    commits.mockRestore();
  }
}

function segmentFiles(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.startsWith('segment-'));
}

async function until(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('spool block format', () => {
  test('reads back what it wrote, multibyte fragments and large sequence numbers included', () => {
    const out = new EntryBuffer(16);
    const fragment = '{"m":"日本 é 😀"}';
    appendRecord(out, 7, 3, 1_700_000_000_123, 11, fragment, Buffer.byteLength(fragment));
    appendAck(out, Float64Array.of(2 ** 40 + 5, 3, 2 ** 40));
    const bytes = Buffer.from(out.sealBlock());
    const block = readBlock(bytes, 0, bytes.length);
    if (block.status !== 'block') throw new Error(`expected a block, got ${block.status}`);
    expect(block.next).toBe(bytes.length);
    const first = readEntry(bytes, block.start, block.end);
    if (first.entry.type !== 2) throw new Error('expected a record');
    expect(first.entry).toMatchObject({ frameId: 7, index: 3, timeMillis: 1_700_000_000_123, size: 11 });
    expect(first.entry.fragment.toString('utf8')).toBe(fragment);
    const second = readEntry(bytes, first.next, block.end);
    if (second.entry.type !== 3) throw new Error('expected an ack');
    expect(second.entry.sequences).toEqual([3, 2 ** 40, 2 ** 40 + 5]);
    expect(second.next).toBe(block.end);
  });

  test('a frame with length-prefixed openings (protobuf) reads back with them; one without has none', () => {
    const out = new EntryBuffer(16);
    const destination = { accountId: '', logGroup: '/g', logStream: 's' };
    const openings = [Buffer.of(0x0a), Buffer.of(0x0a, 0x00, 0x12)];
    appendFrame(out, 4, { destination, frameKey: 'k', frame: { head: Buffer.of(1), separator: Buffer.alloc(0), tail: Buffer.alloc(0), maxRequestBytes: 99, lengthDelimited: openings } });
    appendFrame(out, 5, { destination, frameKey: 'j', frame: { head: Buffer.from('['), separator: Buffer.from(','), tail: Buffer.from(']'), maxRequestBytes: 7 } });
    const bytes = Buffer.from(out.sealBlock());
    const block = readBlock(bytes, 0, bytes.length);
    if (block.status !== 'block') throw new Error('expected a block');
    const first = readEntry(bytes, block.start, block.end);
    if (first.entry.type !== 1) throw new Error('expected a frame');
    expect(first.entry.stored.frame.lengthDelimited).toEqual(openings);
    expect(first.entry.stored.frame.maxRequestBytes).toBe(99);
    const second = readEntry(bytes, first.next, block.end);
    if (second.entry.type !== 1) throw new Error('expected a frame');
    expect(second.entry.stored.frame.lengthDelimited).toBeUndefined();
    expect(second.entry.stored.frame.tail.toString()).toBe(']');
  });

  test('a torn block is incomplete, a flipped byte fails the checksum, and the records in them are counted', () => {
    const out = new EntryBuffer();
    appendRecord(out, 1, 0, 1, 5, 'hello', 5);
    appendRecord(out, 1, 1, 1, 5, 'world', 5);
    const bytes = Buffer.from(out.sealBlock());
    expect(readBlock(bytes, 0, bytes.length - 1).status).toBe('incomplete');
    expect(countRecordEntries(bytes, BLOCK_HEADER_BYTES, bytes.length - 1)).toBe(2);
    bytes[bytes.length - 1] ^= 0xff;
    expect(readBlock(bytes, 0, bytes.length)).toMatchObject({ status: 'corrupt', next: bytes.length });
  });

  test('a block checksummed in steps as it fills (growing past its buffer, multibyte fragments) reads back whole; the buffer starts over after clear', () => {
    const out = new EntryBuffer(1024);
    const fragments: string[] = [];
    // ~600 KB: many 64 KiB checksum steps, entries that straddle them and buffer growth on the way.
    for (let i = 0; i < 1_500; i++) fragments.push(`{"message":"${i} ${'注文 📦 '.repeat(i % 40)}${'x'.repeat(i % 300)}"}`);
    for (const [index, fragment] of fragments.entries()) appendRecord(out, 1, index, 1, fragment.length, fragment, Buffer.byteLength(fragment));
    const bytes = Buffer.from(out.sealBlock());
    const block = readBlock(bytes, 0, bytes.length);
    expect(block.status).toBe('block');
    const read: string[] = [];
    for (let at = BLOCK_HEADER_BYTES; at < bytes.length; ) {
      const { entry, next } = readEntry(bytes, at, bytes.length);
      if (entry.type === 2) read.push(entry.fragment.toString('utf8'));
      at = next;
    }
    expect(read).toEqual(fragments);
    // The next block's checksum covers only its own entries.
    out.clear();
    appendRecord(out, 1, 0, 1, 5, 'again', 5);
    const next = Buffer.from(out.sealBlock());
    expect(readBlock(next, 0, next.length).status).toBe('block');
    expect(next.length).toBeLessThan(100);
  });
});

describe('ConstraintAwareBatchProcessor with a spool', () => {
  test('delivers every record and leaves no segment behind after a clean shutdown', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const { provider, logger } = start(exporter, directory);
    for (let i = 0; i < 500; i++) logger.emit({ body: `record ${i}`, attributes: { log_stream_value: `s${i % 3}` } });
    await provider.shutdown();
    expect(exporter.messages().sort()).toEqual(Array.from({ length: 500 }, (_, i) => `record ${i}`).sort());
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 500, droppedTotal: 0 });
    expect(readdirSync(directory)).toEqual([]);
  });

  test('after a kill, a new processor sends what was not acknowledged, and nothing that was', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    // Stream 'stuck' never gets through; stream 'fine' does.
    exporter.behaviour = (destination) => (destination.logStream === 'stuck' ? { status: 'retry', error: new Error('503') } : undefined);
    const { processor, logger } = start(exporter, directory);
    for (let i = 0; i < 300; i++) logger.emit({ body: `r${i}`, attributes: { log_stream_value: i % 2 === 0 ? 'fine' : 'stuck' } });
    await until(() => exporter.messages({ logGroup: 'default-group', logStream: 'fine' }).length === 150);
    await new Promise((resolve) => setTimeout(resolve, 60)); // the acks' group commit
    await processor.durable();
    const killed = copyAsKilled(directory);

    const second = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const restarted = start(second, killed);
    await restarted.provider.shutdown();
    const expected = Array.from({ length: 150 }, (_, i) => `r${2 * i + 1}`);
    expect(second.messages({ logGroup: 'default-group', logStream: 'stuck' })).toEqual(expected);
    expect(second.messages({ logGroup: 'default-group', logStream: 'fine' })).toEqual([]);
    expect(second.metrics.snapshot().dropped).toEqual({});
    expect(second.metrics.snapshot()).toMatchObject({ exported: 150, droppedTotal: 0 });
    expect(segmentFiles(killed)).toEqual([]);
    exporter.behaviour = undefined;
    await processor.shutdown();
  });

  test('the block torn by a kill mid-write is skipped and its records counted; the others are sent', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    exporter.behaviour = () => ({ status: 'retry', error: new Error('503') });
    const { processor, logger } = start(exporter, directory);
    for (let i = 0; i < 10; i++) logger.emit({ body: `r${i}` });
    await processor.durable(); // one block
    for (let i = 10; i < 20; i++) logger.emit({ body: `r${i}` });
    await processor.durable(); // the next: the kill tears it
    const killed = copyAsKilled(directory);
    const [segment] = segmentFiles(killed);
    const path = join(killed, segment!);
    truncateSync(path, statSync(path).size - 3);

    const second = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const restarted = start(second, killed);
    await restarted.provider.shutdown();
    expect(second.messages()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
    expect(second.metrics.snapshot().dropped).toEqual({ spool_corrupt: 10 });
    exporter.behaviour = undefined;
    await processor.shutdown();
  });

  test('a block that reaches 1 MiB is written before its commit interval is up, and a kill then keeps it', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    exporter.behaviour = () => ({ status: 'retry', error: new Error('503') });
    const { processor, logger } = start(exporter, directory, { spool: { directory, commitIntervalMillis: 1_000 } });
    // The interval alone would write nothing for a second.
    const bodies = burstBodies();
    // One commit for the whole burst, not one per record appended after the block passed 1 MiB.
    expect(commitsWhileEmitting(logger, bodies)).toBe(1);
    const [segment] = segmentFiles(directory);
    await until(() => statSync(join(directory, segment!)).size >= 1024 * 1024, 800);
    const killed = copyAsKilled(directory);

    const second = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const restarted = start(second, killed);
    await restarted.provider.shutdown();
    const recovered = second.messages();
    // The first ~1 MiB of records, in order; the rest was in the block still being filled at the "kill".
    expect(recovered.length).toBeGreaterThan(1_000);
    expect(recovered).toEqual(bodies.slice(0, recovered.length));
    exporter.behaviour = undefined;
    await processor.shutdown();
  });

  test('with fsync the commit interval alone decides: a 1 MiB block waits for it', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const { processor, logger } = start(exporter, directory, { scheduledDelayMillis: 1_000, spool: { directory, commitIntervalMillis: 1_000, fsync: true } });
    expect(commitsWhileEmitting(logger, burstBodies())).toBe(0);
    await processor.shutdown();
    expect(exporter.messages()).toHaveLength(1_200);
  });

  test('records that fell out of the time window while the process was down are counted too_old, not sent', async () => {
    const directory = freshDirectory();
    const limits = smallLimits({ maxAgeMillis: 1_500, timeWindowMarginMillis: 100 });
    const exporter = new MemoryExporter(limits, { retry: fastRetry });
    exporter.behaviour = () => ({ status: 'retry', error: new Error('503') });
    const { processor, logger } = start(exporter, directory);
    for (let i = 0; i < 10; i++) logger.emit({ body: `old ${i}` });
    await processor.durable();
    const killed = copyAsKilled(directory);
    await new Promise((resolve) => setTimeout(resolve, 1_600));

    const second = new MemoryExporter(limits, { retry: fastRetry });
    const restarted = start(second, killed);
    restarted.logger.emit({ body: 'new' });
    await restarted.provider.shutdown();
    expect(second.messages()).toEqual(['new']);
    expect(second.metrics.snapshot()).toMatchObject({ exported: 1, dropped: { too_old: 10 } });
    exporter.behaviour = undefined;
    await processor.shutdown();
  });

  test('records over the memory bound wait on disk and go out in order instead of being dropped', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    exporter.sendDelayMillis = 5;
    const { provider, logger } = start(exporter, directory, { maxQueueBytes: 4_000, maxConcurrentExports: 1 });
    const bodies = Array.from({ length: 2_000 }, (_, i) => `record ${String(i).padStart(5, '0')} ${'x'.repeat(40)}`);
    for (const body of bodies) logger.emit({ body });
    await provider.shutdown();
    expect(exporter.messages()).toEqual(bodies);
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 2_000, droppedTotal: 0 });
  });

  test('the disk bound drops new records as queue_full', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits(), { retry: fastRetry });
    exporter.behaviour = () => ({ status: 'retry', error: new Error('503') });
    const { processor, logger } = start(exporter, directory, { maxQueueBytes: 4_000, spool: { directory, maxBytes: 20_000, commitIntervalMillis: 20 } });
    for (let i = 0; i < 1_000; i++) logger.emit({ body: `record ${i} ${'x'.repeat(40)}` });
    const dropped = exporter.metrics.snapshot().dropped.queue_full ?? 0;
    expect(dropped).toBeGreaterThan(500);
    await processor.durable();
    let bytes = 0;
    for (const name of segmentFiles(directory)) bytes += statSync(join(directory, name)).size;
    expect(bytes).toBeLessThanOrEqual(20_000);
    exporter.behaviour = undefined;
    await processor.shutdown();
    expect(exporter.metrics.snapshot().exported).toBe(1_000 - dropped);
  });

  test('one processor per directory: a second one gets a clear error, a dead process leaves its lock to take over', async () => {
    const directory = freshDirectory();
    const exporter = new MemoryExporter(smallLimits());
    const { provider } = start(exporter, directory);
    expect(() => start(new MemoryExporter(smallLimits()), directory)).toThrow(/already used by another processor in this process/);
    await provider.shutdown();

    writeFileSync(join(directory, 'LOCK'), `${process.pid === 1 ? 2 : 999_999}\n`); // no such process
    const taken = start(new MemoryExporter(smallLimits()), directory);
    expect(readFileSync(join(directory, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    await taken.provider.shutdown();
  });

  test("with thread 'worker' the worker writes the spool: durable() answers, and a clean shutdown leaves nothing", async () => {
    const directory = freshDirectory();
    const exporter = new WorkerMemoryExporter({ limits: smallLimits(), retry: fastRetry });
    const { processor, provider, logger } = start(exporter, directory, { thread: 'worker' });
    for (let i = 0; i < 300; i++) logger.emit({ body: `record ${i}` });
    await processor.durable();
    expect(segmentFiles(directory).length).toBeGreaterThan(0);
    await provider.shutdown();
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: 300, droppedTotal: 0 });
    expect(readdirSync(directory)).toEqual([]);
  });

  test("with thread 'worker', records the application encodes itself for a lagging worker are spooled too: a kill keeps them all, in order", async () => {
    const directory = freshDirectory();
    // The worker stalls on its first record; its service is down until well after the kill below.
    const exporter = new WorkerMemoryExporter({ limits: smallLimits(), retry: fastRetry, workerStallsMillis: 900, workerServiceDownMillis: 4_000 });
    const encodedHere = vi.spyOn(exporter, 'encode');
    const { processor, provider, logger } = start(exporter, directory, { thread: 'worker' });
    await processor.durable(); // the worker is up
    logger.emit({ body: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const bodies = Array.from({ length: 6_000 }, (_, i) => `${String(i).padStart(5, '0')} ${'ログ'.repeat(300)}`); // ~10.8 MB
    for (const body of bodies) logger.emit({ body });
    expect(encodedHere.mock.calls.length).toBeGreaterThan(1_000);
    await processor.durable();
    const killed = copyAsKilled(directory);

    const second = new MemoryExporter(smallLimits(), { retry: fastRetry });
    const restarted = start(second, killed);
    await restarted.provider.shutdown();
    expect(second.messages()).toEqual(['first', ...bodies]);
    expect(second.metrics.snapshot()).toMatchObject({ exported: bodies.length + 1, droppedTotal: 0 });
    await provider.shutdown();
    expect(exporter.metrics.snapshot()).toMatchObject({ exported: bodies.length + 1, droppedTotal: 0 });
  });

  test('bad spool options say what to fix', () => {
    const exporter = new MemoryExporter(smallLimits());
    expect(() => new ConstraintAwareBatchProcessor({ exporter, spool: { directory: '' } })).toThrow(/spool.directory/);
    expect(() => new ConstraintAwareBatchProcessor({ exporter, spool: { directory: freshDirectory(), maxBytes: 10 } })).toThrow(/spool.maxBytes/);
    expect(() => new ConstraintAwareBatchProcessor({ exporter, spool: { directory: freshDirectory(), commitIntervalMillis: 5_000 } })).toThrow(/commitIntervalMillis/);
  });
});
