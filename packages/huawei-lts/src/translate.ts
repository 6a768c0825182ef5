import { renderAnyValue, ROUTING_ATTRIBUTES, toJsonValue, truncationMarker, utf8ByteLength, type LogEntry } from '@otel-cloud-logs/core';

export { truncationMarker };

/**
 * OpenTelemetry record → one LTS log line.
 *
 * `json` lines (default) are a JSON object per record, so attributes, severity and trace context stay searchable
 * (LTS labels are per request, so per-record data cannot go there):
 *   {"body","severityText","severityNumber","eventName","attributes","resource","scope","traceId","spanId","traceFlags"}
 * The field names are the CloudWatch exporter's (and OTLP/JSON's), so one query works for every provider. Absent
 * fields are omitted; the routing attributes log_group_value / log_stream_value / account_id are left out because
 * they are the destination. `text` lines are the rendered body alone.
 *
 * An event's `size` is the UTF-8 length of the line as it travels inside the request's JSON (escaped), which is
 * never less than the line LTS stores, so both the 1 MB line limit and the request budget hold exactly.
 */
export interface LtsEvent {
  readonly timeMillis: number;
  /** `log_time_ns`: nanoseconds from the record's timeUnixNano. */
  readonly timeUnixNano: bigint;
  readonly line: string;
  readonly size: number;
  /** The line without its body, to rebuild a shorter one when truncating (json lines). */
  readonly envelope?: Readonly<Record<string, unknown>>;
  /** The body as text, for truncation. */
  readonly bodyText: string;
}

export type LineFormat = 'json' | 'text';

export interface TranslateOptions {
  readonly lineFormat: LineFormat;
  /** Put the resource attributes in each json line. */
  readonly includeResource: boolean;
}


const ROUTING_KEYS = new Set<string>(Object.values(ROUTING_ATTRIBUTES));

/** UTF-8 bytes of `text` once escaped as a JSON string, without the quotes. */
export function escapedSize(text: string): number {
  return utf8ByteLength(JSON.stringify(text)) - 2;
}

function withoutRouting(attributes: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(attributes).sort()) {
    if (ROUTING_KEYS.has(key)) continue;
    out[key] = toJsonValue(attributes[key]);
    any = true;
  }
  return any ? out : undefined;
}

function envelopeOf(entry: LogEntry, options: TranslateOptions): Record<string, unknown> {
  const envelope: Record<string, unknown> = {};
  if (entry.severityText) envelope.severityText = entry.severityText;
  if (entry.severityNumber !== undefined) envelope.severityNumber = entry.severityNumber;
  if (entry.eventName) envelope.eventName = entry.eventName;
  const attributes = withoutRouting(entry.attributes);
  if (attributes) envelope.attributes = attributes;
  if (options.includeResource) {
    const resource = withoutRouting(entry.resource);
    if (resource) envelope.resource = resource;
  }
  if (entry.scope?.name) envelope.scope = entry.scope.version ? { name: entry.scope.name, version: entry.scope.version } : { name: entry.scope.name };
  if (entry.traceId) envelope.traceId = entry.traceId;
  if (entry.spanId) envelope.spanId = entry.spanId;
  if (entry.traceFlags !== undefined && entry.traceId) envelope.traceFlags = entry.traceFlags;
  return envelope;
}

function jsonLine(envelope: Readonly<Record<string, unknown>>, body: unknown): string {
  // Body first so that it is what a reader sees first in the LTS console.
  return JSON.stringify(body === undefined ? envelope : { body, ...envelope });
}

function event(entry: Pick<LogEntry, 'timeMillis' | 'timeUnixNano'>, line: string, bodyText: string, envelope?: Readonly<Record<string, unknown>>): LtsEvent {
  return { timeMillis: entry.timeMillis, timeUnixNano: entry.timeUnixNano, line, size: escapedSize(line), bodyText, envelope };
}

/** Encodes a record, or says why it cannot be sent (an empty text line). */
export function translate(entry: LogEntry, options: TranslateOptions): LtsEvent | { invalid: 'empty_message'; message: string } {
  const bodyText = renderAnyValue(entry.body);
  if (options.lineFormat === 'text') {
    if (bodyText === '') return { invalid: 'empty_message', message: 'a log record has an empty body and lineFormat is text; LTS does not store empty lines' };
    return event(entry, bodyText, bodyText);
  }
  const envelope = envelopeOf(entry, options);
  const body = entry.body === undefined || entry.body === null ? undefined : toJsonValue(entry.body);
  return event(entry, jsonLine(envelope, body), bodyText, envelope);
}

/**
 * Bytes one character adds to an event's size: escaped once for a line (`"` → `\"`), twice for a body inside a
 * json line (`"` → `\\\"`). JSON escaping works character by character, so sizes add up.
 */
function weight(char: string, escapes: 1 | 2): number {
  const once = JSON.stringify(char).slice(1, -1);
  return escapes === 1 ? utf8ByteLength(once) : utf8ByteLength(JSON.stringify(once)) - 2;
}

const ASCII_WEIGHTS = [1, 2].map((escapes) => Array.from({ length: 128 }, (_, code) => weight(String.fromCharCode(code), escapes as 1 | 2)));

/** The longest whole-character prefix of `text` whose escaped size is at most `budget`, in one pass. */
function prefixWithin(text: string, budget: number, escapes: 1 | 2): string {
  const ascii = ASCII_WEIGHTS[escapes - 1]!;
  let used = 0;
  let end = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    // Above ASCII only lone surrogates are escaped (as \uXXXX); everything else weighs its UTF-8 bytes.
    const cost = code < 128 ? ascii[code]! : code >= 0xd800 && code <= 0xdfff ? weight(char, escapes) : utf8ByteLength(char);
    if (used + cost > budget) break;
    used += cost;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Shortens an event to `maxSize` with a visible marker: json lines keep their envelope and get the body cut; when
 * the envelope alone is too large, the line itself is cut as text. Undefined when not even the marker fits.
 */
export function truncateEvent(original: LtsEvent, maxSize: number): LtsEvent | undefined {
  const marker = truncationMarker(utf8ByteLength(original.line));
  if (original.envelope) {
    const envelope = original.envelope;
    const room = maxSize - escapedSize(jsonLine(envelope, marker));
    if (room >= 0) {
      const body = prefixWithin(original.bodyText, room, 2) + marker;
      return event(original, jsonLine(envelope, body), body, envelope);
    }
  }
  const room = maxSize - escapedSize(marker);
  if (room < 0) return undefined;
  const line = prefixWithin(original.line, room, 1) + marker;
  return event(original, line, line);
}

/** Fixed JSON around the lines of a request: `{"contents":[` … `],"labels":{…}}`. */
export function requestBody(events: readonly LtsEvent[], labels: Readonly<Record<string, string>>): string {
  const contents = events.map((e) => `{"log_time_ns":${e.timeUnixNano.toString()},"log":${JSON.stringify(e.line)}}`).join(',');
  return `{"contents":[${contents}],"labels":${JSON.stringify(labels)}}`;
}

/** Bytes `requestBody` adds per line beyond the escaped line: `{"log_time_ns":` 19 digits `,"log":"` `"}` and a comma. */
export const PER_LINE_OVERHEAD_BYTES = '{"log_time_ns":'.length + 19 + ',"log":"'.length + '"}'.length + 1;

/** Bytes of the request without any line. */
export function requestFrameBytes(labels: Readonly<Record<string, string>>): number {
  return utf8ByteLength(requestBody([], labels));
}
