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
