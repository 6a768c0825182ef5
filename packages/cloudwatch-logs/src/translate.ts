import type { CloudWatchEntity } from './config.ts';
import {
  envelopeJson,
  QuotedEnvelopeWriter,
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

/** Writes the event `{"timestamp":…,"message":…}` with the message already as a JSON string literal. */
function writeEvent(quotedMessage: string, timeMillis: number, out: EncodedRecord): string {
  const fragment = `{"timestamp":${timeMillis},"message":${quotedMessage}}`;
  setFragment(out, fragment);
  out.timeMillis = timeMillis;
  out.frameKey = '';
  return fragment;
}

// The envelope is escaped straight into the message's string literal (see QuotedEnvelopeWriter).
const envelopeWriter = new QuotedEnvelopeWriter(NO_RESOURCE);

/** Encodes a record into its PutLogEvents event, the record's wire fragment; an empty message is invalid for the service. */
export function encodeCloudWatchEvent(entry: LogEntry, format: MessageFormat, out: EncodedRecord): InvalidEvent | undefined {
  if (format === 'json') {
    const fragment = writeEvent(envelopeWriter.write(entry), entry.timeMillis, out);
    // The envelope is JSON text: escaping added only ASCII characters, one byte each, to the message's own bytes.
    out.size = out.fragmentBytes - (fragment.length - envelopeWriter.textLength);
    return undefined;
  }
  const message = renderAnyValue(entry.body);
  if (message.length === 0) return EMPTY_MESSAGE;
  writeEvent(JSON.stringify(message), entry.timeMillis, out);
  out.size = utf8ByteLength(message);
  return undefined;
}

/** Encodes a record cut to `maxSize` message bytes (see `truncateEvent`); false when it cannot be cut. */
export function encodeTruncatedCloudWatchEvent(entry: LogEntry, format: MessageFormat, maxSize: number, out: EncodedRecord): boolean {
  const message = formatMessage(entry, format);
  const cut = truncateEvent({ timeMillis: entry.timeMillis, size: utf8ByteLength(message), message }, maxSize, format);
  if (!cut) return false;
  // A text cut may end in a marker after any character: counted exactly.
  writeEvent(JSON.stringify(cut.message), entry.timeMillis, out);
  out.size = utf8ByteLength(cut.message);
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
