/** UTF-8 byte length of a string: every provider limit is in bytes, never UTF-16 code units. */
export function utf8ByteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts `text` so that its UTF-8 encoding is at most `maxBytes`, never splitting a code point
 * (a lone surrogate would otherwise become U+FFFD, three bytes, and break the budget).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (text.length * 3 <= maxBytes || utf8ByteLength(text) <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut code point.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Appended to every cut value, by every exporter, so that nobody mistakes it for the whole record. */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated by otel-cloud-logs: ${originalBytes} bytes]`;
}
