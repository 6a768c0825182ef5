// Record values (bodies, attributes, severity texts…) written as flat columns for a worker thread: a tag per value,
// counts (lengths and dictionary ids), numbers, strings and, for what is not plain data, the values themselves.
// Walking a value in JavaScript and letting postMessage copy the strings costs about half of V8's serializer on
// the application's thread, and map keys and severity texts, which repeat across records, cross once. (Interning
// attribute values as well cost more on the application's thread, hashing fresh strings, than it saved. So did
// sending a string equal to the chunk's last one under the same key as a bare tag: 28 % fewer strings on the bench
// mix took postMessage from 0.62 to 0.46–0.59 µs/record, the application's thread not measurably.)

const UNDEFINED = 0;
const NULL = 1;
const TRUE = 2;
const FALSE = 3;
const NUMBER = 4;
const STRING = 5;
/** A string of the dictionary: its id is the next count. */
const WORD = 6;
const ARRAY = 7;
/** Plain objects: the entry count, then per entry a key (a dictionary id, or LONG_KEY: the next string) and its value. */
const MAP = 8;
/** Anything else (bytes, bigint, Date, class instances, cycles): kept whole for V8's serializer. */
const OTHER = 9;

const LONG_KEY = 0xffffffff;
/** Keys and values longer than this are sent as strings: a dictionary of huge strings would hold their memory. */
const MAX_WORD_LENGTH = 64;
/** The dictionary starts over (on both sides) once it holds this many strings. */
const MAX_WORDS = 16_384;
/** Deeper values are kept whole (V8's serializer handles cycles; the encoders then cut them). */
const MAX_DEPTH = 32;

/** One chunk's columns, as handed over. */
export interface ValueColumns {
  readonly tags: Uint8Array<ArrayBuffer>;
  readonly counts: Uint32Array<ArrayBuffer>;
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly strings: string[];
  /** The dictionary is emptied before `words` are added (the writer's had grown to its bound). */
  readonly resetWords: boolean;
  /** Strings new to the dictionary, in id order. */
  readonly words: string[];
  /** Values of OTHER tags, in order (sent through V8's serializer). */
  readonly others: unknown[];
}

/** Writes values into growing columns; `take()` hands them over and starts the next chunk. */
export class ValueWriter {
  private tags = new Uint8Array(16_384);
  private counts = new Uint32Array(4_096);
  private numbers = new Float64Array(8_192);
  private tagLength = 0;
  private countLength = 0;
  private numberLength = 0;
  private strings: string[] = [];
  private words: string[] = [];
  private others: unknown[] = [];
  private readonly dictionary = new Map<string, number>();
  private resetWords = false;
  /** The objects from the top-level value down to the one being written, to detect a cycle. */
  private readonly path: object[] = [];
  private cyclic = false;
  /**
   * Whether Object.prototype has enumerable keys (someone added some): `for…in` would list them, so each key is
   * then checked to be the object's own. Otherwise the check is skipped (a third of the cost of walking a map).
   */
  private inheritedKeys = hasEnumerableKeys(Object.prototype);
  /** UTF-16 code units of the strings written since the last take (a measure of the chunk's size). */
  stringUnits = 0;

  /** A number in the numbers column (record fields that are always there, such as times). */
  number(value: number): void {
    if (this.numberLength === this.numbers.length) this.numbers = grow(this.numbers);
    this.numbers[this.numberLength++] = value;
  }

  /**
   * Any value; `word`: a short string value is sent once per dictionary (a severity text); map keys always are.
   * A value with a cycle is kept whole, as in-thread: the encoders cut the cycle where it starts.
   */
  value(value: unknown, word: boolean): void {
    if (typeof value === 'string' && word && value.length <= MAX_WORD_LENGTH) {
      this.tag(WORD);
      this.count(this.wordId(value));
      return;
    }
    if (typeof value !== 'object' || value === null) {
      this.write(value, 0);
      return;
    }
    const tagLength = this.tagLength;
    const countLength = this.countLength;
    const numberLength = this.numberLength;
    const strings = this.strings.length;
    const stringUnits = this.stringUnits;
    const others = this.others.length;
    this.write(value, 0);
    if (!this.cyclic) return;
    this.cyclic = false;
    this.path.length = 0;
    this.tagLength = tagLength;
    this.countLength = countLength;
    this.numberLength = numberLength;
    this.strings.length = strings;
    this.stringUnits = stringUnits;
    this.others.length = others;
    this.tag(OTHER);
    this.others.push(value);
  }

  private write(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.tag(STRING);
        this.strings.push(value);
        this.stringUnits += value.length;
        return;
      case 'number':
        this.tag(NUMBER);
        this.number(value);
        return;
      case 'boolean':
        this.tag(value ? TRUE : FALSE);
        return;
      case 'undefined':
        this.tag(UNDEFINED);
        return;
      case 'object':
        if (value === null) {
          this.tag(NULL);
          return;
        }
        if (depth < MAX_DEPTH) {
          if (this.path.includes(value)) {
            this.cyclic = true;
            return;
          }
          if (Array.isArray(value)) {
            this.array(value, depth);
            return;
          }
          const prototype = Object.getPrototypeOf(value);
          if (prototype === Object.prototype || prototype === null) {
            this.map(value as Record<string, unknown>, depth);
            return;
          }
        }
    }
    this.tag(OTHER);
    this.others.push(value);
  }

  /** The columns written since the last take, ready to transfer. */
  take(): ValueColumns {
    const columns: ValueColumns = {
      tags: this.tags.slice(0, this.tagLength),
      counts: this.counts.slice(0, this.countLength),
      numbers: this.numbers.slice(0, this.numberLength),
      strings: this.strings,
      resetWords: this.resetWords,
      words: this.words,
      others: this.others,
    };
    this.tagLength = this.countLength = this.numberLength = this.stringUnits = 0;
    this.strings = [];
    this.words = [];
    this.others = [];
    // Only between chunks: the ids of this chunk stay valid until the reader has read it.
    this.resetWords = this.dictionary.size >= MAX_WORDS;
    this.inheritedKeys = hasEnumerableKeys(Object.prototype);
    if (this.resetWords) this.dictionary.clear();
    return columns;
  }

  private array(value: readonly unknown[], depth: number): void {
    this.tag(ARRAY);
    this.count(value.length);
    this.path.push(value);
    for (let i = 0; i < value.length && !this.cyclic; i++) this.write(value[i], depth + 1);
    this.path.pop();
  }

  private map(value: Record<string, unknown>, depth: number): void {
    this.tag(MAP);
    const at = this.countLength;
    this.count(0);
    let entries = 0;
    this.path.push(value);
    const ownOnly = this.inheritedKeys;
    for (const key in value) {
      if (ownOnly && !Object.hasOwn(value, key)) continue;
      if (key.length <= MAX_WORD_LENGTH) this.count(this.wordId(key));
      else {
        this.count(LONG_KEY);
        this.strings.push(key);
        this.stringUnits += key.length;
      }
      this.write(value[key], depth + 1);
      if (this.cyclic) return;
      entries++;
    }
    this.path.pop();
    this.counts[at] = entries;
  }

  private wordId(text: string): number {
    let id = this.dictionary.get(text);
    if (id === undefined) {
      id = this.dictionary.size;
      this.dictionary.set(text, id);
      this.words.push(text);
    }
    return id;
  }

  private tag(tag: number): void {
    if (this.tagLength === this.tags.length) this.tags = grow(this.tags);
    this.tags[this.tagLength++] = tag;
  }

  private count(count: number): void {
    if (this.countLength === this.counts.length) this.counts = grow(this.counts);
    this.counts[this.countLength++] = count;
  }
}

function hasEnumerableKeys(object: object): boolean {
  for (const _key in object) return true;
  return false;
}

function grow<T extends Uint8Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array as never);
  return bigger;
}

/** Reads values back in the order they were written; keeps the dictionary across chunks. */
export class ValueReader {
  private readonly dictionary: string[] = [];
  private columns: ValueColumns | undefined;
  private others: readonly unknown[] = [];
  private tagAt = 0;
  private countAt = 0;
  private numberAt = 0;
  private stringAt = 0;
  private otherAt = 0;

  /** Starts reading a chunk; `others` are its OTHER values, deserialised. */
  begin(columns: ValueColumns, others: readonly unknown[]): void {
    if (columns.resetWords) this.dictionary.length = 0;
    for (const word of columns.words) this.dictionary.push(word);
    this.columns = columns;
    this.others = others;
    this.tagAt = this.countAt = this.numberAt = this.stringAt = this.otherAt = 0;
  }

  number(): number {
    return this.columns!.numbers[this.numberAt++]!;
  }

  value(): unknown {
    const columns = this.columns!;
    switch (columns.tags[this.tagAt++]) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case TRUE:
        return true;
      case FALSE:
        return false;
      case NUMBER:
        return columns.numbers[this.numberAt++];
      case STRING:
        return columns.strings[this.stringAt++];
      case WORD:
        return this.dictionary[columns.counts[this.countAt++]!];
      case ARRAY: {
        const length = columns.counts[this.countAt++]!;
        const array = new Array<unknown>(length);
        for (let i = 0; i < length; i++) array[i] = this.value();
        return array;
      }
      case MAP: {
        const entries = columns.counts[this.countAt++]!;
        const map: Record<string, unknown> = {};
        for (let i = 0; i < entries; i++) {
          const id = columns.counts[this.countAt++]!;
          const key = id === LONG_KEY ? columns.strings[this.stringAt++]! : this.dictionary[id]!;
          const value = this.value();
          // An own "__proto__" key is data, as it was in the record: plain assignment would set the prototype.
          if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
          else map[key] = value;
        }
        return map;
      }
      case OTHER:
        return this.others[this.otherAt++];
      default:
        throw new Error(`unknown value tag ${columns.tags[this.tagAt - 1]} at ${this.tagAt - 1}`);
    }
  }
}
