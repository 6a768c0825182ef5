import type { AnyValue } from './any-value.ts';
import { jsonOf } from './json.ts';
import { ROUTING_ATTRIBUTES, type LogEntry } from './model.ts';

/** The routing attributes: they name the destination, so they are left out of what is stored. */
export const ROUTING_KEYS: ReadonlySet<string> = new Set<string>(Object.values(ROUTING_ATTRIBUTES));

/**
 * A map of attributes as JSON (keys in insertion order), routing attributes left out; '' when nothing is left.
 * The map is written as it is unless it holds a routing attribute, so most records cost one native stringify.
 */
export function attributesJson(attributes: Readonly<Record<string, AnyValue>>): string {
  const routed = ROUTING_ATTRIBUTES.logGroup in attributes || ROUTING_ATTRIBUTES.logStream in attributes || ROUTING_ATTRIBUTES.accountId in attributes;
  if (!routed) {
    const json = jsonOf(attributes);
    return json === '{}' ? '' : json;
  }
  const kept: Record<string, AnyValue> = {};
  let keptAny = false;
  for (const key of Object.keys(attributes)) {
    if (ROUTING_KEYS.has(key)) continue;
    kept[key] = attributes[key];
    keptAny = true;
  }
  return keptAny ? jsonOf(kept) : '';
}

const resourceJson = new WeakMap<object, string>();

/** `attributesJson` of a resource, written once per resource: every record of a process shares it. */
export function resourceAttributesJson(resource: Readonly<Record<string, AnyValue>>): string {
  let json = resourceJson.get(resource);
  if (json === undefined) {
    json = attributesJson(resource);
    resourceJson.set(resource, json);
  }
  return json;
}

export interface EnvelopeOptions {
  /** Put the resource attributes (routing ones left out) in the envelope, after the attributes. */
  readonly resource: boolean;
  /** Put the instrumentation scope in the envelope. */
  readonly scope: boolean;
}

/**
 * The one JSON envelope every provider stores for a record:
 *   {"body","severityText","severityNumber","eventName","attributes","resource","scope","traceId","spanId","traceFlags"}
 * Field names are OTLP/JSON's, so one query works for every provider; absent fields are omitted (a record without
 * a body stores `"body":null`), routing attributes are left out. Joined from natively stringified parts.
 */
export function envelopeJson(entry: LogEntry, options: EnvelopeOptions): string {
  let out = `{"body":${jsonOf(entry.body)}`;
  if (entry.severityText !== undefined) out += `,"severityText":${JSON.stringify(entry.severityText)}`;
  if (entry.severityNumber !== undefined) out += `,"severityNumber":${jsonOf(entry.severityNumber)}`;
  if (entry.eventName) out += `,"eventName":${JSON.stringify(entry.eventName)}`;
  const attributes = attributesJson(entry.attributes);
  if (attributes) out += `,"attributes":${attributes}`;
  if (options.resource) {
    const resource = resourceAttributesJson(entry.resource);
    if (resource) out += `,"resource":${resource}`;
  }
  if (options.scope && entry.scope?.name) {
    out += `,"scope":{"name":${JSON.stringify(entry.scope.name)}${entry.scope.version ? `,"version":${JSON.stringify(entry.scope.version)}` : ''}}`;
  }
  if (entry.traceId) out += `,"traceId":${JSON.stringify(entry.traceId)}`;
  if (entry.spanId) out += `,"spanId":${JSON.stringify(entry.spanId)}`;
  if (entry.traceFlags !== undefined && entry.traceId) out += `,"traceFlags":${jsonOf(entry.traceFlags)}`;
  return `${out}}`;
}

/** `json` (any JSON text) escaped to sit inside a JSON string. JSON text holds no control character or lone surrogate. */
function escapeJsonText(json: string): string {
  return json.includes('"') || json.includes('\\') ? JSON.stringify(json).slice(1, -1) : json;
}

const MAX_CACHED_SEVERITY_TEXTS = 64;

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
    const attributes = attributesJson(entry.attributes);
    if (attributes) out += this.field(',"attributes":', ',\\"attributes\\":', attributes);
    if (this.options.resource || this.options.scope) out += this.resourceScope(entry);
    if (entry.traceId) out += this.field(',"traceId":', ',\\"traceId\\":', JSON.stringify(entry.traceId));
    if (entry.spanId) out += this.field(',"spanId":', ',\\"spanId\\":', JSON.stringify(entry.spanId));
    if (entry.traceFlags !== undefined && entry.traceId) out += this.field(',"traceFlags":', ',\\"traceFlags\\":', jsonOf(entry.traceFlags));
    return `${out}}"`;
  }

  /** The body's JSON, escaped; a string that JSON leaves as it is goes in unescaped between escaped quotes. */
  private value(body: LogEntry['body']): string {
    if (typeof body !== 'string') {
      const json = jsonOf(body);
      this.textLength += json.length;
      return escapeJsonText(json);
    }
    const json = JSON.stringify(body);
    this.textLength += json.length;
    return json.length === body.length + 2 ? `\\"${body}\\"` : JSON.stringify(json).slice(1, -1);
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
