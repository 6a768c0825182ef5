/**
 * Plain JSON documents (core's envelope, any JSON message) cut to a size with `fitJson`: every string and key may
 * be cut, every array and map may drop entries, except the members of the top-level object, which are the
 * document's fields (`body`, `attributes`, `traceId`…) and are all kept.
 */
import { fitJson, type JsonFitNode, type JsonSizeMeasure } from './json-fit.ts';

/**
 * Nesting deeper than this is written as JSON text in a string (cut like any string), so that fitting does not
 * recurse without bound.
 */
export const MAX_FIT_DEPTH = 100;

/** A parsed JSON value as fit nodes; `keepAll`: an object keeps all its members. */
export function plainJsonNode(value: unknown, depth = 0, keepAll = false): JsonFitNode {
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (value === null || value === undefined || typeof value !== 'object') return { kind: 'fixed', json: JSON.stringify(value ?? null) };
  if (depth >= MAX_FIT_DEPTH) return { kind: 'text', text: JSON.stringify(value) };
  if (Array.isArray(value)) {
    return { kind: 'list', open: '[', close: ']', entries: Array.from(value, (item: unknown) => ({ value: plainJsonNode(item, depth + 1) })) };
  }
  const object = value as Record<string, unknown>;
  return {
    kind: 'list',
    open: '{',
    close: '}',
    member: ['', ':', ''],
    keepAll,
    entries: Object.keys(object).map((key) => ({ key, value: plainJsonNode(object[key], depth + 1) })),
  };
}

/**
 * `json` (JSON text, e.g. core's envelope) cut to at most `maxSize` as `measure` counts it, still valid JSON and
 * marked where cut (see `fitJson`); undefined when it cannot be cut that far. Throws a SyntaxError when `json` is
 * not JSON. Only for oversize records: it parses the text and writes it again.
 */
export function truncateJsonText(json: string, maxSize: number, measure: JsonSizeMeasure): string | undefined {
  return fitJson(plainJsonNode(JSON.parse(json), 0, true), maxSize, measure);
}
