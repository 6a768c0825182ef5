import { createHash } from 'node:crypto';
import { renderAnyValue, type AnyValue, type LogEntry } from '@otel-cloud-logs/core';
import type { LogProcessor } from './types.ts';

/**
 * One change to an attribute map, applied in order:
 * - `set`: give `key` the value `value` (only when missing if `overwrite: false`);
 * - `rename`: move `key` to `to` (replacing what `to` had); nothing happens when `key` is missing;
 * - `delete`: remove `key`, or every key matching the regular expression `pattern`;
 * - `hash`: replace the value with the hex SHA-256 of `salt` + its text (the same input always gives the same hash).
 */
export type AttributeAction =
  | { readonly action: 'set'; readonly key: string; readonly value: AnyValue; readonly overwrite?: boolean }
  | { readonly action: 'rename'; readonly key: string; readonly to: string }
  | { readonly action: 'delete'; readonly key: string }
  | { readonly action: 'delete'; readonly pattern: string | RegExp }
  | { readonly action: 'hash'; readonly key: string; readonly salt?: string };

export interface AttributesProcessorOptions {
  /** Default `attributes` (or `resource` for `resourceProcessor`). */
  readonly name?: string;
  readonly actions: readonly AttributeAction[];
}

type MapEdit = (attributes: Record<string, AnyValue>) => void;

export const ATTRIBUTE_ACTIONS = ['set', 'rename', 'delete', 'hash'] as const;

/** Deterministic hash used by the `hash` action. */
export function hashAttributeValue(value: AnyValue, salt = ''): string {
  return createHash('sha256').update(salt).update(renderAnyValue(value)).digest('hex');
}

function requireString(value: unknown, where: string, example: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${where}: expected a non-empty string, e.g. ${example}`);
  return value;
}

function compileAction(action: AttributeAction, where: string): MapEdit {
  if (typeof action !== 'object' || action === null) throw new TypeError(`${where}: expected an action object such as { action: delete, key: user.email }`);
  switch (action.action) {
    case 'set': {
      const key = requireString(action.key, `${where}.key`, 'deployment.environment');
      if (action.value === undefined) throw new TypeError(`${where}.value: set needs a value`);
      const overwrite = action.overwrite ?? true;
      return (attributes) => {
        if (overwrite || attributes[key] === undefined) attributes[key] = action.value;
      };
    }
    case 'rename': {
      const key = requireString(action.key, `${where}.key`, 'userId');
      const to = requireString(action.to, `${where}.to`, 'user.id');
      return (attributes) => {
        if (!(key in attributes)) return;
        const value = attributes[key];
        delete attributes[key];
        attributes[to] = value;
      };
    }
    case 'delete': {
      if ('pattern' in action && action.pattern !== undefined) {
        let regex: RegExp;
        try {
          regex = action.pattern instanceof RegExp ? new RegExp(action.pattern.source, action.pattern.flags.replace(/[gy]/g, '')) : new RegExp(action.pattern);
        } catch (error) {
          throw new SyntaxError(`${where}.pattern: invalid regular expression: ${(error as Error).message}`);
        }
        return (attributes) => {
          for (const key of Object.keys(attributes)) if (regex.test(key)) delete attributes[key];
        };
      }
      const key = requireString((action as { key?: unknown }).key, `${where}.key`, 'http.request.header.cookie');
      return (attributes) => {
        delete attributes[key];
      };
    }
    case 'hash': {
      const key = requireString(action.key, `${where}.key`, 'user.email');
      const salt = action.salt ?? '';
      if (typeof salt !== 'string') throw new TypeError(`${where}.salt: expected a string`);
      return (attributes) => {
        const value = attributes[key];
        if (value !== undefined && value !== null) attributes[key] = hashAttributeValue(value, salt);
      };
    }
    default:
      throw new TypeError(`${where}.action: unknown action ${JSON.stringify((action as { action?: unknown }).action)}; allowed: ${ATTRIBUTE_ACTIONS.join(', ')}`);
  }
}

function mapProcessor(name: string, actions: readonly AttributeAction[], target: 'attributes' | 'resource'): LogProcessor {
  if (!Array.isArray(actions) || actions.length === 0) throw new TypeError(`${name}.actions: expected a non-empty list of actions (${ATTRIBUTE_ACTIONS.join(', ')})`);
  const edits = actions.map((action, i) => compileAction(action, `${name}.actions[${i}]`));
  // Entries of one OTLP request share their resource object: edit a copy, and reuse that copy for the
  // next entry with the same input object, so a batch keeps sharing one resource.
  let lastInput: Readonly<Record<string, AnyValue>> | undefined;
  let lastOutput: Readonly<Record<string, AnyValue>> | undefined;
  return {
    name,
    process(entry: LogEntry) {
      const input = entry[target];
      if (target === 'resource' && input === lastInput) return { ...entry, resource: lastOutput! };
      const copy: Record<string, AnyValue> = { ...input };
      for (const edit of edits) edit(copy);
      if (target === 'resource') {
        lastInput = input;
        lastOutput = copy;
      }
      return { ...entry, [target]: copy };
    },
  };
}

/** Sets, renames, deletes or hashes record attributes. */
export function attributesProcessor(options: AttributesProcessorOptions): LogProcessor {
  return mapProcessor(options.name ?? 'attributes', options.actions, 'attributes');
}

/** Sets, renames, deletes or hashes resource attributes. */
export function resourceProcessor(options: AttributesProcessorOptions): LogProcessor {
  return mapProcessor(options.name ?? 'resource', options.actions, 'resource');
}
