import { CloudWatchError } from './errors.ts';

/** What both kinds of filter pattern (terms and JSON) share: quoted strings, %regex%, the error. */

/** Tells whether one event's message matches. */
export type MessageMatcher = (message: string) => boolean;

/** The service's answer to a pattern it cannot parse, with what is wrong after its own words. */
export function invalidPattern(detail: string): CloudWatchError {
  return new CloudWatchError('InvalidParameterException', `Invalid filter pattern: ${detail}`);
}

/** Reads `"..."` starting at `start` (the opening quote); `\"` and `\\` stand for `"` and `\`. */
export function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  for (let at = start + 1; at < text.length; at++) {
    const character = text[at]!;
    if (character === '"') return { value, end: at + 1 };
    if (character === '\\' && (text[at + 1] === '"' || text[at + 1] === '\\')) {
      value += text[++at];
      continue;
    }
    value += character;
  }
  throw invalidPattern(`the quoted phrase starting at character ${start + 1} has no closing "`);
}

/** What CloudWatch lets a `%regex%` hold: ASCII letters and digits, a few symbols, and its operators. */
const REGEX_CHARACTERS = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]+$/;

/** Compiles the inside of `%...%` with the restrictions the service documents. */
export function compileRegexTerm(source: string): RegExp {
  if (source === '') throw invalidPattern('%% holds no regular expression');
  if (source.includes('(') || source.includes(')')) throw invalidPattern(`regular expressions in filter patterns cannot use ( or ): %${source}%`);
  if (!REGEX_CHARACTERS.test(source)) {
    const invalid = [...source].find((character) => !REGEX_CHARACTERS.test(character));
    throw invalidPattern(`'${invalid}' is not allowed in %regex% (ASCII letters, digits, : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + . only)`);
  }
  try {
    return new RegExp(source);
  } catch (error) {
    throw invalidPattern(`%${source}% is not a valid regular expression: ${(error as Error).message}`);
  }
}
