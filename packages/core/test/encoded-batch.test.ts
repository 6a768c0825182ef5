import { describe, expect, test } from 'vitest';
import { Batcher, EncodedBatch, binaryFragmentBuffer, emptyEncodedRecord, setBinaryFragment, setFragment, type Destination, type LogEntry, type ProviderLimits, type RecordCodec, type RequestFrame } from '@otel-cloud-logs/core';

const frame: RequestFrame = { head: Buffer.from('{"events":['), separator: Buffer.from(','), tail: Buffer.from(']}'), maxRequestBytes: 100 };

describe('EncodedBatch', () => {
  test('the body is head, fragments joined as on the wire, tail; built once and reused', () => {
    const batch = new EncodedBatch(frame, 26, 0); // capacity 0: every append has to grow the buffer
    batch.append('"a"', 3, 1, 10);
    batch.append('"日本"', 8, 2, 5);
    batch.appendBytes(Buffer.from('"😀"'), 3, 20);
    const body = batch.body();
    expect(body.toString()).toBe('{"events":["a","日本","😀"]}');
    expect(batch.body()).toBe(body);
    expect(batch.length).toBe(3);
    expect(batch.requestBytes).toBe(1 + 2 + 3 + 3 * 26);
    expect(batch.fragmentBytes).toBe(3 + 8 + 6);
    expect(batch.heldBytes).toBe(3 + 8 + 6 + 2);
    expect([batch.earliestTime, batch.latestTime, batch.inTimeOrder]).toEqual([5, 20, false]);
    expect(batch.fragmentAt(1).toString()).toBe('"日本"');
  });

  test('sorted() is a stable time-ordered copy; filter() keeps the chosen records in order', () => {
    const batch = new EncodedBatch(frame, 0);
    [['"x"', 30], ['"y"', 10], ['"z"', 30], ['"w"', 10]].forEach(([text, time]) => batch.append(text as string, 3, 1, time as number));
    expect(batch.sorted().body().toString()).toBe('{"events":["y","w","x","z"]}');
    const kept = batch.filter((index) => index % 2 === 1);
    expect(kept.body().toString()).toBe('{"events":["y","w"]}');
    expect([kept.length, kept.requestBytes, kept.timeAt(1)]).toEqual([2, 2, 10]);
  });

  test('many large records: slots and buffer grow without losing a byte', () => {
    const batch = new EncodedBatch(frame, 1);
    const parts: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const text = JSON.stringify(`${i}:${'é'.repeat(i % 50)}`);
      parts.push(text);
      batch.append(text, Buffer.byteLength(text), i, i);
    }
    expect(batch.body().toString()).toBe(`{"events":[${parts.join(',')}]}`);
    expect(batch.sizeAt(2_999)).toBe(2_999);
  });
});

describe('EncodedBatch with a length-prefixed frame (protobuf nesting)', () => {
  /** A protobuf-like frame: outer message 0x0A, inner opening 0x12 after a 3-byte header, head 'H'. */
  const nested: RequestFrame = {
    head: Buffer.from('H'),
    separator: Buffer.alloc(0),
    tail: Buffer.from('T'),
    maxRequestBytes: 1 << 30,
    lengthDelimited: [Buffer.of(0x0a), Buffer.from([0x61, 0x62, 0x63, 0x12])],
  };
  const varint = (value: number): number[] => {
    const out: number[] = [];
    for (; value >= 0x80; value = Math.floor(value / 0x80)) out.push((value % 0x80) | 0x80);
    out.push(value);
    return out;
  };

  test.each([0, 1, 124, 125, 126, 127, 128, 16_381, 16_382, 16_383, 16_384, 300_000])('%i record bytes: each length covers what follows it, varints canonical', (recordBytes) => {
    const batch = new EncodedBatch(nested, 26, 0);
    if (recordBytes > 0) batch.appendBytes(Buffer.alloc(recordBytes, 0x78), recordBytes, 1);
    const inner = 1 + recordBytes + 1; // head + records + tail
    const outer = 4 + varint(inner).length + inner;
    const expected = Buffer.concat([Buffer.of(0x0a, ...varint(outer), 0x61, 0x62, 0x63, 0x12, ...varint(inner)), Buffer.from('H'), Buffer.alloc(recordBytes, 0x78), Buffer.from('T')]);
    expect(batch.body().equals(expected)).toBe(true);
    expect(batch.heldBytes).toBe(recordBytes);
    if (recordBytes > 0) expect(batch.fragmentAt(0).length).toBe(recordBytes);
  });

  test('copies (sorted, filtered) keep the frame and rebuild their own prefixes', () => {
    const batch = new EncodedBatch(nested, 0);
    batch.appendBytes(Buffer.from('bb'), 2, 20);
    batch.appendBytes(Buffer.from('a'), 1, 10);
    const sorted = batch.sorted().body();
    expect(sorted.subarray(sorted.length - 5).toString()).toBe('HabbT');
    expect(sorted[1]).toBe(4 + 1 + 5);
    const kept = batch.filter((index) => index === 0).body();
    expect([...kept.subarray(0, 7)]).toEqual([0x0a, 4 + 1 + 4, 0x61, 0x62, 0x63, 0x12, 4]);
  });
});

describe('Batcher', () => {
  const destination: Destination = { logGroup: 'g', logStream: 's', accountId: '' };
  const limits: ProviderLimits = { maxRequestBytes: 100, perEventOverheadBytes: 10, maxEventsPerRequest: 3, maxEventBytes: 90, maxSpanMillis: 1_000, chronological: true, timeWindowMarginMillis: 0 };
  const codec: RecordCodec = {
    limits,
    destinationDefaults: {},
    checkDestination: () => undefined,
    encode: () => undefined,
    truncate: () => false,
    frame: () => ({ ...frame, maxRequestBytes: limits.maxRequestBytes }),
  };
  const entry: LogEntry = { timeUnixNano: 0n, timeMillis: 0, body: '', attributes: {}, resource: {}, destination };

  function run(records: Array<[size: number, time: number]>) {
    const sealed: EncodedBatch[] = [];
    const batcher = new Batcher(codec, (_destination, batch) => sealed.push(batch));
    const out = emptyEncodedRecord();
    for (const [size, time] of records) {
      setFragment(out, JSON.stringify(`${size}@${time}`));
      out.size = size;
      out.timeMillis = time;
      batcher.add(entry, out, 0);
    }
    batcher.sealAll();
    return sealed.map((batch) => JSON.parse(batch.body().toString()).events as string[]);
  }

  test('fills a request exactly to its byte budget (with the per-event overhead) and seals it', () => {
    // 40 + 10 + 40 + 10 = 100: full, sealed at once; the next record opens a new request.
    expect(run([[40, 1], [40, 2], [1, 3]])).toEqual([['40@1', '40@2'], ['1@3']]);
    expect(run([[40, 1], [41, 2]])).toEqual([['40@1'], ['41@2']]);
  });

  test('seals at the record count and keeps span-wide time slots apart; sorts each request by time', () => {
    expect(run([[1, 5], [1, 4], [1, 3], [1, 2]])).toEqual([['1@3', '1@4', '1@5'], ['1@2']]);
    expect(run([[1, 999], [1, 1_000], [1, 998]])).toEqual([['1@998', '1@999'], ['1@1000']]);
  });

  test("binary fragments (written into the record's own buffer) go into the request as they are, string ones after them", () => {
    const sealed: EncodedBatch[] = [];
    const batcher = new Batcher(codec, (_destination, batch) => sealed.push(batch));
    const out = emptyEncodedRecord();
    const bytes = binaryFragmentBuffer(out, 3);
    bytes.set([0x22, 0xff, 0x22]);
    setBinaryFragment(out, 3);
    out.size = 1;
    batcher.add(entry, out, 0);
    expect(binaryFragmentBuffer(out, 2)).toBe(bytes); // kept for the next record
    setFragment(out, '"s"');
    batcher.add(entry, out, 0);
    batcher.sealAll();
    expect([...sealed[0]!.body()]).toEqual([...Buffer.from('{"events":['), 0x22, 0xff, 0x22, 0x2c, ...Buffer.from('"s"]}')]);
  });
});
