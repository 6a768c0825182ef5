import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../src/cloudwatch/filter-pattern.ts';

/** The messages of `messages` that `pattern` keeps. */
function kept(pattern: string, messages: readonly string[]): string[] {
  const matches = compileFilterPattern(pattern);
  return messages.filter((message) => matches(message));
}

function refusal(pattern: string): { type: string; message: string } {
  try {
    compileFilterPattern(pattern);
  } catch (error) {
    return { type: (error as { type: string }).type, message: (error as Error).message };
  }
  throw new Error(`pattern ${JSON.stringify(pattern)} was accepted`);
}

const LINES = ['[ERROR 400] BAD REQUEST', '[ERROR 401] UNAUTHORIZED REQUEST', '[WARN 429] Throttled', '[INFO 200] ok', 'error lower case'];

describe('filter pattern terms', () => {
  it('matches everything with an empty or blank pattern', () => {
    expect(kept('', LINES)).toEqual(LINES);
    expect(kept('   ', LINES)).toEqual(LINES);
  });

  it('needs every plain term, case-sensitively, as a substring', () => {
    expect(kept('ERROR', LINES)).toEqual(LINES.slice(0, 2));
    expect(kept('ERROR UNAUTHORIZED', LINES)).toEqual([LINES[1]]);
    expect(kept('error', LINES)).toEqual([LINES[4]]);
    expect(kept('REQUEST 400', LINES)).toEqual([LINES[0]]);
  });

  it('needs one of the ?terms, and none of the -terms', () => {
    expect(kept('?WARN ?INFO', LINES)).toEqual([LINES[2], LINES[3]]);
    expect(kept('ERROR -UNAUTHORIZED', LINES)).toEqual([LINES[0]]);
    expect(kept('-ERROR', LINES)).toEqual(LINES.slice(2));
    expect(kept('REQUEST ?400 ?429', LINES)).toEqual([LINES[0]]);
  });

  it('matches quoted phrases exactly, spaces, punctuation and escaped quotes included', () => {
    expect(kept('"ERROR 401"', LINES)).toEqual([LINES[1]]);
    expect(kept('"[WARN"', LINES)).toEqual([LINES[2]]);
    expect(kept('"user@example.com"', ['login user@example.com', 'login user@example'])).toEqual(['login user@example.com']);
    expect(kept('"say \\"hi\\""', ['they say "hi"', 'they say hi'])).toEqual(['they say "hi"']);
    expect(kept('"back\\\\slash"', ['a back\\slash', 'a backslash'])).toEqual(['a back\\slash']);
    expect(kept('-"ERROR 400" ERROR', LINES)).toEqual([LINES[1]]);
    expect(kept('?"WARN 429" ?"INFO 200"', LINES)).toEqual([LINES[2], LINES[3]]);
  });

  it('matches multibyte terms and phrases', () => {
    const messages = ['注文 失敗: 在庫なし', '注文 成功', 'emoji 🚀 launched', 'Ünïcödé café'];
    expect(kept('注文 失敗', messages)).toEqual([messages[0]]);
    expect(kept('"注文 成功"', messages)).toEqual([messages[1]]);
    expect(kept('"🚀"', messages)).toEqual([messages[2]]);
    expect(kept('café', messages)).toEqual([messages[3]]);
  });

  it('refuses unquoted terms with other characters, as the service does', () => {
    for (const [pattern, character] of [
      ['user@example.com', '@'],
      ['Status: timeout', ':'],
      ['a,b', ','],
      ['fn(x)', '('],
      ['SUCCESS*', '*'],
      ['ERR?OR', '?'],
      ['🚀', '🚀'],
      ['?', '?'],
      ['-', '-'],
    ]) {
      const { type, message } = refusal(pattern!);
      expect(type, pattern).toBe('InvalidParameterException');
      expect(message, pattern).toContain(`Invalid character(s) in term '${character}'`);
    }
  });

  it('refuses an unterminated quote, text glued to a phrase, and a pattern over 1024 characters', () => {
    expect(refusal('"ERROR 400')).toMatchObject({ type: 'InvalidParameterException', message: expect.stringContaining('no closing "') });
    expect(refusal('"ERROR"400')).toMatchObject({ type: 'InvalidParameterException' });
    expect(refusal('a'.repeat(1025))).toMatchObject({ type: 'InvalidParameterException', message: expect.stringContaining('length less than or equal to 1024') });
    expect(kept('a'.repeat(1024), ['a'.repeat(1024)])).toHaveLength(1);
  });

  it('supports %regex% with the documented restrictions', () => {
    expect(kept('%40[01]%', LINES)).toEqual(LINES.slice(0, 2));
    expect(kept('%[EW][RA][RN]%', LINES)).toEqual(LINES.slice(0, 3));
    expect(kept('%^error%', LINES)).toEqual([LINES[4]]);
    expect(refusal('%(ERROR)%').type).toBe('InvalidParameterException');
    expect(refusal('%something!%').message).toContain("'!' is not allowed");
    expect(refusal('%注文%').message).toContain('is not allowed');
    expect(refusal('%[%').message).toContain('not a valid regular expression');
  });

  it('says space-delimited patterns are not emulated instead of matching wrongly', () => {
    expect(refusal('[ip, user, status = 404]')).toMatchObject({ type: 'InvalidParameterException', message: expect.stringContaining('not supported by this emulator') });
  });
});

const EVENTS = [
  { level: 'ERROR', latency: 1200, user: { id: 7, name: 'Zoë' }, tags: ['a', 'b'], ok: false, note: null, path: '/api/orders/42' },
  { level: 'INFO', latency: 15, user: { id: 8, name: 'Ann' }, tags: ['c'], ok: true, path: '/health' },
  { level: 'WARN', latency: 300.5, user: { id: 9 }, tags: [], ok: true, path: '/api/users' },
].map((event) => JSON.stringify(event));

describe('JSON filter patterns', () => {
  const keptIndexes = (pattern: string) => kept(pattern, EVENTS).map((message) => EVENTS.indexOf(message));

  it('compares strings exactly, quoted or bare, with * as a wildcard', () => {
    expect(keptIndexes('{ $.level = "ERROR" }')).toEqual([0]);
    expect(keptIndexes('{$.level=ERROR}')).toEqual([0]);
    expect(keptIndexes('{ $.level = "ERR" }')).toEqual([]);
    expect(keptIndexes('{ $.path = "/api/*" }')).toEqual([0, 2]);
    expect(keptIndexes('{ $.path = /api/orders/* }')).toEqual([0]);
    expect(keptIndexes('{ $.user.name = "Zoë" }')).toEqual([0]);
  });

  it('treats != as "present and different"', () => {
    expect(keptIndexes('{ $.level != "ERROR" }')).toEqual([1, 2]);
    expect(keptIndexes('{ $.user.name != "Ann" }')).toEqual([0]);
  });

  it('compares numbers with = != < > <= >=', () => {
    expect(keptIndexes('{ $.latency > 1000 }')).toEqual([0]);
    expect(keptIndexes('{ $.latency < 300.5 }')).toEqual([1]);
    expect(keptIndexes('{ $.latency <= 300.5 }')).toEqual([1, 2]);
    expect(keptIndexes('{ $.latency >= 300.5 }')).toEqual([0, 2]);
    expect(keptIndexes('{ $.user.id = 8 }')).toEqual([1]);
    expect(keptIndexes('{ $.user.id != 8 }')).toEqual([0, 2]);
    expect(keptIndexes('{ $.level > 3 }')).toEqual([]);
  });

  it('indexes arrays and knows IS TRUE / FALSE / NULL and NOT EXISTS', () => {
    expect(keptIndexes('{ $.tags[0] = "c" }')).toEqual([1]);
    expect(keptIndexes('{ $.tags[1] = * }')).toEqual([0]);
    expect(keptIndexes('{ $.ok IS TRUE }')).toEqual([1, 2]);
    expect(keptIndexes('{ $.ok IS FALSE }')).toEqual([0]);
    expect(keptIndexes('{ $.note IS NULL }')).toEqual([0]);
    expect(keptIndexes('{ $.user.name NOT EXISTS }')).toEqual([2]);
  });

  it('combines with && (tighter) and || and parentheses', () => {
    expect(keptIndexes('{ $.level = "INFO" || $.level = "WARN" && $.latency > 1000 }')).toEqual([1]);
    expect(keptIndexes('{ ($.level = "INFO" || $.level = "WARN") && $.latency > 100 }')).toEqual([2]);
    expect(keptIndexes('{ ($.user.id = 7 && $.tags[0] = "a") || $.path = "/health" }')).toEqual([0, 1]);
  });

  it('matches %regex% values and no message that is not JSON', () => {
    expect(keptIndexes('{ $.path = %^/api/[a-z]+$% }')).toEqual([2]);
    expect(kept('{ $.level = "ERROR" }', ['ERROR not json', '{"level":"ERROR"', '"ERROR"', '{"level":"ERROR"}'])).toEqual(['{"level":"ERROR"}']);
  });

  it('refuses malformed JSON patterns with InvalidParameterException', () => {
    const cases: [string, string][] = [
      ['{ $.level = "ERROR" ', "must end with '}'"],
      ['{ }', 'ends where'],
      ['{ $.level }', 'ends where an operator'],
      ['{ $.level == "ERROR" }', 'use = (not ==)'],
      ['{ $.latency > fast }', 'needs a number'],
      ['{ $. = 1 }', 'needs a property name'],
      ['{ level = 1 }', 'expected a selector'],
      ['{ $.a = 1 $.b = 2 }', 'join conditions with && or ||'],
      ['{ ($.a = 1 }', 'ends where a closing )'],
      ['{ $.a IS MAYBE }', 'TRUE, FALSE or NULL'],
      ['{ $.a NOT THERE }', 'EXISTS'],
      ['{ $.a = "x }', 'no closing "'],
      ['{ $.a = %x% || $.b = %y% || $.c = %z% }', 'at most 2 %regex%'],
      ['{ $.tags[x] = 1 }', 'array index'],
    ];
    for (const [pattern, expected] of cases) {
      const { type, message } = refusal(pattern);
      expect(type, pattern).toBe('InvalidParameterException');
      expect(message, pattern).toContain(expected);
    }
  });
});
