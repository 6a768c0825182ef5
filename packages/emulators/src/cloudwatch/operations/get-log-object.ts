import { crc32 } from 'node:zlib';
import { CloudWatchError, validationError } from '../errors.ts';
import { optionalBoolean, requiredString, type RequestBody } from '../fields.ts';
import { RawOutput, type OperationContext } from './context.ts';

/** One AWS event-stream message: prelude (lengths, CRC-32), string headers, payload, CRC-32 of all before it. */
function eventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const encodedHeaders = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const nameBytes = Buffer.from(name, 'utf8');
      const valueBytes = Buffer.from(value, 'utf8');
      const header = Buffer.alloc(1 + nameBytes.length + 1 + 2);
      header.writeUInt8(nameBytes.length, 0);
      nameBytes.copy(header, 1);
      header.writeUInt8(7, 1 + nameBytes.length); // string
      header.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
      return Buffer.concat([header, valueBytes]);
    }),
  );
  const total = 12 + encodedHeaders.length + payload.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(encodedHeaders.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const body = Buffer.concat([prelude, encodedHeaders, payload]);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, trailer]);
}

/**
 * GetLogObject: the whole value of a field that an event over 1 MB had cut (a large log object), streamed as the
 * service does: an event stream of `fields` events, each carrying `{"data": <base64 blob>}` (one event here).
 */
export function getLogObject(body: RequestBody, context: OperationContext): RawOutput {
  const pointer = requiredString(body, 'logObjectPointer');
  if (pointer.length < 1 || pointer.length > 512) throw validationError('logObjectPointer', pointer, 'have length between 1 and 512');
  optionalBoolean(body, 'unmask'); // no data protection policies in the emulator: nothing is masked
  const object = context.store.logObjects.get(pointer);
  if (!object) throw new CloudWatchError('ResourceNotFoundException', 'The specified log object does not exist.');
  const payload = Buffer.from(JSON.stringify({ data: Buffer.from(object.value, 'utf8').toString('base64') }));
  const event = eventStreamMessage({ ':message-type': 'event', ':event-type': 'fields', ':content-type': 'application/json' }, payload);
  return new RawOutput({ status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, body: event });
}
