import type { CloudWatchEntity } from './config.ts';
import {
  envelopeJson,
  setFragment,
  renderAnyValue,
  truncateUtf8,
  truncationMarker,
  utf8ByteLength,
  type Destination,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
  type RequestFrame,
} from '@otel-cloud-logs/core';

export { truncationMarker };

/** One PutLogEvents event's message with the size CloudWatch counts for it (UTF-8 bytes of the message). */
export interface CloudWatchEvent {
  readonly timeMillis: number;
  readonly size: number;
  readonly message: string;
}

/** The PutLogEvents request body (AWS JSON 1.1). */
export interface PutLogEventsRequest {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly logEvents: ReadonlyArray<{ readonly timestamp: number; readonly message: string }>;
  readonly entity?: CloudWatchEntity;
}

export type MessageFormat = 'json' | 'text';

/**
 * The CloudWatch message of a record. 'text': the body rendered as text. 'json': core's JSON envelope (body,
 * severity, attributes without routing attributes, trace context), which Logs Insights can query field by field.
 */
export function formatMessage(entry: LogEntry, format: MessageFormat): string {
  return format === 'text' ? renderAnyValue(entry.body) : envelopeJson(entry, NO_RESOURCE);
}

const NO_RESOURCE = { resource: false, scope: false } as const;

const EMPTY_MESSAGE: InvalidEvent = {
  invalid: 'empty_message',
  message: "CloudWatch refuses empty messages; a record with an empty body was dropped (use messageFormat: 'json' to keep such records)",
};

/**
 * Writes a message as its PutLogEvents event (`{"timestamp":…,"message":"…"}`), the record's wire fragment.
 * `jsonText`: the message is JSON text (the envelope), which holds no lone surrogate, so every character that
 * escaping adds is one ASCII byte and the message's own size follows from the fragment's without another pass.
 */
function writeEvent(message: string, timeMillis: number, jsonText: boolean, out: EncodedRecord): void {
  const fragment = `{"timestamp":${timeMillis},"message":${JSON.stringify(message)}}`;
  setFragment(out, fragment);
  out.size = jsonText ? out.fragmentBytes - (fragment.length - message.length) : utf8ByteLength(message);
  out.timeMillis = timeMillis;
  out.frameKey = '';
}

/** Encodes a record into its PutLogEvents event; an empty message is invalid for the service. */
export function encodeCloudWatchEvent(entry: LogEntry, format: MessageFormat, out: EncodedRecord): InvalidEvent | undefined {
  const message = formatMessage(entry, format);
  if (message.length === 0) return EMPTY_MESSAGE;
  writeEvent(message, entry.timeMillis, format === 'json', out);
  return undefined;
}

/** Encodes a record cut to `maxSize` message bytes (see `truncateEvent`); false when it cannot be cut. */
export function encodeTruncatedCloudWatchEvent(entry: LogEntry, format: MessageFormat, maxSize: number, out: EncodedRecord): boolean {
  const message = formatMessage(entry, format);
  const cut = truncateEvent({ timeMillis: entry.timeMillis, size: utf8ByteLength(message), message }, maxSize, format);
  if (!cut) return false;
  // A cut envelope is still JSON text, but a text cut may end in a marker after any character: count it exactly.
  writeEvent(cut.message, entry.timeMillis, false, out);
  return true;
}

/** The bytes around the events of a PutLogEvents body: the same text as `JSON.stringify` of the request. */
export function putLogEventsFrame(destination: Destination, maxRequestBytes: number, entity?: CloudWatchEntity): RequestFrame {
  return {
    head: Buffer.from(`{"logGroupName":${JSON.stringify(destination.logGroup)},"logStreamName":${JSON.stringify(destination.logStream)},"logEvents":[`),
    separator: Buffer.from(','),
    tail: Buffer.from(entity ? `],"entity":${JSON.stringify(entity)}}` : ']}'),
    maxRequestBytes,
  };
}

/**
 * Cuts an event so that it fits in `maxSize` bytes, with a visible marker. A 'json' envelope stays valid JSON:
 * its largest values (the body, then attributes) are cut, each ending with the marker, and severity and trace
 * context are kept. Otherwise (or when that cannot fit) the message is cut at a UTF-8 boundary.
 */
export function truncateEvent(event: CloudWatchEvent, maxSize: number, format: MessageFormat = 'text'): CloudWatchEvent | undefined {
  const marker = truncationMarker(event.size);
  const message = (format === 'json' ? truncateEnvelope(event.message, marker, maxSize) : undefined) ?? truncateText(event.message, marker, maxSize);
  return message === undefined ? undefined : { timeMillis: event.timeMillis, size: utf8ByteLength(message), message };
}

function truncateText(message: string, marker: string, maxSize: number): string | undefined {
  const room = maxSize - utf8ByteLength(marker);
  return room > 0 ? truncateUtf8(message, room) + marker : undefined;
}

/** Bytes a value takes in JSON.stringify output. */
function jsonBytes(value: unknown): number {
  return utf8ByteLength(JSON.stringify(value) ?? '');
}

/** Shrinks the largest values of a JSON envelope until it fits; undefined when that is not enough. */
function truncateEnvelope(message: string, marker: string, maxSize: number): string | undefined {
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(message) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const attributes = (typeof envelope.attributes === 'object' && envelope.attributes !== null ? envelope.attributes : {}) as Record<string, unknown>;
  const slots = [{ holder: envelope, key: 'body' }, ...Object.keys(attributes).map((key) => ({ holder: attributes, key }))].map((slot) => {
    const value = slot.holder[slot.key];
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    return { ...slot, text, textBytes: utf8ByteLength(text), valueBytes: jsonBytes(value) };
  });
  slots.sort((a, b) => b.textBytes - a.textBytes);
  const markerBytes = utf8ByteLength(marker);
  // JSON.stringify output is compositional, so the size is updated value by value instead of re-serialising.
  let size = utf8ByteLength(message);
  for (const slot of slots) {
    if (size <= maxSize || slot.textBytes <= markerBytes) break;
    let keep = slot.textBytes;
    while (size > maxSize && keep > 0) {
      // Escaping only makes a kept byte cost more, so each round removes at least the excess.
      keep = Math.max(0, keep - (size - maxSize) - markerBytes);
      const cut = truncateUtf8(slot.text, keep) + marker;
      const cutBytes = jsonBytes(cut);
      size += cutBytes - slot.valueBytes;
      slot.valueBytes = cutBytes;
      slot.holder[slot.key] = cut;
    }
  }
  if (size > maxSize) return undefined;
  const text = JSON.stringify(envelope);
  return utf8ByteLength(text) <= maxSize ? text : undefined;
}
