// Counts the records in the sink's JSON request bodies without building them. JSON.parse of a 1 MiB OTLP/JSON
// body makes an object per record, attribute and value: 7–11 µs per record of the mix, on the same two cores as
// the pipeline being measured. This scanner checks every byte against JSON's grammar (RFC 8259: nesting,
// separators, strings and their escapes, numbers, literals) and throws on the first one that breaks it, so a
// malformed body is still refused; it only keeps what the sink counts. A body that is not valid UTF-8 is refused
// too (every service named here requires it; JSON.parse over toString('utf8') would have read U+FFFD instead), and
// so is one nested deeper than the call stack allows (thousands of levels; the encoders cut at 32).

import { isUtf8 } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** 1 for the bytes that stand for themselves inside a string: all but the quote, the backslash and controls. */
const PLAIN = new Uint8Array(256).fill(1, 0x20);
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;

/** A cursor over one JSON text; each method reads one value at the cursor and leaves the cursor after it. */
export class JsonScanner {
  private readonly bytes: Uint8Array;
  private at = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Reads the whole text with `root` (which must read exactly one value), then checks that nothing follows. */
  static scan(bytes: Uint8Array, root: (scanner: JsonScanner) => void): void {
    if (!isUtf8(bytes)) throw new SyntaxError('the body is not valid UTF-8');
    const scanner = new JsonScanner(bytes);
    scanner.space();
    root(scanner);
    scanner.space();
    if (scanner.at !== bytes.length) scanner.fail('data after the JSON value');
  }

  /** An object: `member` is called with each key, the cursor on its value, and must read that value. */
  object(member: (key: string) => void): void {
    this.expect(OPEN_BRACE);
    this.space();
    if (this.bytes[this.at] === CLOSE_BRACE) {
      this.at++;
      return;
    }
    for (;;) {
      if (this.bytes[this.at] !== QUOTE) this.fail('a key (a string)');
      const key = this.key();
      this.space();
      this.expect(COLON);
      this.space();
      member(key);
      this.space();
      if (this.bytes[this.at] === COMMA) {
        this.at++;
        this.space();
        continue;
      }
      this.expect(CLOSE_BRACE);
      return;
    }
  }

  /** An array: `item` is called with the cursor on each element and must read it. Returns how many there were. */
  array(item: () => void): number {
    this.expect(OPEN_BRACKET);
    this.space();
    if (this.bytes[this.at] === CLOSE_BRACKET) {
      this.at++;
      return 0;
    }
    let items = 0;
    for (;;) {
      item();
      items++;
      this.space();
      if (this.bytes[this.at] === COMMA) {
        this.at++;
        this.space();
        continue;
      }
      this.expect(CLOSE_BRACKET);
      return items;
    }
  }

  /** Whether the value at the cursor is a string. */
  atString(): boolean {
    return this.bytes[this.at] === QUOTE;
  }

  /** Whether the value at the cursor is an array. */
  atArray(): boolean {
    return this.bytes[this.at] === OPEN_BRACKET;
  }

  /** Any value, checked and passed over. */
  skip(): void {
    const byte = this.bytes[this.at];
    if (byte === QUOTE) this.string();
    else if (byte === OPEN_BRACE) this.skipObject();
    else if (byte === OPEN_BRACKET) this.skipArray();
    else if (byte === 0x74) this.literal('true');
    else if (byte === 0x66) this.literal('false');
    else if (byte === 0x6e) this.literal('null');
    else this.number();
  }

  /** A string; returns the UTF-8 byte length of its value (what Buffer.byteLength of the parsed string gives). */
  string(): number {
    const bytes = this.bytes;
    const end = bytes.length;
    this.expect(QUOTE);
    let length = 0;
    let at = this.at;
    for (;;) {
      // Plain bytes (the most of any string) in a tight loop; stops at a quote, a backslash or a control byte.
      const start = at;
      while (at < end && PLAIN[bytes[at]!] === 1) at++;
      length += at - start;
      if (at >= end) this.fail('the end of a string', at);
      const byte = bytes[at++]!;
      if (byte === QUOTE) break;
      if (byte !== BACKSLASH) this.fail('no control character inside a string', at - 1);
      this.at = at;
      length += this.escape();
      at = this.at;
    }
    this.at = at;
    return length;
  }

  /** A number, checked (its value is not needed). */
  number(): void {
    const bytes = this.bytes;
    const start = this.at;
    if (bytes[this.at] === 0x2d) this.at++;
    if (bytes[this.at] === 0x30) this.at++;
    else if (!this.digits()) this.fail('a value', start);
    if (bytes[this.at] === 0x2e) {
      this.at++;
      if (!this.digits()) this.fail('a digit after the decimal point');
    }
    if (bytes[this.at] === 0x65 || bytes[this.at] === 0x45) {
      this.at++;
      if (bytes[this.at] === 0x2b || bytes[this.at] === 0x2d) this.at++;
      if (!this.digits()) this.fail('a digit in the exponent');
    }
  }

  // object() and array() again, without a callback per member: nested values are most of a body, and sharing one
  // loop (a callback, or helpers for the brackets and commas) made the scan 1.5-2x slower.
  private skipObject(): void {
    this.expect(OPEN_BRACE);
    this.space();
    if (this.bytes[this.at] === CLOSE_BRACE) {
      this.at++;
      return;
    }
    for (;;) {
      if (this.bytes[this.at] !== QUOTE) this.fail('a key (a string)');
      this.string();
      this.space();
      this.expect(COLON);
      this.space();
      this.skip();
      this.space();
      if (this.bytes[this.at] !== COMMA) break;
      this.at++;
      this.space();
    }
    this.expect(CLOSE_BRACE);
  }

  private skipArray(): void {
    this.expect(OPEN_BRACKET);
    this.space();
    if (this.bytes[this.at] === CLOSE_BRACKET) {
      this.at++;
      return;
    }
    for (;;) {
      this.skip();
      this.space();
      if (this.bytes[this.at] !== COMMA) break;
      this.at++;
      this.space();
    }
    this.expect(CLOSE_BRACKET);
  }

  /** The bytes after a backslash; returns the UTF-8 length of what they stand for. */
  private escape(): number {
    const bytes = this.bytes;
    const kind = bytes[this.at++];
    switch (kind) {
      case QUOTE:
      case BACKSLASH:
      case 0x2f: // /
      case 0x62: // b
      case 0x66: // f
      case 0x6e: // n
      case 0x72: // r
      case 0x74: // t
        return 1;
      case 0x75: {
        const unit = this.hex4();
        if (unit < 0x80) return 1;
        if (unit < 0x800) return 2;
        // A high surrogate escaped right before a low one is one character of 4 bytes; a lone one becomes U+FFFD (3).
        if (unit >= 0xd800 && unit <= 0xdbff && bytes[this.at] === BACKSLASH && bytes[this.at + 1] === 0x75) {
          const saved = this.at;
          this.at += 2;
          const low = this.hex4();
          if (low >= 0xdc00 && low <= 0xdfff) return 4;
          this.at = saved;
        }
        return 3;
      }
      default:
        return this.fail('a valid escape after a backslash', this.at - 1);
    }
  }

  private hex4(): number {
    let unit = 0;
    for (let i = 0; i < 4; i++) {
      const byte = this.bytes[this.at++] ?? -1;
      const digit = byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte >= 0x61 && byte <= 0x66 ? byte - 0x57 : byte >= 0x41 && byte <= 0x46 ? byte - 0x37 : -1;
      if (digit < 0) this.fail('four hexadecimal digits after \\u', this.at - 1);
      unit = unit * 16 + digit;
    }
    return unit;
  }

  /**
   * A key, decoded; a plain one longer than 32 bytes or with bytes beyond ASCII comes back as '' (the sink looks
   * for short ASCII names only). One with escapes is decoded by JSON.parse (rare: no encoder escapes a key's letters).
   */
  private key(): string {
    const start = this.at;
    this.string();
    const bytes = this.bytes;
    let key = '';
    for (let i = start + 1; i < this.at - 1; i++) {
      const byte = bytes[i]!;
      if (byte === BACKSLASH) return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, this.at - start).toString('utf8')) as string;
      if (byte >= 0x80 || i - start > 32) return '';
      key += String.fromCharCode(byte);
    }
    return key;
  }

  private digits(): boolean {
    const start = this.at;
    while (this.at < this.bytes.length && this.bytes[this.at]! >= 0x30 && this.bytes[this.at]! <= 0x39) this.at++;
    return this.at > start;
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) if (this.bytes[this.at + i] !== word.charCodeAt(i)) this.fail(`'${word}'`);
    this.at += word.length;
  }

  private space(): void {
    const bytes = this.bytes;
    for (;;) {
      const byte = bytes[this.at];
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return;
      this.at++;
    }
  }

  private expect(byte: number): void {
    if (this.bytes[this.at] !== byte) this.fail(`'${String.fromCharCode(byte)}'`);
    this.at++;
  }

  private fail(expected: string, at = this.at): never {
    const found = at >= this.bytes.length ? 'the end of the body' : `byte 0x${this.bytes[at]!.toString(16).padStart(2, '0')}`;
    throw new SyntaxError(`JSON: expected ${expected} at byte ${at}, found ${found}`);
  }
}

// What is counted follows JSON.parse: a key that appears twice in one object counts by its last value. A body
// whose named arrays are not arrays, or whose elements on the way are not objects, is refused (its records lost).

/** LogRecords in an OTLP/JSON ExportLogsServiceRequest: resourceLogs[].scopeLogs[].logRecords[]. */
export function countOtlpJsonLogRecords(body: Uint8Array): number {
  let records = 0;
  const logRecords = (json: JsonScanner): number => lastArray(json, 'logRecords', () => (json.skip(), 0)).items;
  const scopeLogs = (json: JsonScanner): number => lastArray(json, 'scopeLogs', () => logRecords(json)).sum;
  JsonScanner.scan(body, (json) => {
    records = lastArray(json, 'resourceLogs', () => scopeLogs(json)).sum;
  });
  return records;
}

/** The elements of the top-level array `name` (LTS's `contents`). */
export function countTopLevelItems(body: Uint8Array, name: string): number {
  let items = 0;
  JsonScanner.scan(body, (json) => {
    items = lastArray(json, name, () => (json.skip(), 0)).items;
  });
  return items;
}

/** PutLogEvents' events and the UTF-8 bytes of their messages (what the service counts, before its 26 per event). */
export function cloudWatchEvents(body: Uint8Array): { events: number; messageBytes: number } {
  let events = { items: 0, sum: 0 };
  JsonScanner.scan(body, (json) => {
    events = lastArray(json, 'logEvents', () => {
      let message = 0;
      let wrong = false;
      json.object((key) => {
        if (key !== 'message') return json.skip();
        wrong = !json.atString();
        if (wrong) json.skip();
        else message = json.string();
      });
      if (wrong) throw new SyntaxError('an event\'s "message" is not a string');
      return message;
    });
  });
  return { events: events.items, messageBytes: events.sum };
}

/**
 * Reads an object, and in it the array `name` (other members are checked and passed over): its elements and the
 * sum of `item` over them (`item` reads one); none when it is not there. With `name` twice, the last array counts.
 */
function lastArray(json: JsonScanner, name: string, item: () => number): { items: number; sum: number } {
  let items = 0;
  let sum = 0;
  let wrong = false;
  json.object((key) => {
    if (key !== name) return json.skip();
    wrong = !json.atArray();
    if (wrong) return json.skip();
    let arraySum = 0;
    items = json.array(() => {
      arraySum += item();
    });
    sum = arraySum;
  });
  if (wrong) throw new SyntaxError(`"${name}" is not an array`);
  return { items, sum };
}
