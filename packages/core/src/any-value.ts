/**
 * Deterministic rendering of OpenTelemetry `AnyValue`s (bodies and attribute values can be strings,
 * numbers, booleans, byte arrays, arrays and maps, or anything a caller passed in).
 */
export type AnyValue = unknown;

/**
 * Turns any value into plain JSON data: bytes as base64, bigint as decimal string, non-finite numbers as strings,
 * `undefined` as null, cycles cut; map keys keep their insertion order (as `JSON.stringify` writes them).
 */
export function toJsonValue(value: AnyValue, seen: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'symbol':
    case 'function':
      return String(value);
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack ?? null };
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => toJsonValue(item, seen));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) out[key] = toJsonValue((object as Record<string, unknown>)[key], seen);
    return out;
  } finally {
    seen.delete(object);
  }
}

/** An OTLP/JSON `AnyValue` (`{stringValue}`, `{intValue}`, `{kvlistValue:{values}}`…). */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: number | string }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values?: OtlpAnyValue[] } }
  | { kvlistValue: { values?: OtlpKeyValue[] } }
  | Record<string, never>;

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

/** Decodes an OTLP/JSON AnyValue into the in-process value (int64 beyond 2^53 stays a bigint). */
export function fromOtlpAnyValue(value: OtlpAnyValue | undefined): AnyValue {
  if (!value) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    if (typeof value.intValue === 'string' && !/^-?\d+$/.test(value.intValue)) {
      throw new TypeError(`intValue must be an integer, got ${JSON.stringify(value.intValue.slice(0, 40))}`);
    }
    const n = typeof value.intValue === 'string' ? BigInt(value.intValue) : value.intValue;
    return typeof n === 'bigint' && n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return new Uint8Array(Buffer.from(value.bytesValue, 'base64'));
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(fromOtlpAnyValue);
  if ('kvlistValue' in value) return fromOtlpKeyValues(value.kvlistValue.values);
  return undefined;
}

export function fromOtlpKeyValues(values: OtlpKeyValue[] | undefined): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = {};
  for (const kv of values ?? []) out[kv.key] = fromOtlpAnyValue(kv.value);
  return out;
}

/** Encodes an in-process value as an OTLP/JSON AnyValue (the inverse of `fromOtlpAnyValue`). */
export function toOtlpAnyValue(value: AnyValue): OtlpAnyValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
    case 'bigint':
      return { intValue: value.toString() };
    case 'undefined':
      return {};
  }
  if (value === null) return {};
  if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toOtlpAnyValue) } };
  if (typeof value === 'object') return { kvlistValue: { values: toOtlpKeyValues(value as Record<string, AnyValue>) } };
  return { stringValue: String(value) };
}

/** Key-values in the map's own order, as @opentelemetry/otlp-transformer writes them. */
export function toOtlpKeyValues(attributes: Record<string, AnyValue>): OtlpKeyValue[] {
  return Object.keys(attributes).map((key) => ({ key, value: toOtlpAnyValue(attributes[key]) }));
}
