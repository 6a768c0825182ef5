import { toJsonValue, type AnyValue } from './any-value.ts';

/** Renders a body or attribute value as text: strings unchanged, everything else as JSON (see `toJsonValue`). */
export function renderAnyValue(value: AnyValue): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return jsonOf(value);
}

/**
 * A record value as JSON: the same text as `JSON.stringify(toJsonValue(value))` (bytes as base64, bigint and
 * non-finite numbers as strings, `undefined` as null, cycles cut, keys in insertion order). Plain JSON data — by far
 * the common case — goes straight to the native `JSON.stringify`, several times faster than any writer in
 * JavaScript; only values it would render differently take the `toJsonValue` path.
 */
export function jsonOf(value: AnyValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return isPlainJson(value, 0) ? JSON.stringify(value) : JSON.stringify(toJsonValue(value));
}

/** Whether an object is a plain map (Object.prototype or none): a Date, Map, class instance… renders differently. */
export function hasPlainPrototype(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Whether `JSON.stringify(value)` already equals `JSON.stringify(toJsonValue(value))`. */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false; // undefined, bigint, function, symbol
  }
  if (value === null) return true;
  if (depth > 32) return false; // deep or cyclic: toJsonValue cuts cycles
  // JSON.stringify would call a toJSON method (even a non-enumerable own one); toJsonValue ignores it.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  // Date, Error, Uint8Array, Map and class instances (a toJSON method) render differently: the exact path.
  if (!hasPlainPrototype(value)) return false;
  // for…in allocates no key array (~25 % of the walk). It also lists inherited enumerable keys, should anyone add
  // some to Object.prototype: checking their values too can only send a value to the exact path, never wrongly.
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}
