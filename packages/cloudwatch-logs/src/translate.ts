import type { CloudWatchEntity } from './config.ts';
import {
  envelopeJson,
  setFragment,
  renderAnyValue,
  truncateJsonText,
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
  // A text cut may end in a marker after any character: counted exactly.
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
 * Cuts an event so that it fits in `maxSize` bytes, with a visible marker. A 'json' envelope stays valid JSON (see
 * core's `truncateJsonText`): its largest strings (body, attribute values and keys) are cut, entries that cannot
 * fit are dropped for one saying how many, severity and trace context are kept; undefined when even that does not
 * fit. A 'text' message (or a 'json' one that is not JSON) is cut at a UTF-8 boundary.
 */
export function truncateEvent(event: CloudWatchEvent, maxSize: number, format: MessageFormat = 'text'): CloudWatchEvent | undefined {
  const message = truncateMessage(event, maxSize, format);
  return message === undefined ? undefined : { timeMillis: event.timeMillis, size: utf8ByteLength(message), message };
}

function truncateMessage(event: CloudWatchEvent, maxSize: number, format: MessageFormat): string | undefined {
  if (format === 'json') {
    try {
      return truncateJsonText(event.message, maxSize, 'utf8');
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error; // not JSON (not this exporter's envelope): cut as text
    }
  }
  return truncateText(event.message, truncationMarker(event.size), maxSize);
}

function truncateText(message: string, marker: string, maxSize: number): string | undefined {
  const room = maxSize - utf8ByteLength(marker);
  return room > 0 ? truncateUtf8(message, room) + marker : undefined;
}
