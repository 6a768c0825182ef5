import { CloudWatchError, validationError } from './errors.ts';
import { compileRegexTerm, invalidPattern, readQuoted, type MessageMatcher } from './filter-pattern-parts.ts';
import { compileJsonPattern } from './json-filter-pattern.ts';

export type { MessageMatcher } from './filter-pattern-parts.ts';

/** FilterLogEvents' model constraint on `filterPattern`. */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

const MATCH_ALL: MessageMatcher = () => true;

/**
 * Compiles a CloudWatch Logs filter pattern (the syntax of FilterLogEvents, metric and subscription filters):
 *
 * - `""` matches every event;
 * - terms: `ERROR Exception` (all must occur), `?ERROR ?WARN` (at least one), `-DEBUG` (none may), each a bare
 *   word of letters, digits and `_`, or a `"quoted phrase"` (`\"` and `\\` inside); case-sensitive substrings;
 * - `%regex%`: a regular expression of the restricted set CloudWatch documents (no groups, ASCII only);
 * - `{ json expression }`: see json-filter-pattern.ts.
 *
 * Space-delimited patterns (`[ip, user, ...]`) are refused with a message saying the emulator lacks them.
 * Invalid patterns throw InvalidParameterException, as the service answers them.
 */
export function compileFilterPattern(pattern: string): MessageMatcher {
  if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
    throw validationError('filterPattern', pattern, `have length less than or equal to ${MAX_FILTER_PATTERN_LENGTH}`);
  }
  const text = pattern.trim();
  if (text === '') return MATCH_ALL;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new CloudWatchError('InvalidParameterException', "If a filter pattern starts with '{' it must end with '}'");
    return compileJsonPattern(text.slice(1, -1));
  }
  if (text.startsWith('[')) {
    throw new CloudWatchError(
      'InvalidParameterException',
      'Space-delimited filter patterns ([field1, field2, ...]) are not supported by this emulator; use terms, "quoted phrases", %regex% or a JSON pattern { $.field = value }.',
    );
  }
  if (text.length >= 2 && text.startsWith('%') && text.endsWith('%')) {
    const regex = compileRegexTerm(text.slice(1, -1));
    return (message) => regex.test(message);
  }
  return compileTerms(text);
}

interface Terms {
  readonly required: string[];
  readonly optional: string[];
  readonly excluded: string[];
}

/** Letters and digits of any script, and `_`: what a term may hold without quotes. */
const BARE_TERM_CHARACTER = /^[\p{L}\p{N}_]$/u;

function compileTerms(text: string): MessageMatcher {
  const terms: Terms = { required: [], optional: [], excluded: [] };
  let at = 0;
  while (at < text.length) {
    if (/\s/.test(text[at]!)) {
      at++;
      continue;
    }
    const prefix = text[at] === '?' || text[at] === '-' ? text[at] : '';
    if (prefix) at++;
    let term: string;
    if (text[at] === '"') {
      const quoted = readQuoted(text, at);
      term = quoted.value;
      at = quoted.end;
      if (at < text.length && !/\s/.test(text[at]!)) throw invalidPattern(`a quoted phrase must be followed by a space or the end of the pattern (at character ${at + 1})`);
    } else {
      const start = at;
      while (at < text.length && !/\s/.test(text[at]!)) at++;
      term = text.slice(start, at);
      const invalid = [...term].find((character) => !BARE_TERM_CHARACTER.test(character));
      if (term === '' || invalid !== undefined) {
        throw new CloudWatchError(
          'InvalidParameterException',
          `Invalid character(s) in term '${invalid ?? prefix}': put terms with characters other than letters, digits and _ in double quotes, e.g. "user@example.com"`,
        );
      }
    }
    (prefix === '?' ? terms.optional : prefix === '-' ? terms.excluded : terms.required).push(term);
  }
  const { required, optional, excluded } = terms;
  return (message) =>
    required.every((term) => message.includes(term)) &&
    (optional.length === 0 || optional.some((term) => message.includes(term))) &&
    !excluded.some((term) => message.includes(term));
}
