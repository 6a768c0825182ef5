import { compileRegexTerm, invalidPattern, readQuoted, type MessageMatcher } from './filter-pattern-parts.ts';

type Json = unknown;
type Condition = (document: Json) => boolean;
type Segment = string | number;

interface Token {
  readonly kind: 'open' | 'close' | 'and' | 'or' | 'operator' | 'selector' | 'string' | 'regex' | 'word';
  readonly text: string;
  /** Parsed form: the selector's path, the string's value, the regex. */
  readonly path?: readonly Segment[];
  readonly value?: string;
  readonly regex?: RegExp;
}

/** The service allows at most two regular expressions in one JSON or space-delimited pattern. */
const MAX_REGEXES = 2;
const OPERATORS = ['!=', '<=', '>=', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Ends a bare word or a selector's property name. */
const DELIMITER = /[\s()=!<>&|"%.[\]]/;

/**
 * Compiles the inside of a JSON filter pattern `{ ... }`:
 *
 * - selectors `$.a.b`, `$.list[0]`;
 * - `=` / `!=` against a string (`"quoted"` or bare, `*` as a wildcard, the whole value must match), a
 *   `%regex%`, or a number (compared with JSON numbers);
 * - `<`, `>`, `<=`, `>=` against a number;
 * - `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`;
 * - `&&` (binds tighter) and `||`, with parentheses.
 *
 * A comparison on a field that is absent is false (`!=` included). Messages that are not JSON match nothing.
 */
export function compileJsonPattern(source: string): MessageMatcher {
  const tokens = tokenize(source);
  if (tokens.filter((token) => token.kind === 'regex').length > MAX_REGEXES) {
    throw invalidPattern(`a JSON pattern may hold at most ${MAX_REGEXES} %regex% terms`);
  }
  const parser = new Parser(tokens);
  const condition = parser.expression();
  parser.expectEnd();
  return (message) => {
    let document: Json;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof document === 'object' && document !== null && condition(document);
  };
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const character = source[at]!;
    if (/\s/.test(character)) {
      at++;
    } else if (character === '(' || character === ')') {
      tokens.push({ kind: character === '(' ? 'open' : 'close', text: character });
      at++;
    } else if (source.startsWith('&&', at) || source.startsWith('||', at)) {
      tokens.push({ kind: character === '&' ? 'and' : 'or', text: source.slice(at, at + 2) });
      at += 2;
    } else if (OPERATORS.some((operator) => source.startsWith(operator, at))) {
      const operator = OPERATORS.find((candidate) => source.startsWith(candidate, at))!;
      if (operator === '=' && source[at + 1] === '=') throw invalidPattern("use = (not ==) to compare in a JSON pattern");
      tokens.push({ kind: 'operator', text: operator });
      at += operator.length;
    } else if (character === '$') {
      const selector = readSelector(source, at);
      tokens.push({ kind: 'selector', text: source.slice(at, selector.end), path: selector.path });
      at = selector.end;
    } else if (character === '"') {
      const quoted = readQuoted(source, at);
      tokens.push({ kind: 'string', text: source.slice(at, quoted.end), value: quoted.value });
      at = quoted.end;
    } else if (character === '%') {
      const end = source.indexOf('%', at + 1);
      if (end < 0) throw invalidPattern(`the %regex% starting at ${source.slice(at, at + 20)} has no closing %`);
      tokens.push({ kind: 'regex', text: source.slice(at, end + 1), regex: compileRegexTerm(source.slice(at + 1, end)) });
      at = end + 1;
    } else {
      const start = at;
      while (at < source.length && !/[\s()=!<>&|"%]/.test(source[at]!)) at++;
      if (at === start) throw invalidPattern(`unexpected '${character}' in the JSON pattern near '${source.slice(start, start + 20)}'`);
      tokens.push({ kind: 'word', text: source.slice(start, at) });
    }
  }
  return tokens;
}

/** `$` followed by `.name` and `[index]` steps. */
function readSelector(source: string, start: number): { path: Segment[]; end: number } {
  const path: Segment[] = [];
  let at = start + 1;
  while (at < source.length) {
    if (source[at] === '.') {
      const nameStart = ++at;
      while (at < source.length && !DELIMITER.test(source[at]!)) at++;
      if (at === nameStart) throw invalidPattern(`the selector ${source.slice(start, at + 1)} needs a property name after the dot`);
      path.push(source.slice(nameStart, at));
    } else if (source[at] === '[') {
      const match = /^\[(\d+)\]/.exec(source.slice(at));
      if (!match) throw invalidPattern(`the selector ${source.slice(start, at + 1)} needs an array index such as [0]`);
      path.push(Number(match[1]));
      at += match[0].length;
    } else {
      break;
    }
  }
  if (path.length === 0) throw invalidPattern(`a selector starts with $. or $[, as in $.level; got ${source.slice(start, at + 1)}`);
  return { path, end: at };
}

class Parser {
  private at = 0;
  private readonly tokens: readonly Token[];

  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }

  expression(): Condition {
    const alternatives = [this.conjunction()];
    while (this.peek()?.kind === 'or') {
      this.at++;
      alternatives.push(this.conjunction());
    }
    return alternatives.length === 1 ? alternatives[0]! : (document) => alternatives.some((condition) => condition(document));
  }

  expectEnd(): void {
    const token = this.peek();
    if (token) throw invalidPattern(`unexpected '${token.text}' in the JSON pattern; join conditions with && or ||`);
  }

  private conjunction(): Condition {
    const parts = [this.unary()];
    while (this.peek()?.kind === 'and') {
      this.at++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0]! : (document) => parts.every((condition) => condition(document));
  }

  private unary(): Condition {
    const token = this.next('a condition such as $.level = "ERROR"');
    if (token.kind === 'open') {
      const inner = this.expression();
      if (this.next('a closing )').kind !== 'close') throw invalidPattern('a ( in the JSON pattern has no matching )');
      return inner;
    }
    if (token.kind !== 'selector') throw invalidPattern(`expected a selector such as $.level, got '${token.text}'`);
    return this.comparison(token.path!, token.text);
  }

  private comparison(path: readonly Segment[], selector: string): Condition {
    const token = this.next(`an operator after ${selector}`);
    const select = (document: Json) => selectPath(document, path);
    if (token.kind === 'word' && token.text.toUpperCase() === 'IS') {
      const what = this.next(`TRUE, FALSE or NULL after ${selector} IS`).text.toUpperCase();
      if (what === 'TRUE' || what === 'FALSE') return (document) => select(document) === (what === 'TRUE');
      if (what === 'NULL') return (document) => select(document) === null;
      throw invalidPattern(`${selector} IS must be followed by TRUE, FALSE or NULL, not '${what}'`);
    }
    if (token.kind === 'word' && token.text.toUpperCase() === 'NOT') {
      const what = this.next(`EXISTS after ${selector} NOT`).text.toUpperCase();
      if (what !== 'EXISTS') throw invalidPattern(`${selector} NOT must be followed by EXISTS, not '${what}'`);
      return (document) => select(document) === undefined;
    }
    if (token.kind !== 'operator') throw invalidPattern(`expected =, !=, <, >, <=, >=, IS or NOT EXISTS after ${selector}, got '${token.text}'`);
    const operator = token.text as Operator;
    const value = this.next(`a value after ${selector} ${operator}`);
    const matches = valueMatcher(value, operator, selector);
    if (operator === '!=') {
      return (document) => {
        const selected = select(document);
        return selected !== undefined && !matches(selected);
      };
    }
    return (document) => {
      const selected = select(document);
      return selected !== undefined && matches(selected);
    };
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.at++];
    if (!token) throw invalidPattern(`the JSON pattern ends where ${expected} was expected`);
    return token;
  }
}

/** How the right-hand side of a comparison tests a selected value (for `!=`, the negation is applied by the caller). */
function valueMatcher(token: Token, operator: Operator, selector: string): (selected: Json) => boolean {
  const isNumber = token.kind === 'word' && NUMBER.test(token.text);
  if (operator !== '=' && operator !== '!=') {
    if (!isNumber) throw invalidPattern(`${selector} ${operator} needs a number, got '${token.text}'`);
    const limit = Number(token.text);
    const compare = { '<': (a: number) => a < limit, '>': (a: number) => a > limit, '<=': (a: number) => a <= limit, '>=': (a: number) => a >= limit }[operator];
    return (selected) => typeof selected === 'number' && compare(selected);
  }
  if (isNumber) {
    const number = Number(token.text);
    return (selected) => typeof selected === 'number' && selected === number;
  }
  if (token.kind === 'regex') {
    const regex = token.regex!;
    return (selected) => typeof selected === 'string' && regex.test(selected);
  }
  if (token.kind !== 'string' && token.kind !== 'word') throw invalidPattern(`${selector} ${operator} needs a value ("text", a number or %regex%), got '${token.text}'`);
  const wildcard = wildcardRegex(token.kind === 'string' ? token.value! : token.text);
  return (selected) => typeof selected === 'string' && wildcard.test(selected);
}

/** `*` matches any run of characters; everything else is literal; the whole value must match. */
function wildcardRegex(text: string): RegExp {
  const body = text
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function selectPath(document: Json, path: readonly Segment[]): Json {
  let value = document;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return undefined;
      value = value[segment];
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, Json>)[segment];
    }
  }
  return value;
}
