import type { AnyValue } from './any-value.ts';

/**
 * A direct JSON writer for record values: the same text as `JSON.stringify(toJsonValue(value))` (map keys sorted,
 * bytes as base64, bigint and non-finite numbers as strings, cycles cut), without building the intermediate
 * objects. Strings are escaped by `JSON.stringify` itself, whose native fast path is the quickest escape there is.
 */
export function jsonOf(value: AnyValue): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : `"${String(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'undefined':
      return 'null';
    case 'symbol':
    case 'function':
      return JSON.stringify(String(value));
  }
  return value === null ? 'null' : objectJson(value as object, undefined);
}

function objectJson(value: object, seen: Set<object> | undefined): string {
  if (value instanceof Uint8Array) return `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value instanceof Error) return JSON.stringify({ name: value.name, message: value.message, stack: value.stack ?? null });
  if (seen?.has(value)) return '"[Circular]"';
  (seen ??= new Set()).add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + nestedJson(value[i], seen);
    out += ']';
  } else {
    const keys = Object.keys(value).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) out += (i === 0 ? '' : ',') + jsonKey(keys[i]!) + nestedJson((value as Record<string, unknown>)[keys[i]!], seen);
    out += '}';
  }
  seen.delete(value);
  return out;
}

function nestedJson(value: unknown, seen: Set<object>): string {
  return typeof value === 'object' && value !== null ? objectJson(value, seen) : jsonOf(value);
}

const keyPrefixes = new Map<string, string>();
const MAX_CACHED_KEYS = 10_000;

/** `"key":`, escaped once per distinct key (attribute keys repeat from record to record). */
export function jsonKey(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${JSON.stringify(key)}:`;
    if (keyPrefixes.size >= MAX_CACHED_KEYS) keyPrefixes.clear();
    if (key.length <= 256) keyPrefixes.set(key, prefix);
  }
  return prefix;
}
