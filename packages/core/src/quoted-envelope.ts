import { hasPlainPrototype, jsonOf } from './json.ts';
import { ROUTING_KEYS, attributesJson, resourceAttributesJson, type EnvelopeOptions } from './envelope.ts';
import type { LogEntry } from './model.ts';

/** `json` (any JSON text) escaped to sit inside a JSON string. JSON text holds no control character or lone surrogate. */
function escapeJsonText(json: string): string {
  return json.includes('"') || json.includes('\\') ? JSON.stringify(json).slice(1, -1) : json;
}

const MAX_CACHED_SEVERITY_TEXTS = 64;
const MAX_CACHED_KEYS = 10_000;

/** A string escaped inside a JSON string, given `json`, its JSON: one with nothing to escape goes in as it is. */
function escapeString(text: string, json: string): string {
  return json.length === text.length + 2 ? `\\"${text}\\"` : JSON.stringify(json).slice(1, -1);
}

/**
 * Writes the envelope as a JSON string literal, exactly `JSON.stringify(envelopeJson(entry, options))`, for
 * formats that carry it in a string field (CloudWatch's message, LTS's log line). Escaping the whole envelope
 * text a second time costs as much as writing it; here only a record's own values are escaped twice, the field
 * names, severity texts, resource and scope (the same from record to record) come escaped from caches, and a
 * string body with nothing to escape is not escaped at all. One writer per format; not reentrant.
 */
export class QuotedEnvelopeWriter {
  /** UTF-16 length of the last envelope's JSON text, before quoting (escaping adds only ASCII characters). */
  textLength = 0;
  private readonly keyPrefixes = new Map<string, { readonly quoted: string; readonly length: number }>();
  private readonly severityTexts = new Map<string, { readonly quoted: string; readonly length: number }>();
  private lastResource: object | undefined;
  private lastScope: LogEntry['scope'] | null = null;
  private resourceScopeQuoted = '';
  private resourceScopeLength = 0;

  private readonly options: EnvelopeOptions;

  constructor(options: EnvelopeOptions) {
    this.options = options;
  }

  write(entry: LogEntry): string {
    this.textLength = 9; // {"body": and the closing brace
    let out = `"{\\"body\\":${this.value(entry.body)}`;
    if (entry.severityText !== undefined) out += this.severityText(entry.severityText);
    if (entry.severityNumber !== undefined) out += this.field(',"severityNumber":', ',\\"severityNumber\\":', jsonOf(entry.severityNumber));
    if (entry.eventName) out += this.field(',"eventName":', ',\\"eventName\\":', JSON.stringify(entry.eventName));
    out += this.attributes(entry.attributes);
    if (this.options.resource || this.options.scope) out += this.resourceScope(entry);
    if (entry.traceId) out += this.field(',"traceId":', ',\\"traceId\\":', JSON.stringify(entry.traceId));
    if (entry.spanId) out += this.field(',"spanId":', ',\\"spanId\\":', JSON.stringify(entry.spanId));
    if (entry.traceFlags !== undefined && entry.traceId) out += this.field(',"traceFlags":', ',\\"traceFlags\\":', jsonOf(entry.traceFlags));
    return `${out}}"`;
  }

  /**
   * The body's JSON, escaped. A string with nothing to escape goes in as it is between escaped quotes; anything
   * else is written natively and escaped whole: two flat native passes cost less than a walk in JavaScript, whose
   * many small pieces also make the fragment slower to transcode.
   */
  private value(body: LogEntry['body']): string {
    if (typeof body === 'string') {
      const json = JSON.stringify(body);
      this.textLength += json.length;
      return escapeString(body, json);
    }
    const json = jsonOf(body);
    this.textLength += json.length;
    return escapeJsonText(json);
  }

  /** `,"attributes":{…}` escaped, or '' when no attribute is left (routing attributes are left out). */
  private attributes(attributes: LogEntry['attributes']): string {
    const before = this.textLength;
    const plain = typeof (attributes as { toJSON?: unknown }).toJSON !== 'function' && hasPlainPrototype(attributes);
    const quoted = plain ? this.quotedObject(attributes, 0, ROUTING_KEYS) : undefined;
    if (quoted !== undefined && quoted !== '{}') {
      this.textLength += ',"attributes":'.length;
      return `,\\"attributes\\":${quoted}`;
    }
    // Nothing left, or not plain JSON: what the walk counted is taken back.
    this.textLength = before;
    if (quoted !== undefined) return '';
    const json = attributesJson(attributes);
    return json ? this.field(',"attributes":', ',\\"attributes\\":', json) : '';
  }

  /**
   * `escapeJsonText(JSON.stringify(value))` written in one walk, its JSON length added to `textLength`: object
   * keys come escaped from a cache, a string with nothing to escape goes in as it is between escaped quotes, so
   * the record's text is never written first and escaped afterwards. Undefined where `jsonOf` would not write
   * plain `JSON.stringify` output (a toJSON method, bytes, bigint, a non-finite number, undefined, a class
   * instance, deep nesting or a cycle): the caller then takes the exact path.
   */
  private quoted(value: unknown, depth: number): string | undefined {
    switch (typeof value) {
      case 'string': {
        const json = JSON.stringify(value);
        this.textLength += json.length;
        return escapeString(value, json);
      }
      case 'number':
        if (!Number.isFinite(value)) return undefined;
        return this.literal(String(value));
      case 'boolean':
        return this.literal(value ? 'true' : 'false');
      case 'object':
        break;
      default:
        return undefined;
    }
    if (value === null) return this.literal('null');
    if (depth > 32 || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
    if (!Array.isArray(value)) return hasPlainPrototype(value) ? this.quotedObject(value as Readonly<Record<string, unknown>>, depth, undefined) : undefined;
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = this.quoted(value[i], depth + 1);
      if (item === undefined) return undefined;
      out += i === 0 ? item : `,${item}`;
    }
    this.textLength += value.length === 0 ? 2 : value.length + 1; // brackets and commas
    return `${out}]`;
  }

  private quotedObject(object: Readonly<Record<string, unknown>>, depth: number, skip: ReadonlySet<string> | undefined): string | undefined {
    let out = '{';
    let count = 0;
    for (const key of Object.keys(object)) {
      if (skip?.has(key)) continue;
      const item = this.quoted(object[key], depth + 1);
      if (item === undefined) return undefined;
      const prefix = this.keyPrefix(key);
      out += count === 0 ? prefix.quoted + item : `,${prefix.quoted}${item}`;
      this.textLength += prefix.length;
      count++;
    }
    this.textLength += count === 0 ? 2 : count + 1; // braces and commas
    return `${out}}`;
  }

  private literal(text: string): string {
    this.textLength += text.length;
    return text;
  }

  /** `"key":` escaped, from a cache: attribute and body keys repeat from record to record. */
  private keyPrefix(key: string): { readonly quoted: string; readonly length: number } {
    let prefix = this.keyPrefixes.get(key);
    if (prefix === undefined) {
      const json = `${JSON.stringify(key)}:`;
      prefix = { quoted: escapeJsonText(json), length: json.length };
      if (this.keyPrefixes.size >= MAX_CACHED_KEYS) this.keyPrefixes.clear();
      if (key.length <= 256) this.keyPrefixes.set(key, prefix);
    }
    return prefix;
  }

  private field(name: string, quotedName: string, json: string): string {
    this.textLength += name.length + json.length;
    return quotedName + escapeJsonText(json);
  }

  private severityText(text: string): string {
    let cached = this.severityTexts.get(text);
    if (cached === undefined) {
      const json = `,"severityText":${JSON.stringify(text)}`;
      cached = { quoted: escapeJsonText(json), length: json.length };
      // Severity texts are a handful of words: a long or an endless variety of them is just not cached.
      if (text.length <= 64 && this.severityTexts.size < MAX_CACHED_SEVERITY_TEXTS) this.severityTexts.set(text, cached);
    }
    this.textLength += cached.length;
    return cached.quoted;
  }

  /** The resource and scope fields, written again only when a record's resource or scope object differs. */
  private resourceScope(entry: LogEntry): string {
    if (entry.resource !== this.lastResource || entry.scope !== this.lastScope) {
      let json = '';
      if (this.options.resource) {
        const resource = resourceAttributesJson(entry.resource);
        if (resource) json += `,"resource":${resource}`;
      }
      if (this.options.scope && entry.scope?.name) {
        json += `,"scope":{"name":${JSON.stringify(entry.scope.name)}${entry.scope.version ? `,"version":${JSON.stringify(entry.scope.version)}` : ''}}`;
      }
      this.resourceScopeQuoted = escapeJsonText(json);
      this.resourceScopeLength = json.length;
      this.lastResource = entry.resource;
      this.lastScope = entry.scope;
    }
    this.textLength += this.resourceScopeLength;
    return this.resourceScopeQuoted;
  }
}
