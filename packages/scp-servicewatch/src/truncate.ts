/**
 * Cutting an oversize OTLP/JSON log record down to a size. Rare (only records over the event limit), so it works
 * on the record object and measures with JSON.stringify, which writes the same bytes as the direct writer.
 */
import { fromOtlpAnyValue, renderAnyValue, truncationMarker, utf8ByteLength, type OtlpAnyValue, type OtlpLogRecord } from '@otel-cloud-logs/core';

/**
 * The JSON of `record` cut to at most `maxSize` bytes at character boundaries, each cut value ending with its
 * truncationMarker. The body is cut first, so that attributes arrive whole whenever they fit; only when the
 * attributes alone are too large are the longest values (body and attributes alike) cut to a common length.
 * Undefined when even that cannot make the record fit (e.g. thousands of attribute keys).
 */
export function truncatedRecordJson(record: OtlpLogRecord, maxSize: number): string | undefined {
  return cutBody(record, maxSize) ?? cutValues(record, maxSize);
}

/** Bytes of `text` once written as a JSON string, without the quotes. */
function jsonStringBytes(text: string): number {
  return utf8ByteLength(JSON.stringify(text)) - 2;
}

/** A body or attribute value as the text a truncated value is cut from. */
function valueText(value: OtlpAnyValue | undefined): string {
  return value && 'stringValue' in value ? value.stringValue : renderAnyValue(fromOtlpAnyValue(value));
}

/** The first `length` UTF-16 units of `text`, never ending in half a surrogate pair. */
function prefix(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, length > 0 && length < text.length && code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

function cutBody(record: OtlpLogRecord, maxSize: number): string | undefined {
  const text = valueText(record.body);
  const marker = truncationMarker(utf8ByteLength(text));
  const emptyBodyBytes = utf8ByteLength(JSON.stringify({ ...record, body: { stringValue: '' } }));
  const budget = maxSize - emptyBodyBytes - utf8ByteLength(marker);
  if (budget < 0) return undefined;
  // The longest prefix whose JSON form fits (escapes make it longer than the raw text).
  let low = 0;
  let high = Math.min(text.length, budget);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonStringBytes(text.slice(0, middle)) <= budget) low = middle;
    else high = middle - 1;
  }
  return JSON.stringify({ ...record, body: { stringValue: prefix(text, low) + marker } });
}

/** A body or attribute value as text, with the marker it ends with once cut. */
interface CuttableValue {
  readonly text: string;
  readonly marker: string;
}

function cuttable(value: OtlpAnyValue | undefined): CuttableValue {
  const text = valueText(value);
  return { text, marker: truncationMarker(utf8ByteLength(text)) };
}

/** The value cut to `length` characters plus marker, or undefined when that would not make it shorter. */
function cutValue(value: CuttableValue, length: number): OtlpAnyValue | undefined {
  // Removing more characters than the marker has bytes always shrinks the JSON: the record size then only grows with
  // `length`, which the binary search relies on, and short values are never replaced by a longer marker.
  if (value.text.length <= length + utf8ByteLength(value.marker)) return undefined;
  return { stringValue: prefix(value.text, length) + value.marker };
}

function cutValues(original: OtlpLogRecord, maxSize: number): string | undefined {
  const body = cuttable(original.body);
  const attributes = (original.attributes ?? []).map((keyValue) => cuttable(keyValue.value));
  const withValuesCutTo = (length: number): string => {
    const record: OtlpLogRecord = { ...original, body: cutValue(body, length) ?? original.body };
    record.attributes = original.attributes?.map((keyValue, index) => {
      const cut = cutValue(attributes[index]!, length);
      return cut ? { key: keyValue.key, value: cut } : keyValue;
    });
    return JSON.stringify(record);
  };
  const fits = (length: number) => utf8ByteLength(withValuesCutTo(length)) <= maxSize;
  if (!fits(0)) return undefined;
  let low = 0;
  let high = Math.min(maxSize, attributes.reduce((longest, value) => Math.max(longest, value.text.length), body.text.length));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return withValuesCutTo(low);
}
