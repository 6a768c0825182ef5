import { describe, expect, test } from 'vitest';
import { Batcher, EncodedBatch, emptyEncodedRecord, setFragment, type Destination, type LogEntry, type ProviderLimits, type RecordCodec, type RequestFrame } from '@otel-cloud-logs/core';

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
});
