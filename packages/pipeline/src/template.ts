import { renderAnyValue, type AnyValue, type LogEntry } from '@otel-cloud-logs/core';

/** Renders a template for one record; undefined when a placeholder without a default has no value. */
export type CompiledTemplate = (entry: LogEntry) => string | undefined;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KEY_PATTERN = /^[^\s{}:]+$/;

function textOf(value: AnyValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = renderAnyValue(value);
  return text === '' ? undefined : text;
}

function lookup(entry: LogEntry, key: string): string | undefined {
  return textOf(entry.attributes[key]) ?? textOf(entry.resource[key]);
}

/**
 * Compiles a template such as `/app/{service.name}` or `{host.name:-unknown}-{process.pid}`.
 * A placeholder reads the record attribute, then the resource attribute; `:-text` gives the text to use
 * when both are missing or empty. Everything outside braces is copied as is.
 */
export function compileTemplate(template: string, where = 'template'): CompiledTemplate {
  if (typeof template !== 'string') throw new TypeError(`${where}: expected a template string such as "/app/{service.name}"`);
  const parts: ({ literal: string } | { key: string; fallback: string | undefined })[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
    const inner = match[1]!;
    const separator = inner.indexOf(':-');
    const key = (separator === -1 ? inner : inner.slice(0, separator)).trim();
    if (!KEY_PATTERN.test(key)) {
      throw new SyntaxError(`${where}: placeholder {${inner}} needs an attribute key, e.g. {service.name} or {service.name:-default}`);
    }
    parts.push({ key, fallback: separator === -1 ? undefined : inner.slice(separator + 2) });
    last = match.index + match[0].length;
  }
  const rest = template.slice(last);
  if (/[{}]/.test(rest) || parts.some((part) => 'literal' in part && /[{}]/.test(part.literal))) {
    throw new SyntaxError(`${where}: unbalanced brace in ${JSON.stringify(template)}`);
  }
  if (rest) parts.push({ literal: rest });
  return (entry) => {
    let out = '';
    for (const part of parts) {
      if ('literal' in part) {
        out += part.literal;
        continue;
      }
      const value = lookup(entry, part.key) ?? part.fallback;
      if (value === undefined) return undefined;
      out += value;
    }
    return out;
  };
}
