// Counts the LogRecords of an OTLP/protobuf ExportLogsServiceRequest without a protobuf library: walks
// field 1 (ResourceLogs) → field 2 (ScopeLogs) → field 2 (LogRecord) and skips every other field by wire type.

function readVarint(buffer: Uint8Array, position: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let index = position; index < position + 10; index++) {
    if (index >= buffer.length) throw new RangeError('protobuf: truncated varint');
    const byte = buffer[index]!;
    value += (byte & 0x7f) * scale; // multiplication, not <<: lengths may pass 2^31
    if (byte < 0x80) return { value, next: index + 1 };
    scale *= 128;
  }
  throw new RangeError('protobuf: varint longer than 10 bytes');
}

/** Calls `visit` with the bounds of every length-delimited field `wanted` in buffer[start, end). */
function forEachField(buffer: Uint8Array, start: number, end: number, wanted: number, visit: (start: number, end: number) => void): void {
  let position = start;
  while (position < end) {
    const tag = readVarint(buffer, position);
    position = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (wireType === 0) position = readVarint(buffer, position).next;
    else if (wireType === 1) position += 8;
    else if (wireType === 5) position += 4;
    else if (wireType === 2) {
      const length = readVarint(buffer, position);
      position = length.next;
      if (position + length.value > end) throw new RangeError('protobuf: field runs past its message');
      if (field === wanted) visit(position, position + length.value);
      position += length.value;
    } else throw new RangeError(`protobuf: unsupported wire type ${wireType}`);
  }
  if (position !== end) throw new RangeError('protobuf: message ends inside a field');
}

export function countOtlpProtoLogRecords(body: Uint8Array): number {
  let records = 0;
  forEachField(body, 0, body.length, 1, (resourceStart, resourceEnd) =>
    forEachField(body, resourceStart, resourceEnd, 2, (scopeStart, scopeEnd) =>
      forEachField(body, scopeStart, scopeEnd, 2, () => {
        records++;
      }),
    ),
  );
  return records;
}
