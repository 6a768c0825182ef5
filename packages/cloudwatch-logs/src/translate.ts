import type { CloudWatchEntity } from './config.ts';
import { ROUTING_ATTRIBUTES, renderAnyValue, toJsonValue, truncateUtf8, utf8ByteLength, type Destination, type InvalidEvent, type LogEntry, type WireEvent } from '@otel-cloud-logs/core';

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

/** The marker appended to a truncated message, so that nobody mistakes it for the whole record. */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated by otel-cloud-logs: ${originalBytes} bytes]`;
}

/** Cuts a message at a UTF-8 boundary so that it, with its marker, fits in `maxSize` bytes. */
export function truncateEvent(event: CloudWatchEvent, maxSize: number): CloudWatchEvent | undefined {
  const marker = truncationMarker(event.size);
  const room = maxSize - utf8ByteLength(marker);
  if (room <= 0) return undefined;
  const message = truncateUtf8(event.message, room) + marker;
  return { timeMillis: event.timeMillis, size: utf8ByteLength(message), message };
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
