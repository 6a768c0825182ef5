import type { CloudWatchEntity } from './config.ts';
import { ROUTING_ATTRIBUTES, renderAnyValue, toJsonValue, truncateUtf8, truncationMarker, utf8ByteLength, type Destination, type InvalidEvent, type LogEntry, type WireEvent } from '@otel-cloud-logs/core';

export { truncationMarker };

/** One PutLogEvents event with the size CloudWatch counts for it (UTF-8 bytes of the message). */
export interface CloudWatchEvent extends WireEvent {
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

const ROUTING_KEYS = new Set<string>(Object.values(ROUTING_ATTRIBUTES));

/**
 * The CloudWatch message of a record. 'text': the body rendered as text. 'json': one JSON object with the
 * body, severity, attributes (routing attributes left out: they name the destination) and trace context,
 * which Logs Insights can query field by field.
 */
export function formatMessage(entry: LogEntry, format: MessageFormat): string {
  if (format === 'text') return renderAnyValue(entry.body);
  const envelope: Record<string, unknown> = { body: toJsonValue(entry.body) };
  if (entry.severityText !== undefined) envelope.severityText = entry.severityText;
  if (entry.severityNumber !== undefined) envelope.severityNumber = entry.severityNumber;
  if (entry.eventName) envelope.eventName = entry.eventName;
  const attributes: Record<string, unknown> = {};
  let hasAttributes = false;
  for (const key of Object.keys(entry.attributes).sort()) {
    if (ROUTING_KEYS.has(key)) continue;
    attributes[key] = toJsonValue(entry.attributes[key]);
    hasAttributes = true;
  }
  if (hasAttributes) envelope.attributes = attributes;
  if (entry.traceId) envelope.traceId = entry.traceId;
  if (entry.spanId) envelope.spanId = entry.spanId;
  if (entry.traceFlags !== undefined && entry.traceId) envelope.traceFlags = entry.traceFlags;
  return JSON.stringify(envelope);
}

/** Turns an entry into a CloudWatch event; an empty message is invalid for the service. */
export function toCloudWatchEvent(entry: LogEntry, format: MessageFormat): CloudWatchEvent | InvalidEvent {
  const message = formatMessage(entry, format);
  if (message.length === 0) {
    return { invalid: 'empty_message', message: "CloudWatch refuses empty messages; a record with an empty body was dropped (use messageFormat: 'json' to keep such records)" };
  }
  return { timeMillis: entry.timeMillis, size: utf8ByteLength(message), message };
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

/** The PutLogEvents body for events that already satisfy every limit (sorted, within size, count and span). */
export function toPutLogEventsRequest(destination: Destination, events: readonly CloudWatchEvent[], entity?: CloudWatchEntity): PutLogEventsRequest {
  return {
    logGroupName: destination.logGroup,
    logStreamName: destination.logStream,
    logEvents: events.map((event) => ({ timestamp: event.timeMillis, message: event.message })),
    ...(entity && { entity }),
  };
}
