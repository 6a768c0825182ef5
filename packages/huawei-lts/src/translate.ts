import {
  envelopeJson,
  QuotedEnvelopeWriter,
  renderAnyValue,
  setFragment,
  truncateJsonText,
  truncationMarker,
  utf8ByteLength,
  type EncodedRecord,
  type EnvelopeOptions,
  type InvalidEvent,
  type LogEntry,
  type RequestFrame,
} from '@otel-cloud-logs/core';

export { truncationMarker };

/**
 * OpenTelemetry record → one LTS log line.
 *
 * `json` lines (default) are core's JSON envelope, one object per record, so attributes, severity and trace context
 * stay searchable (LTS labels are per request, so per-record data cannot go there):
 *   {"body","severityText","severityNumber","eventName","attributes","resource","scope","traceId","spanId","traceFlags"}
 * The field names are every provider's (and OTLP/JSON's), so one query works everywhere. `text` lines are the
 * rendered body alone.
 *
 * A record travels as its content object `{"log_time_ns":…,"log":"…"}`, encoded once. Its `size` is the UTF-8 length
 * of the line escaped as a JSON string (without the quotes), which is never less than the line LTS stores, so both
 * the 1 MB line limit and the request budget hold exactly.
 */
export type LineFormat = 'json' | 'text';

export interface LineOptions {
  readonly lineFormat: LineFormat;
  /** Put the resource attributes in each json line. */
  readonly includeResource: boolean;
}

// Shared so that encoding a record builds no options object.
const WITH_RESOURCE: EnvelopeOptions = { resource: true, scope: true };
const WITHOUT_RESOURCE: EnvelopeOptions = { resource: false, scope: true };

const EMPTY_TEXT_LINE: InvalidEvent = {
  invalid: 'empty_message',
  message: 'a log record has an empty body and lineFormat is text; LTS does not store empty lines',
};

/** UTF-8 bytes of `text` once escaped as a JSON string, without the quotes. */
export function escapedSize(text: string): number {
  return utf8ByteLength(JSON.stringify(text)) - 2;
}

/** The line LTS stores for a record. */
export function ltsLine(entry: LogEntry, options: LineOptions): string {
  return options.lineFormat === 'text' ? renderAnyValue(entry.body) : envelopeJson(entry, options.includeResource ? WITH_RESOURCE : WITHOUT_RESOURCE);
}

/** Writes the content object `{"log_time_ns":…,"log":…}` with the line already as a JSON string literal. */
function writeContent(entry: LogEntry, quotedLine: string, out: EncodedRecord): void {
  const head = `{"log_time_ns":${entry.timeUnixNano},"log":`;
  setFragment(out, `${head}${quotedLine}}`);
  // The wrapper (head, the line's quotes, the closing brace) is ASCII: its bytes are its length.
  out.size = out.fragmentBytes - head.length - 3;
  out.timeMillis = entry.timeMillis;
  out.frameKey = '';
}

// json lines are escaped straight into the content's string literal (see QuotedEnvelopeWriter).
const WITH_RESOURCE_WRITER = new QuotedEnvelopeWriter(WITH_RESOURCE);
const WITHOUT_RESOURCE_WRITER = new QuotedEnvelopeWriter(WITHOUT_RESOURCE);

/** Encodes a record into its content object, or says why it cannot be sent (an empty text line). */
export function encodeLtsRecord(entry: LogEntry, options: LineOptions, out: EncodedRecord): InvalidEvent | undefined {
  if (options.lineFormat === 'json') {
    writeContent(entry, (options.includeResource ? WITH_RESOURCE_WRITER : WITHOUT_RESOURCE_WRITER).write(entry), out);
    return undefined;
  }
  const line = renderAnyValue(entry.body);
  if (line === '') return EMPTY_TEXT_LINE;
  writeContent(entry, JSON.stringify(line), out);
  return undefined;
}

/**
 * Encodes a record shortened to `maxSize` with a visible marker. A json line stays valid JSON (see core's
 * `truncateJsonText`, sized as LTS counts it: escaped): its largest strings are cut, entries that cannot fit are
 * dropped for one saying how many. A text line is cut at a character boundary, ending in the marker (N: the bytes
 * of the original line). False when it cannot be cut that far.
 */
export function encodeTruncatedLtsRecord(entry: LogEntry, options: LineOptions, maxSize: number, out: EncodedRecord): boolean {
  const line = ltsLine(entry, options);
  const cut = options.lineFormat === 'json' ? truncateJsonText(line, maxSize, 'escaped') : cutLine(line, truncationMarker(utf8ByteLength(line)), maxSize);
  if (cut === undefined) return false;
  writeContent(entry, JSON.stringify(cut), out);
  return true;
}

function cutLine(line: string, marker: string, maxSize: number): string | undefined {
  const room = maxSize - escapedSize(marker);
  return room < 0 ? undefined : prefixWithin(line, room) + marker;
}

// Bytes each ASCII character adds to a line's size once escaped (`"` → `\"`): escaping works character by character.
const ASCII_WEIGHTS = Array.from({ length: 128 }, (_, code) => escapedSize(String.fromCharCode(code)));

/** The longest whole-character prefix of `text` whose escaped size is at most `budget`, in one pass. */
function prefixWithin(text: string, budget: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    // Above ASCII only lone surrogates are escaped (as \uXXXX); everything else weighs its UTF-8 bytes.
    const cost = code < 128 ? ASCII_WEIGHTS[code]! : code >= 0xd800 && code <= 0xdfff ? escapedSize(char) : utf8ByteLength(char);
    if (used + cost > budget) break;
    used += cost;
    end += char.length;
  }
  return text.slice(0, end);
}

const CONTENTS_HEAD = '{"contents":[';

/**
 * The bytes around the content objects of a request, `{"contents":[` … `],"labels":{…}}`, the same for every
 * destination. Its `maxRequestBytes` is the budget left for lines once the frame is taken from `maxBodyBytes`.
 */
export function ltsRequestFrame(labels: Readonly<Record<string, string>>, maxBodyBytes: number): RequestFrame {
  const head = Buffer.from(CONTENTS_HEAD);
  const tail = Buffer.from(`],"labels":${JSON.stringify(labels)}}`);
  return { head, separator: Buffer.from(','), tail, maxRequestBytes: maxBodyBytes - head.length - tail.length };
}

/** Bytes a content object adds beyond its escaped line: `{"log_time_ns":` 19 digits `,"log":"` `"}` and a comma. */
export const PER_LINE_OVERHEAD_BYTES = '{"log_time_ns":'.length + 19 + ',"log":"'.length + '"}'.length + 1;
