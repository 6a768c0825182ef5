// Base-128 varints (protobuf's, and the spool's acks). Arithmetic, not bit operators: values may exceed 32 bits
// (spool sequence numbers, lengths), up to Number.MAX_SAFE_INTEGER.

/** Bytes of `value` (≥ 0) as a varint. */
export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/** Writes `value` (≥ 0) as a varint at `at`; returns where it ends. */
export function writeVarint(target: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    target[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  target[at++] = value;
  return at;
}
