/**
 * How record values are written to CloudWatch's OTLP endpoint, in one place for both encodings (protobuf and
 * OTLP/JSON) and for the size the service counts, so that the three agree on every value.
 *
 * The service counts a request as Σ (UTF-8 bytes of each event message + 26), an event being a record with its
 * resource and scope (CloudWatch-OTLPEndpoint, logs limits). It stores each record as a flattened JSON event:
 * `{"resource":{"attributes":{…}},"scope":{…},"timeUnixNano":…,"body":…,"attributes":{…},…}` (the structure AWS's
 * own OpenTelemetry distro documents for its size estimate; an inference, not a published format). Sizes here are
 * the exact UTF-8 bytes of that text, computed without building it.
 */

export const KIND_EMPTY = 0;
export const KIND_STRING = 1;
export const KIND_BOOL = 2;
export const KIND_INT = 3;
export const KIND_DOUBLE = 4;
export const KIND_BYTES = 5;
export const KIND_ARRAY = 6;
export const KIND_KVLIST = 7;

/** Deeper values (or cycles) are written as this string, as every encoding does, instead of recursing forever. */
export const TOO_DEEP = '[too deep]';
export const MAX_DEPTH = 32;

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;
const BIG_INT64_MIN = -(2n ** 63n);
const BIG_INT64_MAX = 2n ** 63n - 1n;

/**
 * The OTLP AnyValue kind of a value: integers within int64 are ints (larger ones doubles, as the stock OTLP
 * exporter writes them), a bigint outside int64 is written as its decimal string, null/undefined are empty,
 * other objects are key-value lists of their own enumerable keys.
 */
export function kindOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return KIND_STRING;
    case 'boolean':
      return KIND_BOOL;
    case 'number':
      return Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX ? KIND_INT : KIND_DOUBLE;
    case 'bigint':
      return value >= BIG_INT64_MIN && value <= BIG_INT64_MAX ? KIND_INT : KIND_STRING;
    case 'undefined':
      return KIND_EMPTY;
    case 'object':
      if (value === null) return KIND_EMPTY;
      if (value instanceof Uint8Array) return KIND_BYTES;
      return Array.isArray(value) ? KIND_ARRAY : KIND_KVLIST;
    default:
      return KIND_STRING;
  }
}

/** The string a KIND_STRING value is written as. */
export function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** Characters JSON.stringify escapes in well-formed text: `"`, `\` and controls. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/**
 * UTF-8 bytes of `JSON.stringify(text)` once the text is well-formed (a lone surrogate travels as U+FFFD in
 * protobuf, and is sent so in JSON too): `utf8Bytes` of the text + quotes + what escaping adds.
 */
export function jsonStringBytes(text: string, utf8Bytes: number): number {
  if (!NEEDS_ESCAPE.test(text)) return utf8Bytes + 2;
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22 || code === 0x5c || code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) extra += 1;
    else if (code < 0x20) extra += 5; // \u00XX
  }
  return utf8Bytes + 2 + extra;
}

const POWERS_OF_TEN = Array.from({ length: 20 }, (_, i) => 10 ** i);
const BIG_POWERS_OF_TEN = Array.from({ length: 21 }, (_, i) => 10n ** BigInt(i));

/** Decimal digits (with sign) of an integer-valued number below 10^20 in magnitude, without making a string. */
export function integerDigits(value: number): number {
  if (value < 0) return 1 + integerDigits(-value);
  let digits = 1;
  while (digits < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[digits]!) digits++;
  return digits;
}

const NANOS_2001 = 10n ** 18n;
const NANOS_2286 = 10n ** 19n;

/** Decimal digits (with sign) of a bigint within int64 or a uint64 timestamp. */
export function bigintDigits(value: bigint): number {
  if (value >= NANOS_2001 && value < NANOS_2286) return 19; // every timestamp in nanoseconds of this era
  if (value < 0n) return 1 + bigintDigits(-value);
  let digits = 1;
  while (digits < BIG_POWERS_OF_TEN.length && value >= BIG_POWERS_OF_TEN[digits]!) digits++;
  return digits;
}

/** Bytes of a double in the flattened JSON (`JSON.stringify`: non-finite numbers are null). */
export function doubleBytes(value: number): number {
  return Number.isFinite(value) ? String(value).length : 4;
}

/** Bytes of a base64 string of `length` bytes, quotes included. */
export function base64Bytes(length: number): number {
  return 4 * Math.ceil(length / 3) + 2;
}

/** Integer fields (severity, flags) are sent when set; a fractional or out-of-range value is left out. */
export function presentInteger(value: number | undefined, min: number): value is number {
  return value !== undefined && value !== 0 && Number.isInteger(value) && value >= min && value < 2 ** 31;
}

/** Trace ids are sent only when they are what OTLP carries: 16 (trace) or 8 (span) bytes of hex. */
export function validHexId(id: string | undefined, bytes: number): id is string {
  return id !== undefined && id.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(id);
}

/** Field names of the flattened event, with the punctuation before them. */
export const FLAT = {
  open: '{"resource":{"attributes":',
  closeResource: '}',
  scope: ',"scope":{',
  scopeName: '"name":',
  scopeVersion: '"version":',
  time: '"timeUnixNano":',
  observed: ',"observedTimeUnixNano":',
  severityNumber: ',"severityNumber":',
  severityText: ',"severityText":',
  body: ',"body":',
  attributes: ',"attributes":',
  flags: ',"flags":',
  traceId: ',"traceId":',
  spanId: ',"spanId":',
  eventName: ',"eventName":',
} as const;
