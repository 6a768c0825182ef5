import { describe, expect, test } from 'vitest';
import { emptyEncodedRecord, type Destination, type LogEntry, type RequestFrame } from '@otel-cloud-logs/core';
import { entryFromFields } from '../src/model.ts';
import { BatchQueue } from '../src/batch-queue.ts';
import { EncodedChunkReader, EncodedChunkWriter, type EncodedChunk } from '../src/encoded-chunk.ts';
import type { BatchQueueOptions } from '../src/record-queue.ts';
import { HOUR, MemoryExporter, smallLimits } from './support/memory-exporter.ts';

const QUEUE: BatchQueueOptions = { scheduledDelayMillis: 5, maxQueueBytes: 16 * 1024 * 1024, overflow: 'drop_newest', maxConcurrentExports: 1 };

/** What postMessage does to a chunk: structured cloning with its buffers transferred (typed arrays arrive as plain ones, with whole backing buffers). */
function overTheThreadBoundary(chunk: EncodedChunk): EncodedChunk {
  return structuredClone(chunk, { transfer: EncodedChunkWriter.transferList(chunk) });
}

function entry(body: string, stream: string, timeMillis: number): LogEntry {
  const time: [number, number] = [Math.floor(timeMillis / 1_000), (timeMillis % 1_000) * 1_000_000];
  return entryFromFields({ time, observed: time, body, attributes: { log_stream_value: stream }, resource: {}, scope: undefined, severityNumber: undefined, severityText: undefined, eventName: undefined, traceId: undefined, spanId: undefined, traceFlags: undefined }, { logGroup: 'g' });
}

/** Records of every kind the queue treats differently: multibyte, at the size limit, oversized, out of the window, empty. */
function mixedEntries(now: number): LogEntry[] {
  const entries: LogEntry[] = [];
  for (let i = 0; i < 600; i++) {
    const stream = `s${i % 3}`;
    const time = now - (i % 7) * 1_000; // unsorted within each stream
    if (i % 97 === 0) entries.push(entry('x'.repeat(5_000), stream, time)); // over maxEventBytes: truncated
    else if (i % 89 === 0) entries.push(entry(`${i} old`, stream, now - 15 * 24 * HOUR)); // too_old
    else if (i % 83 === 0) entries.push(entry('', stream, time)); // empty: refused by the codec
    else if (i % 79 === 0) entries.push(entry('y'.repeat(2_000), stream, time)); // exactly at the limit
    else entries.push(entry(`${i} ログ ✅ ${'é'.repeat(i % 50)}`, stream, time));
  }
  return entries;
}

async function drained(queue: BatchQueue): Promise<void> {
  await queue.flush(10_000);
  await queue.close(false);
}

describe('records encoded on the application thread for a worker (EncodedChunkWriter → Reader)', () => {
  test('make exactly the requests the worker would have made from the records, with the same counts', async () => {
    const now = Date.now();
    const entries = mixedEntries(now);

    const direct = new MemoryExporter(smallLimits());
    const directQueue = new BatchQueue(direct, QUEUE);
    for (const e of entries) directQueue.enqueueEntry(e);
    await drained(directQueue);

    // The application's exporter encodes and counts; the worker's twin only batches and sends.
    const application = new MemoryExporter(smallLimits());
    const worker = new MemoryExporter(smallLimits());
    const workerQueue = new BatchQueue(worker, QUEUE);
    const writer = new EncodedChunkWriter();
    const reader = new EncodedChunkReader();
    const scratch = emptyEncodedRecord();
    const handOver = () => {
      const chunk = writer.take();
      if (chunk) reader.read(overTheThreadBoundary(chunk), (stored, source, start, length, size, time, truncated) => workerQueue.enqueueEncoded(stored, source, start, length, size, time, truncated));
    };
    for (const e of entries) {
      writer.encode(application, e, scratch);
      if (writer.full) handOver();
    }
    handOver();
    await drained(workerQueue);

    expect(worker.requests).toEqual(direct.requests);
    expect(worker.requests.length).toBeGreaterThan(3);
    // Drops are counted where the records were encoded; truncations where they were queued, as in-thread.
    const expected = direct.metrics.snapshot();
    expect(application.metrics.snapshot().dropped).toEqual(expected.dropped);
    expect(expected.dropped).toMatchObject({ too_old: expect.any(Number), empty_message: expect.any(Number) });
    expect(worker.metrics.snapshot().truncated).toBe(expected.truncated);
    expect(expected.truncated).toBeGreaterThan(0);
    expect(worker.metrics.snapshot().exported).toBe(expected.exported);
  });

  test('a chunk goes at 1,024 records or 1 MiB of fragments; frames travel once', () => {
    const writer = new EncodedChunkWriter();
    const application = new MemoryExporter(smallLimits());
    const scratch = emptyEncodedRecord();
    const now = Date.now();
    let i = 0;
    while (!writer.full) writer.encode(application, entry(`r${i++}`, `s${i % 2}`, now), scratch);
    expect(i).toBe(1_024);
    const first = writer.take()!;
    expect(first.records).toBe(1_024);
    expect(first.frames.map(([, stored]) => stored.destination.logStream).sort()).toEqual(['s0', 's1']);

    const big = 'ü'.repeat(900); // 1,800 bytes, under the 2,000-byte limit
    let n = 0;
    while (!writer.full) {
      writer.encode(application, entry(big, 's0', now), scratch);
      n++;
    }
    const second = writer.take()!;
    expect(second.records).toBe(n);
    expect(second.fragments.byteLength).toBeGreaterThanOrEqual(1_048_576);
    expect(second.frames).toEqual([]); // s0's frame is known on the other side
    expect(writer.take()).toBeUndefined();
  });

  test('frames with length-prefixed openings (protobuf) arrive as Buffers, byte for byte, each part in a buffer of its own', () => {
    // Parts of a frame as codecs make them: small slices of Node's shared 64 KiB buffer pool.
    const frame: RequestFrame = {
      head: Buffer.from([0x0a, 0x01]),
      separator: Buffer.from(''),
      tail: Buffer.from([0x12, 0x00]),
      maxRequestBytes: 1_000,
      lengthDelimited: [Buffer.from([0x0a]), Buffer.from([0x12, 0x34])],
    };
    expect(frame.head.buffer.byteLength).toBeGreaterThan(1_000);
    class ProtoExporter extends MemoryExporter {
      override frame(): RequestFrame {
        return frame;
      }
    }
    const writer = new EncodedChunkWriter();
    writer.encode(new ProtoExporter(smallLimits()), entry('hello', 's', Date.now()), emptyEncodedRecord());
    const chunk = overTheThreadBoundary(writer.take()!);
    // What crossed holds the frame's bytes, not the pools they were cut from.
    const [, crossed] = chunk.frames[0]!;
    for (const part of [crossed.head, crossed.separator, crossed.tail, ...crossed.lengthDelimited!]) expect(part.buffer.byteLength).toBe(part.byteLength);
    const seen: Array<{ frame: RequestFrame; fragment: string }> = [];
    new EncodedChunkReader().read(chunk, (stored, source, start, length) => seen.push({ frame: stored.frame, fragment: source.toString('utf8', start, start + length) }));
    expect(seen).toHaveLength(1);
    const arrived = seen[0]!.frame;
    for (const part of [arrived.head, arrived.separator, arrived.tail, ...arrived.lengthDelimited!]) expect(Buffer.isBuffer(part)).toBe(true);
    expect(arrived).toEqual(frame);
    expect(JSON.parse(seen[0]!.fragment)).toMatchObject({ m: 'hello' });
  });

  test('past 4,096 frames both sides forget them and start over: every record still gets its own destination', () => {
    const writer = new EncodedChunkWriter();
    const reader = new EncodedChunkReader();
    const application = new MemoryExporter(smallLimits());
    const scratch = emptyEncodedRecord();
    const now = Date.now();
    const arrived: string[] = [];
    let resets = 0;
    const handOver = () => {
      const taken = writer.take();
      if (!taken) return;
      const chunk = overTheThreadBoundary(taken);
      if (chunk.resetFrames) resets++;
      reader.read(chunk, (stored, source, start, length) => arrived.push(`${stored.destination.logStream} ${JSON.parse(source.toString('utf8', start, start + length)).m}`));
    };
    const sent: string[] = [];
    for (let i = 0; i < 9_000; i++) {
      const stream = `s${i % 4_500}`; // each stream twice, 4,500 records apart
      writer.encode(application, entry(`r${i}`, stream, now), scratch);
      sent.push(`${stream} r${i}`);
      if (writer.length === 300) handOver();
    }
    handOver();
    expect(resets).toBeGreaterThan(0);
    expect(arrived).toEqual(sent);
  });

  test("a codec whose frame fails: its records are counted invalid_record and leave nothing behind; the others go on", () => {
    class BrokenFrameExporter extends MemoryExporter {
      override frame(destination?: Destination): RequestFrame {
        if (destination?.logStream === 'broken') throw new Error('no frame');
        return super.frame();
      }
    }
    const application = new BrokenFrameExporter(smallLimits());
    const writer = new EncodedChunkWriter();
    const scratch = emptyEncodedRecord();
    const now = Date.now();
    const accepted = ['ok', 'broken', 'ok', 'broken', 'other'].map((stream, i) => writer.encode(application, entry(`r${i}`, stream, now), scratch));
    expect(accepted).toEqual([true, false, true, false, true]);
    expect(application.metrics.snapshot().dropped).toEqual({ invalid_record: 2 });
    const streams: string[] = [];
    new EncodedChunkReader().read(overTheThreadBoundary(writer.take()!), (stored) => streams.push(stored.destination.logStream));
    expect(streams).toEqual(['ok', 'ok', 'other']);
  });

  test('a chunk that names a frame never announced (a reader that missed it) is refused whole, before any record', () => {
    const writer = new EncodedChunkWriter();
    writer.encode(new MemoryExporter(smallLimits()), entry('hello', 's', Date.now()), emptyEncodedRecord());
    const orphan = { ...overTheThreadBoundary(writer.take()!), frames: [] };
    let records = 0;
    expect(() => new EncodedChunkReader().read(orphan, () => records++)).toThrow(/unknown request frame 0/);
    expect(records).toBe(0);
  });
});
