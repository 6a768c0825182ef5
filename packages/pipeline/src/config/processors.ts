import type { LogCondition, ValueMatcher } from '../condition.ts';
import { attributesProcessor, resourceProcessor, ATTRIBUTE_ACTIONS, type AttributeAction } from '../processors/attributes.ts';
import { destinationProcessor } from '../processors/destination.ts';
import { filterProcessor } from '../processors/filter.ts';
import { redactionProcessor } from '../processors/redaction.ts';
import type { LogProcessor } from '../processors/types.ts';
import { parseSeverityLevel } from '../severity.ts';
import { compileTemplate } from '../template.ts';
import type { ConfigNode } from './node.ts';

export const PROCESSOR_TYPES = ['filter', 'attributes', 'resource', 'redaction', 'destination'] as const;

const CONDITION_KEYS = ['min_severity', 'max_severity', 'attributes', 'resource', 'body', 'any', 'not'];
const MATCHER_KEYS = ['equals', 'one_of', 'matches', 'exists'];

function checkRegExp(node: ConfigNode): string | undefined {
  const pattern = node.string();
  if (pattern === undefined) return undefined;
  try {
    new RegExp(pattern);
    return pattern;
  } catch (error) {
    node.problem(`invalid regular expression: ${(error as Error).message}`);
    return undefined;
  }
}

function matcherFromConfig(node: ConfigNode): ValueMatcher | undefined {
  const value = node.value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (!node.map(MATCHER_KEYS, `a value to compare with, or a map with ${MATCHER_KEYS.join(', ')}`)) return undefined;
  const scalar = (child: ConfigNode) => {
    if (!child.present) return undefined;
    if (typeof child.value === 'string' || typeof child.value === 'number' || typeof child.value === 'boolean') return child.value;
    child.problem('expected a string, number or boolean');
    return undefined;
  };
  const oneOf = node.child('one_of').present ? node.child('one_of').list().map(scalar) : undefined;
  return {
    equals: scalar(node.child('equals')),
    oneOf: oneOf?.filter((item) => item !== undefined),
    matches: checkRegExp(node.child('matches')),
    exists: node.child('exists').boolean(),
  };
}

function matcherMapFromConfig(node: ConfigNode): Record<string, ValueMatcher> | undefined {
  if (!node.present) return undefined;
  const out: Record<string, ValueMatcher> = {};
  for (const [key, child] of node.entries()) {
    const matcher = matcherFromConfig(child);
    if (matcher !== undefined) out[key] = matcher;
  }
  return out;
}

function severityFromConfig(node: ConfigNode): number | string | undefined {
  if (!node.present) return undefined;
  if (typeof node.value !== 'number' && typeof node.value !== 'string') {
    node.problem('expected a severity name (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) or a number 1-24');
    return undefined;
  }
  return node.attempt(() => parseSeverityLevel(node.value as number | string, node.path), '');
}

/** A condition as written in YAML (snake_case keys), checked with paths into the file. */
export function conditionFromConfig(node: ConfigNode): LogCondition | undefined {
  if (!node.map(CONDITION_KEYS, `a condition with any of ${CONDITION_KEYS.join(', ')}`)) return undefined;
  const any = node.child('any');
  const not = node.child('not');
  const alternatives = any.present ? any.list().map(conditionFromConfig) : undefined;
  if (alternatives && alternatives.length === 0) any.problem('expected a non-empty list of conditions');
  return {
    minSeverity: severityFromConfig(node.child('min_severity')),
    maxSeverity: severityFromConfig(node.child('max_severity')),
    attributes: matcherMapFromConfig(node.child('attributes')),
    resource: matcherMapFromConfig(node.child('resource')),
    body: node.child('body').present ? matcherFromConfig(node.child('body')) : undefined,
    any: alternatives?.filter((condition) => condition !== undefined),
    not: not.present ? conditionFromConfig(not) : undefined,
  };
}

function actionFromConfig(node: ConfigNode): AttributeAction | undefined {
  if (!node.map(['action', 'key', 'value', 'overwrite', 'to', 'pattern', 'salt'], 'an action map such as { action: delete, key: user.email }')) return undefined;
  const kind = node.child('action');
  if (!kind.required(`one of ${ATTRIBUTE_ACTIONS.join(', ')}`)) return undefined;
  const action = kind.oneOf(ATTRIBUTE_ACTIONS);
  const key = () => (node.child('key').required('the attribute key') ? node.child('key').string() : undefined);
  switch (action) {
    case 'set': {
      const k = key();
      if (!node.child('value').required('the value to set')) return undefined;
      return k === undefined ? undefined : { action, key: k, value: node.child('value').value, overwrite: node.child('overwrite').boolean() };
    }
    case 'rename': {
      const k = key();
      const to = node.child('to').required('the new key') ? node.child('to').string() : undefined;
      return k === undefined || to === undefined ? undefined : { action, key: k, to };
    }
    case 'delete': {
      if (node.child('pattern').present) {
        const pattern = checkRegExp(node.child('pattern'));
        return pattern === undefined ? undefined : { action, pattern };
      }
      const k = node.child('key').required('the attribute key (or pattern: a regular expression over keys)') ? node.child('key').string() : undefined;
      return k === undefined ? undefined : { action, key: k };
    }
    case 'hash': {
      const k = key();
      return k === undefined ? undefined : { action, key: k, salt: node.child('salt').string() };
    }
    default:
      return undefined;
  }
}

function templateFromConfig(node: ConfigNode): string | undefined {
  const template = node.string();
  if (template === undefined) return undefined;
  return node.attempt(() => (compileTemplate(template, node.path), template), '');
}

/** Builds the processor declared under `processors.<type>[/<name>]`. */
export function processorFromConfig(id: string, node: ConfigNode): LogProcessor | undefined {
  const type = id.split('/', 1)[0]!;
  const build = (factory: () => LogProcessor) => node.attempt(factory, 'processors.');
  switch (type) {
    case 'filter': {
      if (!node.map(['include', 'exclude'])) {
        if (!node.present) node.problem('give include and/or exclude conditions, e.g. include: { min_severity: INFO }');
        return undefined;
      }
      const include = node.child('include').present ? conditionFromConfig(node.child('include')) : undefined;
      const exclude = node.child('exclude').present ? conditionFromConfig(node.child('exclude')) : undefined;
      if (!include && !exclude) {
        node.problem('give include and/or exclude conditions, e.g. include: { min_severity: INFO }');
        return undefined;
      }
      return build(() => filterProcessor({ name: id, include, exclude }));
    }
    case 'attributes':
    case 'resource': {
      if (!node.map(['actions'])) {
        if (!node.present) node.problem('give actions, e.g. actions: [{ action: delete, key: user.email }]');
        return undefined;
      }
      const actions = node.child('actions').list('a list of actions').map(actionFromConfig);
      if (actions.length === 0) node.child('actions').problem('expected a non-empty list of actions');
      if (actions.length === 0 || actions.some((action) => action === undefined)) return undefined;
      const options = { name: id, actions: actions as AttributeAction[] };
      return build(() => (type === 'attributes' ? attributesProcessor(options) : resourceProcessor(options)));
    }
    case 'redaction': {
      if (node.present && !node.map(['patterns', 'custom', 'sensitive_keys', 'replacement', 'body', 'attributes', 'resource'])) return undefined;
      const patterns = node.child('patterns');
      const switches: Record<string, boolean> = {};
      for (const [name, on] of patterns.entries()) {
        const value = on.boolean();
        if (value !== undefined) switches[name] = value;
      }
      const custom = node
        .child('custom')
        .list('a list of { name, regex }')
        .map((item) => {
          if (!item.map(['name', 'regex'])) return undefined;
          const name = item.child('name').required('a name for the replacement text') ? item.child('name').string() : undefined;
          const regex = item.child('regex').required('a regular expression') ? checkRegExp(item.child('regex')) : undefined;
          return name !== undefined && regex !== undefined ? { name, regex } : undefined;
        });
      if (custom.some((item) => item === undefined)) return undefined;
      return build(() =>
        redactionProcessor({
          name: id,
          patterns: switches,
          custom: custom as { name: string; regex: string }[],
          sensitiveKeys: node.child('sensitive_keys').stringList(),
          replacement: node.child('replacement').string(),
          body: node.child('body').boolean(),
          attributes: node.child('attributes').boolean(),
          resource: node.child('resource').boolean(),
        }),
      );
    }
    case 'destination': {
      if (!node.map(['log_group', 'log_stream', 'account_id', 'override'])) {
        if (!node.present) node.problem('give log_group, log_stream and/or account_id templates, e.g. log_group: /app/{service.name}');
        return undefined;
      }
      const logGroup = templateFromConfig(node.child('log_group'));
      const logStream = templateFromConfig(node.child('log_stream'));
      const accountId = templateFromConfig(node.child('account_id'));
      return build(() => destinationProcessor({ name: id, logGroup, logStream, accountId, override: node.child('override').boolean() }));
    }
    default:
      node.problem(`unknown processor type ${JSON.stringify(type)}; allowed: ${PROCESSOR_TYPES.join(', ')} (as type or type/name)`);
      return undefined;
  }
}
