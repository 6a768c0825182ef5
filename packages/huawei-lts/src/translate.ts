import { renderAnyValue, ROUTING_ATTRIBUTES, toJsonValue, utf8ByteLength, truncateUtf8, type LogEntry } from '@otel-cloud-logs/core';

/**
 * OpenTelemetry record → one LTS log line.
 *
 * `json` lines (default) are a JSON object per record, so attributes, severity and trace context stay searchable
 * (LTS labels are per request, so per-record data cannot go there):
 *   {"severity_text","severity_number","body","attributes","resource","scope","trace_id","span_id","trace_flags","event_name"}
 * (absent fields omitted; the routing attributes log_group_value / log_stream_value / account_id are left out
 * because they are the destination). `text` lines are the rendered body alone.
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

/** Shown at the end of a cut body, so a reader sees that the record was longer. */
export const TRUNCATION_MARKER = '…[truncated]';

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
  if (entry.severityText) envelope.severity_text = entry.severityText;
  if (entry.severityNumber !== undefined) envelope.severity_number = entry.severityNumber;
  const attributes = withoutRouting(entry.attributes);
  if (attributes) envelope.attributes = attributes;
  if (options.includeResource) {
    const resource = withoutRouting(entry.resource);
    if (resource) envelope.resource = resource;
  }
  if (entry.scope?.name) envelope.scope = entry.scope.version ? { name: entry.scope.name, version: entry.scope.version } : { name: entry.scope.name };
  if (entry.traceId) envelope.trace_id = entry.traceId;
  if (entry.spanId) envelope.span_id = entry.spanId;
  if (entry.traceFlags !== undefined && entry.traceId) envelope.trace_flags = entry.traceFlags;
  if (entry.eventName) envelope.event_name = entry.eventName;
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

/** Cuts `text` until `measure(cut + marker)` fits, at UTF-8 boundaries. */
function cutToFit(text: string, maxSize: number, measure: (candidate: string) => number): string | undefined {
  let keep = utf8ByteLength(text);
  for (;;) {
    const candidate = truncateUtf8(text, keep) + TRUNCATION_MARKER;
    const size = measure(candidate);
    if (size <= maxSize) return candidate;
    if (keep === 0) return undefined;
    // Every byte cut removes at least one escaped byte, so cutting the excess converges in a few rounds.
    keep = Math.max(0, keep - (size - maxSize));
  }
}

/**
 * Shortens an event to `maxSize`: json lines keep their envelope and get the body cut (as text, with the
 * marker); when the envelope alone is too large, the line itself is cut as text.
 */
export function truncateEvent(original: LtsEvent, maxSize: number): LtsEvent | undefined {
  if (original.envelope) {
    const envelope = original.envelope;
    const body = cutToFit(original.bodyText, maxSize, (candidate) => escapedSize(jsonLine(envelope, candidate)));
    if (body !== undefined) return event(original, jsonLine(envelope, body), body, envelope);
  }
  const line = cutToFit(original.line, maxSize, escapedSize);
  return line === undefined ? undefined : event(original, line, line);
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
