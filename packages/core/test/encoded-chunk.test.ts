import { deserialize, serialize } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { emptyEncodedRecord, type LogEntry, type RequestFrame } from '@otel-cloud-logs/core';
import { entryFromFields } from '../src/model.ts';
import { BatchQueue } from '../src/batch-queue.ts';
import { EncodedChunkReader, EncodedChunkWriter, type EncodedChunk } from '../src/encoded-chunk.ts';
import type { BatchQueueOptions } from '../src/record-queue.ts';
import { HOUR, MemoryExporter, smallLimits } from './support/memory-exporter.ts';

const QUEUE: BatchQueueOptions = { scheduledDelayMillis: 5, maxQueueBytes: 16 * 1024 * 1024, overflow: 'drop_newest', maxConcurrentExports: 1 };

/** What postMessage does to a chunk: structured cloning (Buffers arrive as plain Uint8Arrays, objects as copies). */
function overTheThreadBoundary(chunk: EncodedChunk): EncodedChunk {
  return deserialize(serialize(chunk)) as EncodedChunk;
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
      if (chunk) reader.read(overTheThreadBoundary(chunk), (stored, source, start, length, size, time) => workerQueue.enqueueEncoded(stored, source, start, length, size, time));
    };
    for (const e of entries) {
      writer.encode(application, e, scratch);
      if (writer.full) handOver();
    }
    handOver();
    await drained(workerQueue);

    expect(worker.requests).toEqual(direct.requests);
    expect(worker.requests.length).toBeGreaterThan(3);
    const counted = application.metrics.snapshot();
    const expected = direct.metrics.snapshot();
    expect(counted.dropped).toEqual(expected.dropped);
    expect(counted.dropped).toMatchObject({ too_old: expect.any(Number), empty_message: expect.any(Number) });
    expect(counted.truncated).toBe(expected.truncated);
    expect(counted.truncated).toBeGreaterThan(0);
    expect(worker.metrics.snapshot().exported).toBe(expected.exported);
  });

  test('a chunk goes at 1,024 records or 1 MiB of fragments; frames travel once, and again after the ids start over', () => {
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

  test('frames with length-prefixed openings (protobuf) arrive as Buffers, byte for byte; an unknown frame id is an error', () => {
    const frame: RequestFrame = {
      head: Buffer.from([0x0a, 0x01]),
      separator: Buffer.alloc(0),
      tail: Buffer.from([0x12, 0x00]),
      maxRequestBytes: 1_000,
      lengthDelimited: [Buffer.from([0x0a]), Buffer.from([0x12, 0x34])],
    };
    class ProtoExporter extends MemoryExporter {
      override frame(): RequestFrame {
        return frame;
      }
    }
    const writer = new EncodedChunkWriter();
    writer.encode(new ProtoExporter(smallLimits()), entry('hello', 's', Date.now()), emptyEncodedRecord());
    const chunk = overTheThreadBoundary(writer.take()!);
    const seen: Array<{ frame: RequestFrame; fragment: string }> = [];
    new EncodedChunkReader().read(chunk, (stored, source, start, length) => seen.push({ frame: stored.frame, fragment: source.toString('utf8', start, start + length) }));
    expect(seen).toHaveLength(1);
    const arrived = seen[0]!.frame;
    for (const part of [arrived.head, arrived.separator, arrived.tail, ...arrived.lengthDelimited!]) expect(Buffer.isBuffer(part)).toBe(true);
    expect(arrived).toEqual(frame);
    expect(JSON.parse(seen[0]!.fragment)).toMatchObject({ m: 'hello' });

    // A reader that missed the frame (a worker restarted) refuses the chunk instead of guessing.
    const orphan = { ...chunk, frames: [] };
    expect(() => new EncodedChunkReader().read(orphan, () => undefined)).toThrow(/unknown request frame 0/);
  });
});
