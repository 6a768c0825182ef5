import { renderAnyValue, type AnyValue, type LogEntry } from '@otel-cloud-logs/core';
import { parseSeverityLevel, severityOfEntry, type SeverityLevel } from './severity.ts';

/** A scalar compares equal to a value when their text renderings are equal (`200` matches `"200"`). */
export type ScalarValue = string | number | boolean;

/**
 * How one value is tested. A bare scalar means `{ equals: scalar }`. Every field given must hold.
 * `matches` is a regular expression over the value's text (maps and arrays render as JSON).
 */
export type ValueMatcher =
  | ScalarValue
  | {
      readonly equals?: ScalarValue;
      readonly oneOf?: readonly ScalarValue[];
      readonly matches?: string | RegExp;
      readonly exists?: boolean;
    };

/**
 * A test over one log record. Every field given must hold (AND); `any` holds when one of its conditions
 * does, `not` when its condition does not. An empty condition matches every record.
 * A record without a severity (no number and no recognisable text) never satisfies `minSeverity`/`maxSeverity`.
 */
export interface LogCondition {
  readonly minSeverity?: SeverityLevel;
  readonly maxSeverity?: SeverityLevel;
  /** Record attributes, by key. */
  readonly attributes?: Readonly<Record<string, ValueMatcher>>;
  /** Resource attributes, by key. */
  readonly resource?: Readonly<Record<string, ValueMatcher>>;
  /** The body (maps and arrays as JSON text). */
  readonly body?: ValueMatcher;
  readonly any?: readonly LogCondition[];
  readonly not?: LogCondition;
}

export type EntryPredicate = (entry: LogEntry) => boolean;

const CONDITION_KEYS = ['minSeverity', 'maxSeverity', 'attributes', 'resource', 'body', 'any', 'not'];
const MATCHER_KEYS = ['equals', 'oneOf', 'matches', 'exists'];

function isScalar(value: unknown): value is ScalarValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function compileRegExp(pattern: string | RegExp, where: string): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new SyntaxError(`${where}: invalid regular expression: ${(error as Error).message}`);
  }
}

function compileMatcher(matcher: ValueMatcher, where: string): (value: AnyValue) => boolean {
  if (isScalar(matcher)) {
    const expected = String(matcher);
    return (value) => value !== undefined && value !== null && renderAnyValue(value) === expected;
  }
  if (typeof matcher !== 'object' || matcher === null) {
    throw new TypeError(`${where}: expected a value to compare with, or an object with ${MATCHER_KEYS.join(', ')}`);
  }
  const unknown = Object.keys(matcher).filter((key) => !MATCHER_KEYS.includes(key));
  if (unknown.length > 0) throw new TypeError(`${where}.${unknown[0]}: unknown matcher; allowed: ${MATCHER_KEYS.join(', ')}`);
  const tests: ((value: AnyValue) => boolean)[] = [];
  if (matcher.exists !== undefined) {
    const wanted = matcher.exists;
    tests.push((value) => (value !== undefined && value !== null) === wanted);
  }
  if (matcher.equals !== undefined) {
    const expected = String(matcher.equals);
    tests.push((value) => value !== undefined && value !== null && renderAnyValue(value) === expected);
  }
  if (matcher.oneOf !== undefined) {
    if (!Array.isArray(matcher.oneOf)) throw new TypeError(`${where}.oneOf: expected a list of values`);
    const allowed = new Set(matcher.oneOf.map(String));
    tests.push((value) => value !== undefined && value !== null && allowed.has(renderAnyValue(value)));
  }
  if (matcher.matches !== undefined) {
    const regex = compileRegExp(matcher.matches, `${where}.matches`);
    tests.push((value) => value !== undefined && value !== null && regex.test(renderAnyValue(value)));
  }
  return (value) => tests.every((test) => test(value));
}

function compileMap(
  matchers: Readonly<Record<string, ValueMatcher>>,
  where: string,
  pick: (entry: LogEntry) => Readonly<Record<string, AnyValue>>,
): EntryPredicate {
  if (typeof matchers !== 'object' || matchers === null || Array.isArray(matchers)) {
    throw new TypeError(`${where}: expected a map of key to matcher`);
  }
  const tests = Object.entries(matchers).map(([key, matcher]) => ({ key, test: compileMatcher(matcher, `${where}.${key}`) }));
  return (entry) => {
    const values = pick(entry);
    return tests.every(({ key, test }) => test(values[key]));
  };
}

/** Compiles a condition once (regular expressions included); throws naming the path of the first bad part. */
export function compileCondition(condition: LogCondition, where = 'condition'): EntryPredicate {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    throw new TypeError(`${where}: expected a condition object with any of ${CONDITION_KEYS.join(', ')}`);
  }
  const unknown = Object.keys(condition).filter((key) => !CONDITION_KEYS.includes(key));
  if (unknown.length > 0) throw new TypeError(`${where}.${unknown[0]}: unknown condition; allowed: ${CONDITION_KEYS.join(', ')}`);
  const tests: EntryPredicate[] = [];
  if (condition.minSeverity !== undefined) {
    const min = parseSeverityLevel(condition.minSeverity, `${where}.minSeverity`);
    tests.push((entry) => (severityOfEntry(entry) ?? 0) >= min);
  }
  if (condition.maxSeverity !== undefined) {
    const max = parseSeverityLevel(condition.maxSeverity, `${where}.maxSeverity`);
    tests.push((entry) => {
      const severity = severityOfEntry(entry);
      return severity !== undefined && severity <= max;
    });
  }
  if (condition.attributes !== undefined) tests.push(compileMap(condition.attributes, `${where}.attributes`, (entry) => entry.attributes));
  if (condition.resource !== undefined) tests.push(compileMap(condition.resource, `${where}.resource`, (entry) => entry.resource));
  if (condition.body !== undefined) {
    const test = compileMatcher(condition.body, `${where}.body`);
    tests.push((entry) => test(entry.body));
  }
  if (condition.any !== undefined) {
    if (!Array.isArray(condition.any) || condition.any.length === 0) throw new TypeError(`${where}.any: expected a non-empty list of conditions`);
    const alternatives = condition.any.map((alternative, i) => compileCondition(alternative, `${where}.any[${i}]`));
    tests.push((entry) => alternatives.some((alternative) => alternative(entry)));
  }
  if (condition.not !== undefined) {
    const negated = compileCondition(condition.not, `${where}.not`);
    tests.push((entry) => !negated(entry));
  }
  return (entry) => tests.every((test) => test(entry));
}
