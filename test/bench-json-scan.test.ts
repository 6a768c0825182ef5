// The bench sink counts records with a JSON scanner instead of JSON.parse: it must count exactly what JSON.parse
// would find, and refuse every body JSON.parse refuses.
import { describe, expect, it } from 'vitest';
import { cloudWatchEvents, countOtlpJsonLogRecords, countTopLevelItems } from '../bench/json-scan.ts';
import { mulberry32 } from './support/prng.ts';

const random = mulberry32(20261204);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Strings with what JSON makes hard: quotes, backslashes, every control character, multibyte and lone surrogates. */
function randomString(): string {
  const pieces = ['a', 'plain words ', '"', '\\', '/', '\u0000', '\u001f', '\n\t\r\b\f', 'é', 'ü日本', '😀', '\ud800', '\udc00', 'x\ud83d', '\u2028', '{}[],:'];
  let text = '';
  const length = Math.floor(random() * 8);
  for (let i = 0; i < length; i++) text += pick(pieces);
  return text;
}

function randomValue(depth: number): unknown {
  const kind = Math.floor(random() * (depth > 3 ? 5 : 7));
  if (kind === 0) return randomString();
  if (kind === 1) return pick([0, -0.5, 1e21, 123456789, -7, 3.25e-7]);
  if (kind === 2) return pick([true, false, null]);
  if (kind === 3) return '';
  if (kind === 4) return randomString() + randomString();
  if (kind === 5) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) object[pick(['key', 'value', 'logRecords', 'message', randomString()])] = randomValue(depth + 1);
  return object;
}

/** JSON text with random whitespace between tokens and, now and then, characters written as \u escapes. */
function stringify(value: unknown): string {
  const space = () => pick(['', '', ' ', '\n', '\t', '\r\n  ']);
  if (typeof value === 'string') {
    if (random() < 0.3) return `"${Array.from({ length: value.length }, (_, i) => `\\u${value.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${space()}${value.map((item) => stringify(item) + space()).join(`,${space()}`)}]`;
  if (value !== null && typeof value === 'object')
    return `{${space()}${Object.entries(value)
      .map(([key, item]) => `${stringify(key)}${space()}:${space()}${stringify(item)}${space()}`)
      .join(`,${space()}`)}}`;
  return JSON.stringify(value);
}

function otlpRequest(): { resourceLogs: unknown[] } {
  return {
    resourceLogs: Array.from({ length: Math.floor(random() * 3) }, () => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: randomString() } }] },
      scopeLogs: Array.from({ length: Math.floor(random() * 3) }, () => ({
        scope: { name: 'bench' },
        logRecords: Array.from({ length: Math.floor(random() * 5) }, () => ({ timeUnixNano: '1', body: randomValue(0), attributes: [randomValue(1)] })),
      })),
    })),
  };
}

function cloudWatchRequest(): { logEvents: unknown[] } {
  return { logEvents: Array.from({ length: Math.floor(random() * 6) }, () => ({ timestamp: 1, message: randomString() + JSON.stringify(randomValue(0)) })) };
}

// The sink's old counting, on JSON.parse, strict about shapes as the scanner is.
function parsedOtlpRecords(text: string): number {
  const arrayOf = (value: unknown): unknown[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new SyntaxError('not an array');
    return value;
  };
  const objectOf = (value: unknown): Record<string, unknown> => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SyntaxError('not an object');
    return value as Record<string, unknown>;
  };
  let records = 0;
  for (const resourceLogs of arrayOf(objectOf(JSON.parse(text)).resourceLogs))
    for (const scopeLogs of arrayOf(objectOf(resourceLogs).scopeLogs)) records += arrayOf(objectOf(scopeLogs).logRecords).length;
  return records;
}

function parsedCloudWatch(text: string): { events: number; messageBytes: number } {
  const parsed = JSON.parse(text) as { logEvents?: { message?: unknown }[] };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('not an object');
  const events = parsed.logEvents ?? [];
  if (!Array.isArray(events)) throw new SyntaxError('not an array');
  let messageBytes = 0;
  for (const event of events) {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new SyntaxError('not an object');
    if (event.message === undefined) continue;
    if (typeof event.message !== 'string') throw new SyntaxError('not a string');
    messageBytes += Buffer.byteLength(event.message);
  }
  return { events: events.length, messageBytes };
}

/** What a counter gives, or 'refused' when it throws. */
function outcome<T>(count: () => T): T | 'refused' {
  try {
    return count();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return 'refused';
  }
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('the bench sink’s JSON scanner', () => {
  it('counts the log records JSON.parse finds in OTLP/JSON, escapes and whitespace included', () => {
    for (let i = 0; i < 500; i++) {
      const text = stringify(otlpRequest());
      expect(countOtlpJsonLogRecords(bytes(text)), text).toBe(parsedOtlpRecords(text));
    }
  });

  it('counts CloudWatch events and their messages’ UTF-8 bytes as Buffer.byteLength of the parsed message', () => {
    for (let i = 0; i < 500; i++) {
      const text = stringify(cloudWatchRequest());
      expect(cloudWatchEvents(bytes(text)), text).toEqual(parsedCloudWatch(text));
    }
    // A surrogate pair written as two escapes is one 4-byte character; a lone one becomes U+FFFD (3 bytes).
    expect(cloudWatchEvents(bytes('{"logEvents":[{"message":"\\ud83d\\ude00"},{"message":"\\ud83d\\u0041"},{"message":"\\udc00"}]}'))).toEqual({ events: 3, messageBytes: 4 + 4 + 3 });
  });

  it('counts the top-level array LTS sends, and the last of a key given twice (as JSON.parse)', () => {
    expect(countTopLevelItems(bytes('{"log_time_ns":1,"contents":[{"log":"a"},{"log":"b"}],"labels":{}}'), 'contents')).toBe(2);
    expect(countTopLevelItems(bytes('{"contents":[1,2,3],"contents":[4]}'), 'contents')).toBe(1);
    expect(countTopLevelItems(bytes('{"contents":"x","contents":[4,5]}'), 'contents')).toBe(2);
    expect(countTopLevelItems(bytes('{"labels":{"contents":[1]}}'), 'contents')).toBe(0);
    expect(countTopLevelItems(bytes('{"\\u0063ontents":[1,2]}'), 'contents')).toBe(2);
  });

  it('refuses exactly the bodies JSON.parse refuses: every cut and single-byte change of valid requests', () => {
    const damage = ['', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '-', 'e', '.', 'n', 't', '\u0001', 'u', 'x'];
    let refused = 0;
    for (let i = 0; i < 150; i++) {
      const text = stringify(otlpRequest());
      const variants = [text.slice(0, Math.floor(random() * text.length))];
      for (let j = 0; j < 20; j++) {
        const at = Math.floor(random() * text.length);
        variants.push(text.slice(0, at) + pick(damage) + text.slice(at + 1));
      }
      for (const variant of variants) {
        const expected = outcome(() => parsedOtlpRecords(variant));
        if (expected === 'refused') refused++;
        expect(outcome(() => countOtlpJsonLogRecords(bytes(variant))), variant).toBe(expected);
      }
    }
    expect(refused).toBeGreaterThan(1_000); // the changes did break most bodies
  });

  it('checks numbers, literals and escapes as JSON does', () => {
    const values = ['0', '-0', '1.5e-3', '1E+2', '10', '-12.25', '1.', '.5', '01', '-', '1e', '1e+', '+1', '0x1', '1.e3', '--1', 'tru', 'nul', 'falsey', 'NaN'];
    const strings = ['"\\n"', '"\\u00e9"', '"\\uD83D\\uDE00"', '"\\x"', '"\\u12G4"', '"\\u12"', '"\\\'"', '"a\\"', '"\t"', '"\u007f"'];
    for (const value of [...values, ...strings]) {
      const text = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${value}, {"body":${value}}]}]}]}`;
      expect(outcome(() => countOtlpJsonLogRecords(bytes(text))), text).toBe(outcome(() => parsedOtlpRecords(text)));
    }
  });

  it('refuses a body that is not valid UTF-8 (a cut character, an overlong form, an encoded surrogate)', () => {
    for (const bad of [[0xf0], [0xc0, 0xa2], [0xed, 0xa0, 0xbd], [0xff]]) {
      const body = Buffer.concat([Buffer.from('{"logEvents":[{"message":"a'), Buffer.from(bad), Buffer.from('b"}]}')]);
      expect(() => cloudWatchEvents(body)).toThrow(/not valid UTF-8/);
      expect(() => countTopLevelItems(body, 'logEvents')).toThrow(/not valid UTF-8/);
    }
    expect(cloudWatchEvents(Buffer.from('{"logEvents":[{"message":"a😀b"}]}'))).toEqual({ events: 1, messageBytes: 6 });
  });

  it('names what is wrong and where', () => {
    expect(() => countOtlpJsonLogRecords(bytes('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"a\u0001"}]}]}]}'))).toThrow(
      /expected no control character inside a string at byte 56/,
    );
    expect(() => countOtlpJsonLogRecords(bytes('{"resourceLogs":{}}'))).toThrow(/"resourceLogs" is not an array/);
    expect(() => countOtlpJsonLogRecords(bytes('{"resourceLogs":[]} x'))).toThrow(/data after the JSON value at byte 20/);
    expect(() => cloudWatchEvents(bytes('{"logEvents":[{"message":1}]}'))).toThrow(/"message" is not a string/);
  });
});
