import type { OtlpEncoding } from './request.ts';

/**
 * What decoding a request costs in memory, per object of the decoded tree, covering the tree itself and what the
 * gateway derives from it (entries, routed records, processor output). Measured as the growth of the gateway's
 * RSS over one request of many records (tiny ones, ordinary ones, many attributes, nested bodies): up to about
 * 250 bytes per JSON object or array and 570 per protobuf message (protobufjs builds a message tree, then a plain
 * object tree beside it); fewer where attributes dominate. Rounded up to those.
 */
const JSON_NODE_BYTES = 256;
const PROTOBUF_MESSAGE_BYTES = 576;

/**
 * An estimate, taken before decoding, of the memory a request takes once decoded: its objects (counted by a
 * scan of the body that allocates nothing) times their cost, plus the decoded strings (at most the body again).
 */
export function estimateDecodedBytes(body: Uint8Array, encoding: OtlpEncoding): number {
  return body.length + (encoding === 'json' ? countJsonNodes(body) * JSON_NODE_BYTES : countProtobufMessages(body) * PROTOBUF_MESSAGE_BYTES);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/** The objects and arrays `JSON.parse` would create: `{` and `[` outside strings. */
export function countJsonNodes(body: Uint8Array): number {
  let nodes = 0;
  let i = 0;
  const length = body.length;
  while (i < length) {
    const byte = body[i]!;
    if (byte === QUOTE) {
      // Skip the string: to the next quote that no backslash escapes.
      i++;
      while (i < length) {
        const inner = body[i]!;
        if (inner === QUOTE) break;
        i += inner === BACKSLASH ? 2 : 1;
      }
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      nodes++;
    }
    i++;
  }
  return nodes;
}

// Message types of ExportLogsServiceRequest, and for each the field numbers that hold a message of which type
// (see the schema in proto.ts). Other fields are skipped.
const REQUEST = 0;
const RESOURCE_LOGS = 1;
const RESOURCE = 2;
const SCOPE_LOGS = 3;
const SCOPE = 4;
const LOG_RECORD = 5;
const KEY_VALUE = 6;
const ANY_VALUE = 7;
const ARRAY_VALUE = 8;
const KEY_VALUE_LIST = 9;
const NO_MESSAGE = -1;
const SUBMESSAGES: readonly (readonly number[])[] = [
  /* REQUEST */ [NO_MESSAGE, RESOURCE_LOGS],
  /* RESOURCE_LOGS */ [NO_MESSAGE, RESOURCE, SCOPE_LOGS],
  /* RESOURCE */ [NO_MESSAGE, KEY_VALUE],
  /* SCOPE_LOGS */ [NO_MESSAGE, SCOPE, LOG_RECORD],
  /* SCOPE */ [NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, KEY_VALUE],
  /* LOG_RECORD */ [NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, ANY_VALUE, KEY_VALUE],
  /* KEY_VALUE */ [NO_MESSAGE, NO_MESSAGE, ANY_VALUE],
  /* ANY_VALUE */ [NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, NO_MESSAGE, ARRAY_VALUE, KEY_VALUE_LIST],
  /* ARRAY_VALUE */ [NO_MESSAGE, ANY_VALUE],
  /* KEY_VALUE_LIST */ [NO_MESSAGE, KEY_VALUE],
];

/**
 * The messages a protobuf `ExportLogsServiceRequest` decodes into, by a walk of the wire format that follows the
 * schema without recursion (nesting depth costs no stack). Malformed input ends the walk with the count so far:
 * the decoder refuses it at the same place.
 */
export function countProtobufMessages(body: Uint8Array): number {
  // The open messages: where each ends and its type (the request itself at the bottom).
  const ends: number[] = [body.length];
  const types: number[] = [REQUEST];
  let end = body.length;
  let type = REQUEST;
  let messages = 0;
  let i = 0;
  const length = body.length;
  while (i < length) {
    while (i >= end) {
      ends.pop();
      types.pop();
      end = ends[ends.length - 1]!;
      type = types[types.length - 1]!;
    }
    // Field tags and lengths are varints; tags of these messages fit in one byte, most lengths in one or two.
    let tag = body[i++]!;
    if (tag >= 0x80) {
      const read = readVarint(body, i - 1);
      if (read < 0) return messages;
      tag = varintValue;
      i = read;
    }
    const wireType = tag & 7;
    if (wireType === 0) {
      while (i < length && body[i++]! >= 0x80);
    } else if (wireType === 1) {
      i += 8;
    } else if (wireType === 5) {
      i += 4;
    } else if (wireType === 2) {
      const read = readVarint(body, i);
      if (read < 0) return messages;
      i = read;
      const fieldEnd = i + varintValue;
      if (fieldEnd > end) return messages;
      const child = SUBMESSAGES[type]![Math.floor(tag / 8)] ?? NO_MESSAGE;
      if (child === NO_MESSAGE) {
        i = fieldEnd;
      } else {
        messages++;
        ends.push((end = fieldEnd));
        types.push((type = child));
      }
    } else {
      return messages;
    }
  }
  return messages;
}

// The value of the last varint `readVarint` read: a module variable, so that reading one allocates nothing.
let varintValue = 0;

/** Reads the varint at `at` into `varintValue`; returns where it ends, or -1 when it is cut off or too long. */
function readVarint(body: Uint8Array, at: number): number {
  let value = 0;
  let scale = 1;
  for (let i = at; i < body.length && i < at + 5; i++) {
    const byte = body[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      varintValue = value;
      return i + 1;
    }
    scale *= 128;
  }
  return -1;
}
