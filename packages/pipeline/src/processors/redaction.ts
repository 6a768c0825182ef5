import type { AnyValue, LogEntry } from '@otel-cloud-logs/core';
import type { LogProcessor } from './types.ts';

/** A pattern whose matches are replaced; `accept` can veto a match (e.g. the Luhn check of card numbers). */
export interface RedactionPattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly accept?: (match: string) => boolean;
}

/** Luhn checksum: tells card numbers from other long digit runs (order ids, timestamps). */
export function passesLuhn(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The patterns shipped with the processor, each on by default and switchable by name. */
export const BUILTIN_REDACTION_PATTERNS: readonly RedactionPattern[] = [
  { name: 'private_key', regex: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { name: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  { name: 'bearer_token', regex: /(?<=\b[Bb]earer\s+)[A-Za-z0-9._~+/-]{8,}=*/g },
  { name: 'aws_access_key_id', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  // GitHub, Slack, Stripe/OpenAI-style and Google API keys: prefixes their issuers document.
  { name: 'api_token', regex: /\b(?:gh[opusr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})\b/g },
  // The value of `password=...`, `api_key: ...`, `"token":"..."`; the key stays readable.
  {
    name: 'secret_assignment',
    regex: /(?<=\b(?:password|passwd|pwd|secret|client_secret|api[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|token)"?\s*[:=]\s*"?)[^\s"',;&}]+/gi,
  },
  // Card networks' numbers start with 2-6 (Mastercard, Amex/JCB/Diners, Visa, Discover/UnionPay); with the Luhn
  // check this leaves epoch timestamps (1...) and most ids alone.
  { name: 'credit_card', regex: /\b[2-6](?:[ -]?\d){12,18}\b/g, accept: passesLuhn },
  { name: 'email', regex: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
];

/** Attribute and map keys whose whole value is replaced (compared case-insensitively with the key's last `.` segment). */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'set-cookie',
  'private_key',
];

export interface RedactionProcessorOptions {
  /** Default `redaction`. */
  readonly name?: string;
  /** Switch built-in patterns on or off by name (all on by default), e.g. `{ email: false }`. */
  readonly patterns?: Readonly<Record<string, boolean>>;
  /** Extra patterns: `{ name, regex }` (a string is compiled with the `g` flag). */
  readonly custom?: readonly { readonly name: string; readonly regex: string | RegExp }[];
  /** Keys whose values are always replaced entirely; default `DEFAULT_SENSITIVE_KEYS`. `[]` turns this off. */
  readonly sensitiveKeys?: readonly string[];
  /** Replacement text; `{name}` becomes the pattern name. Default `[REDACTED:{name}]`. */
  readonly replacement?: string;
  /** Redact the body. Default true. */
  readonly body?: boolean;
  /** Redact record attributes. Default true. */
  readonly attributes?: boolean;
  /** Redact resource attributes. Default false (they describe the service, not the request). */
  readonly resource?: boolean;
}

function toGlobal(regex: string | RegExp, where: string): RegExp {
  try {
    const source = typeof regex === 'string' ? regex : regex.source;
    const flags = typeof regex === 'string' ? 'g' : regex.flags.includes('g') ? regex.flags : `${regex.flags}g`;
    return new RegExp(source, flags);
  } catch (error) {
    throw new SyntaxError(`${where}: invalid regular expression: ${(error as Error).message}`);
  }
}

/**
 * Replaces secrets and personal data in bodies and attributes (strings, and strings inside maps and arrays).
 * Text that matches no pattern is left exactly as it was; an entry with nothing to redact is returned unchanged.
 */
export function redactionProcessor(options: RedactionProcessorOptions = {}): LogProcessor {
  const name = options.name ?? 'redaction';
  const switches = options.patterns ?? {};
  const known = new Set(BUILTIN_REDACTION_PATTERNS.map((pattern) => pattern.name));
  for (const [key, on] of Object.entries(switches)) {
    if (!known.has(key)) throw new TypeError(`${name}.patterns.${key}: unknown pattern; built-in patterns: ${[...known].join(', ')}`);
    if (typeof on !== 'boolean') throw new TypeError(`${name}.patterns.${key}: expected true or false`);
  }
  const patterns: RedactionPattern[] = BUILTIN_REDACTION_PATTERNS.filter((pattern) => switches[pattern.name] !== false);
  (options.custom ?? []).forEach((custom, i) => {
    if (typeof custom?.name !== 'string' || custom.name === '') throw new TypeError(`${name}.custom[${i}].name: expected a non-empty string`);
    patterns.push({ name: custom.name, regex: toGlobal(custom.regex, `${name}.custom[${i}].regex`) });
  });
  const sensitive = new Set((options.sensitiveKeys ?? DEFAULT_SENSITIVE_KEYS).map((key) => key.toLowerCase()));
  const replacement = options.replacement ?? '[REDACTED:{name}]';
  const replacementFor = (patternName: string) => replacement.replaceAll('{name}', patternName);
  const isSensitiveKey = (key: string) => sensitive.size > 0 && sensitive.has(key.slice(key.lastIndexOf('.') + 1).toLowerCase());

  // Every pattern scans the original text; a match overlapping one of an earlier pattern is skipped, so
  // replacement text is never scanned again and the order of the list decides between overlapping matches.
  const redactText = (text: string): string => {
    const found: { start: number; end: number; name: string }[] = [];
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern.regex)) {
        const start = match.index;
        const end = start + match[0].length;
        if (end === start || (pattern.accept && !pattern.accept(match[0]))) continue;
        if (found.some((range) => start < range.end && end > range.start)) continue;
        found.push({ start, end, name: pattern.name });
      }
    }
    if (found.length === 0) return text;
    found.sort((a, b) => a.start - b.start);
    let out = '';
    let last = 0;
    for (const range of found) {
      out += text.slice(last, range.start) + replacementFor(range.name);
      last = range.end;
    }
    return out + text.slice(last);
  };

  // Returns the same object when nothing changed, so untouched entries are not copied.
  const redactValue = (value: AnyValue): AnyValue => {
    if (typeof value === 'string') return redactText(value);
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) return value;
    if (Array.isArray(value)) {
      const items = value.map(redactValue);
      return items.some((item, i) => item !== value[i]) ? items : value;
    }
    return redactMap(value as Record<string, AnyValue>);
  };

  const redactMap = (map: Readonly<Record<string, AnyValue>>): Readonly<Record<string, AnyValue>> => {
    let copy: Record<string, AnyValue> | undefined;
    for (const [key, value] of Object.entries(map)) {
      const redacted = isSensitiveKey(key) && value !== undefined && value !== null && value !== '' ? replacementFor('sensitive_key') : redactValue(value);
      if (redacted !== value) (copy ??= { ...map })[key] = redacted;
    }
    return copy ?? map;
  };

  const doBody = options.body ?? true;
  const doAttributes = options.attributes ?? true;
  const doResource = options.resource ?? false;
  return {
    name,
    process(entry: LogEntry) {
      const body = doBody ? redactValue(entry.body) : entry.body;
      const attributes = doAttributes ? redactMap(entry.attributes) : entry.attributes;
      const resource = doResource ? redactMap(entry.resource) : entry.resource;
      if (body === entry.body && attributes === entry.attributes && resource === entry.resource) return entry;
      return { ...entry, body, attributes, resource };
    },
  };
}
