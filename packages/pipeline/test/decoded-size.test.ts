import { describe, expect, it } from 'vitest';
import { countJsonNodes, countProtobufMessages, estimateDecodedBytes } from '../src/otlp/decoded-size.ts';
import { encodeLogsRequestProtobuf } from '../src/otlp/proto.ts';

const request = {
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
      scopeLogs: [
        {
          scope: { name: 's', attributes: [{ key: 'k', value: { boolValue: true } }] },
          logRecords: [
            { body: { stringValue: 'a "{[" b' }, attributes: [{ key: 'n', value: { intValue: 7 } }], traceId: Buffer.alloc(16, 1) },
            { body: { arrayValue: { values: [{ stringValue: 'x' }, { kvlistValue: { values: [{ key: 'y', value: { doubleValue: 1.5 } }] } }] } } },
          ],
        },
      ],
    },
  ],
};
// resourceLogs, resource, its KeyValue and AnyValue; scopeLogs, scope, its KeyValue and AnyValue; record 1, its body,
// KeyValue and AnyValue; record 2, its body, ArrayValue, 2 AnyValues, KeyValueList, KeyValue, AnyValue.
const MESSAGES = 4 + 4 + 4 + 8;

describe('decoded size estimate', () => {
  it('counts the objects and arrays JSON.parse creates, not braces inside strings or escaped quotes', () => {
    expect(countJsonNodes(Buffer.from(String.raw`{"a":"{[\"}","b":[{},{"c":"\\"}],"d":"]"}`))).toBe(4);
    const text = JSON.stringify(request);
    let objects = 0;
    JSON.parse(text, function (_key, value: unknown) {
      if (typeof value === 'object' && value !== null) objects++;
      return value;
    });
    expect(countJsonNodes(Buffer.from(text))).toBe(objects);
  });

  it('counts the messages of a protobuf ExportLogsServiceRequest by its schema', () => {
    const body = encodeLogsRequestProtobuf(request);
    expect(countProtobufMessages(body)).toBe(MESSAGES);
    // Cut off anywhere: a count so far, never an exception (the decoder refuses the body).
    for (let end = 0; end < body.length; end++) expect(countProtobufMessages(body.subarray(0, end))).toBeLessThanOrEqual(MESSAGES);
  });

  it('walks any nesting depth without recursion', () => {
    // A record body that is an array holding an array holding…, 100,000 deep: AnyValue.array_value (field 5) →
    // ArrayValue.values (field 1) → AnyValue… Each nested field ends where its parent does, so the body is every
    // field header, outermost first, then the innermost AnyValue { string_value: "x" }.
    const depth = 100_000;
    const innermost = [0x0a, 0x01, 0x78];
    const fields = [1, 2, 2, 5, ...Array.from({ length: depth }, () => [5, 1]).flat()]; // request → resourceLogs → scopeLogs → logRecords → body → …
    const headers: number[][] = [];
    let size = innermost.length;
    for (let f = fields.length - 1; f >= 0; f--) {
      const varint: number[] = [];
      for (let n = size; ; n = Math.floor(n / 128)) {
        if (n < 0x80) {
          varint.push(n);
          break;
        }
        varint.push((n & 0x7f) | 0x80);
      }
      headers.push([(fields[f]! << 3) | 2, ...varint]);
      size += headers[headers.length - 1]!.length;
    }
    const body = Uint8Array.from([...headers.reverse().flat(), ...innermost]);
    expect(body.length).toBe(size);
    // resourceLogs, scopeLogs, the record, its body; then an ArrayValue and an AnyValue a level.
    expect(countProtobufMessages(body)).toBe(4 + 2 * depth);
  });

  it('estimates at least the body size and more for many small objects', () => {
    const few = Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x'.repeat(10_000) } }] }] }] }));
    expect(estimateDecodedBytes(few, 'json')).toBeGreaterThan(few.length);
    expect(estimateDecodedBytes(few, 'json')).toBeLessThan(2 * few.length);
    const many = Buffer.from(JSON.stringify({ resourceLogs: Array.from({ length: 1_000 }, () => ({ scopeLogs: [{ logRecords: [{}] }] })) }));
    expect(estimateDecodedBytes(many, 'json')).toBeGreaterThan(20 * many.length);
  });
});
