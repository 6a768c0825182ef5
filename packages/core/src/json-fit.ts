/**
 * Cutting a JSON document down to a size, for the rare record over a provider's event limit. The document is
 * described as a tree of nodes and written here, so the result is valid JSON whatever the record holds: strings
 * (keys and values) are cut between characters and end with `truncationMarker`, entries that cannot fit are
 * replaced by one entry saying how many were dropped; nothing is ever cut inside a token or an escape sequence.
 * Sizes are exact (every part of JSON text adds its bytes to the whole), so the result is at most the limit and,
 * where strings were cut, within a character of it.
 */
import { truncationMarker, utf8ByteLength } from './utf8.ts';

/**
 * How the service counts a document's size: 'utf8', its UTF-8 bytes; 'escaped', the UTF-8 bytes of the document
 * once escaped as a JSON string (a line that travels inside a JSON string, e.g. Huawei LTS).
 */
export type JsonSizeMeasure = 'utf8' | 'escaped';

/** Text written before and after a JSON string (e.g. `{"stringValue":` and `}`). */
export type JsonWrapper = readonly [before: string, after: string];

/** How a keyed entry is written: before, the key as a JSON string, between, the value, after. */
export type JsonMember = readonly [before: string, between: string, after: string];

export type JsonFitNode =
  /** Written as is and never cut: numbers, literals, values a service checks (ids, timestamps). */
  | { readonly kind: 'fixed'; readonly json: string }
  /** A string that may be cut: `wrapper` around its JSON string; once cut, `cutWrapper` (default `wrapper`). */
  | { readonly kind: 'text'; readonly text: string; readonly wrapper?: JsonWrapper; readonly cutWrapper?: JsonWrapper }
  /**
   * `open`, the entries separated by commas, `close`. Keyed entries are written with `member`; entries past the
   * first ones may be dropped for one marker entry (its value, a string, in `markerWrapper`) unless `keepAll`.
   */
  | {
      readonly kind: 'list';
      readonly open: string;
      readonly close: string;
      readonly entries: readonly JsonFitEntry[];
      readonly member?: JsonMember;
      readonly markerWrapper?: JsonWrapper;
      readonly keepAll?: boolean;
    };

export interface JsonFitEntry {
  /** Set for the entries of a keyed list (a map); cut like any string unless the list keeps all its entries. */
  readonly key?: string;
  readonly value: JsonFitNode;
}

/** The key of the entry that stands for dropped entries. */
export const DROPPED_ENTRIES_KEY = 'otel_cloud_logs.truncated';

/** The value of the entry that stands for `count` dropped entries. */
export function droppedEntriesMarker(count: number): string {
  return `…[truncated by otel-cloud-logs: ${count} entries dropped]`;
}

/**
 * Where the limit allows, a cut string keeps at least this many bytes of its text, so that it is not mostly marker:
 * entries are dropped before strings are cut shorter.
 */
const MIN_KEPT_WEIGHT = 64;
const UNLIMITED = Number.MAX_SAFE_INTEGER;
/** ',' is one byte and needs no escaping, however the size is counted. */
const SEPARATOR_BYTES = 1;

/** Sizes of JSON text and of the characters in its strings, as one service counts them. */
class Measure {
  private readonly kind: JsonSizeMeasure;
  private readonly ascii: number[];
  private readonly loneSurrogate: number;
  readonly quotes: number;
  private readonly templates = new Map<string, number>();
  /** The weight of the prefix last found by `prefixEnd`. */
  prefixWeight = 0;

  constructor(kind: JsonSizeMeasure) {
    this.kind = kind;
    const contentWeight = (char: string) => this.bytes(JSON.stringify(char).slice(1, -1));
    this.ascii = Array.from({ length: 128 }, (_, code) => contentWeight(String.fromCharCode(code)));
    this.loneSurrogate = contentWeight('\ud800');
    this.quotes = this.bytes('""');
  }

  /** Size of JSON text as the service counts it. */
  bytes(json: string): number {
    return this.kind === 'utf8' ? utf8ByteLength(json) : utf8ByteLength(JSON.stringify(json)) - 2;
  }

  /** What the characters of `text` add once written as a JSON string (its quotes not included). */
  weight(text: string): number {
    // Most keys and values are short: summed here, without the native calls' overhead.
    if (text.length > 64) return this.bytes(JSON.stringify(text)) - this.quotes;
    this.prefixEnd(text, UNLIMITED);
    return this.prefixWeight;
  }

  /** Cost of `text` written as a JSON string, quotes included. */
  stringBytes(text: string): number {
    return this.weight(text) + this.quotes;
  }

  /** Cost of the parts of a template (brackets, wrappers, members: a few texts that every node of a kind shares). */
  templateBytes(parts: readonly string[]): number {
    let sum = 0;
    for (const part of parts) {
      let bytes = this.templates.get(part);
      if (bytes === undefined) this.templates.set(part, (bytes = this.bytes(part)));
      sum += bytes;
    }
    return sum;
  }

  /** End of the longest prefix of `text` weighing at most `budget`, never inside a surrogate pair. */
  prefixEnd(text: string, budget: number): number {
    let used = 0;
    let end = 0;
    while (end < text.length) {
      const code = text.charCodeAt(end);
      let cost = 3;
      let units = 1;
      if (code < 0x80) cost = this.ascii[code]!;
      else if (code < 0x800) cost = 2;
      else if (code >= 0xd800 && code <= 0xdfff) {
        const next = text.charCodeAt(end + 1);
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          cost = 4;
          units = 2;
        } else cost = this.loneSurrogate; // written as \uXXXX
      }
      if (used + cost > budget) break;
      used += cost;
      end += units;
    }
    this.prefixWeight = used;
    return end;
  }
}

const MEASURES: Record<JsonSizeMeasure, Measure> = { utf8: new Measure('utf8'), escaped: new Measure('escaped') };

interface Fixed {
  readonly kind: 'fixed';
  readonly json: string;
  readonly cost: number;
}

interface Text {
  readonly kind: 'text';
  readonly text: string;
  readonly wrapper: JsonWrapper;
  readonly cutWrapper: JsonWrapper;
  readonly weight: number;
  /** Cost written whole. */
  readonly whole: number;
  /** Its truncationMarker, and its cost once cut less what its kept prefix weighs: made when first needed. */
  marker: string;
  cutBase: number;
}

interface List {
  readonly kind: 'list';
  readonly source: Extract<JsonFitNode, { kind: 'list' }>;
  readonly base: number;
  readonly memberCost: number;
  /** Keys and values prepared when first visited: a search looks at the first entries of a long list only. */
  readonly keys: Array<Fixed | Text | undefined>;
  readonly values: Prepared[];
}

type Prepared = Fixed | Text | List;

const PLAIN: JsonWrapper = ['', ''];

function prepare(node: JsonFitNode, measure: Measure): Prepared {
  if (node.kind === 'fixed') return { kind: 'fixed', json: node.json, cost: measure.bytes(node.json) };
  if (node.kind === 'text') return prepareText(node.text, node.wrapper ?? PLAIN, node.cutWrapper ?? node.wrapper ?? PLAIN, measure);
  const base = measure.templateBytes([node.open, node.close]);
  return { kind: 'list', source: node, base, memberCost: node.member ? measure.templateBytes(node.member) : 0, keys: [], values: [] };
}

function prepareText(text: string, wrapper: JsonWrapper, cutWrapper: JsonWrapper, measure: Measure): Text {
  const weight = measure.weight(text);
  return { kind: 'text', text, wrapper, cutWrapper, weight, whole: measure.templateBytes(wrapper) + measure.quotes + weight, marker: '', cutBase: -1 };
}

/** Whether a string is cut when strings keep at most `cap` of their weight: only when that makes it smaller. */
function isCut(node: Text, cap: number, measure: Measure): boolean {
  if (node.weight <= cap) return false;
  if (node.cutBase < 0) {
    node.marker = truncationMarker(utf8ByteLength(node.text));
    node.cutBase = measure.templateBytes(node.cutWrapper) + measure.stringBytes(node.marker);
  }
  return node.cutBase + cap < node.whole;
}

function textCost(node: Text, cap: number, measure: Measure): number {
  // The kept prefix weighs at most `cap`: a bound, which writing then fills up (see `writeWithin`).
  return isCut(node, cap, measure) ? node.cutBase + cap : node.whole;
}

function markerEntry(list: List, dropped: number): string {
  const { member, markerWrapper = PLAIN } = list.source;
  const value = markerWrapper[0] + JSON.stringify(droppedEntriesMarker(dropped)) + markerWrapper[1];
  return member ? member[0] + JSON.stringify(DROPPED_ENTRIES_KEY) + member[1] + value + member[2] : value;
}

/** Sizes and writing of one prepared tree with lists kept to `limit` entries and strings cut to `cap` of weight. */
class Fitter {
  /** Bytes the first cut strings may keep beyond `cap` while writing: what the bound of `textCost` left unused. */
  private spare = 0;
  /** Whether the last write cut a string. */
  private cutAny = false;
  private readonly tree: Prepared;
  private readonly measure: Measure;

  constructor(tree: Prepared, measure: Measure) {
    this.tree = tree;
    this.measure = measure;
  }

  fits(limit: number, cap: number, maxSize: number): boolean {
    return this.cost(this.tree, limit, cap, maxSize) <= maxSize;
  }

  /** Written twice: the first time shows what the bounds left unused, which the second gives to the first cut strings. */
  writeWithin(limit: number, cap: number, maxSize: number): string | undefined {
    this.spare = 0;
    this.cutAny = false;
    const first = this.write(this.tree, limit, cap);
    const size = this.measure.bytes(first);
    if (size > maxSize) return undefined;
    if (size === maxSize || !this.cutAny) return first;
    this.spare = maxSize - size;
    const second = this.write(this.tree, limit, cap);
    return this.measure.bytes(second) <= maxSize ? second : first;
  }

  /** The size of a tree; once over `budget`, any number over it. */
  private cost(node: Prepared, limit: number, cap: number, budget: number): number {
    if (node.kind === 'fixed') return node.cost;
    if (node.kind === 'text') return textCost(node, cap, this.measure);
    // Each entry is sized once: sizing a list twice at every level would take exponential time on deep trees.
    const count = node.source.entries.length;
    const head = node.source.keepAll || count <= limit ? count : limit;
    let total = node.base + Math.max(0, head - 1) * SEPARATOR_BYTES;
    for (let i = 0; i < head && total <= budget; i++) total += this.entryCost(node, i, limit, cap, budget - total);
    if (head === count || total > budget) return total;
    // The rest, or the marker entry standing for it (and the comma before either).
    return total + (head > 0 ? SEPARATOR_BYTES : 0) + Math.min(this.restCost(node, limit, cap), this.measure.bytes(markerEntry(node, count - limit)));
  }

  /**
   * What the entries past `limit` add to a list (commas between them included); once over the marker entry that
   * would stand for them, any number over it.
   */
  private restCost(list: List, limit: number, cap: number): number {
    const count = list.source.entries.length;
    const marker = this.measure.bytes(markerEntry(list, count - limit));
    let rest = (count - limit - 1) * SEPARATOR_BYTES;
    for (let i = limit; i < count && rest <= marker; i++) rest += this.entryCost(list, i, limit, cap, marker - rest + 1);
    return rest;
  }

  private entryCost(list: List, index: number, limit: number, cap: number, budget: number): number {
    const key = this.key(list, index);
    const keyCost = key === undefined ? 0 : list.memberCost + (key.kind === 'fixed' ? key.cost : textCost(key, cap, this.measure));
    return keyCost + this.cost(this.value(list, index), limit, cap, budget - keyCost);
  }

  private value(list: List, index: number): Prepared {
    return (list.values[index] ??= prepare(list.source.entries[index]!.value, this.measure));
  }

  /** The key of an entry: cut like any string, unless the list keeps all its entries (a document's own fields). */
  private key(list: List, index: number): Fixed | Text | undefined {
    const key = list.source.entries[index]!.key;
    if (key === undefined || !list.source.member) return undefined;
    let prepared = list.keys[index];
    if (prepared === undefined) {
      if (list.source.keepAll) {
        const json = JSON.stringify(key);
        prepared = { kind: 'fixed', json, cost: this.measure.bytes(json) };
      } else prepared = prepareText(key, PLAIN, PLAIN, this.measure);
      list.keys[index] = prepared;
    }
    return prepared;
  }

  /** Entries a list keeps: all of them unless dropping those past `limit` for the marker entry makes it smaller. */
  private keptEntries(list: List, limit: number, cap: number): number {
    const count = list.source.entries.length;
    if (list.source.keepAll || count <= limit) return count;
    return this.restCost(list, limit, cap) > this.measure.bytes(markerEntry(list, count - limit)) ? limit : count;
  }

  private write(node: Prepared, limit: number, cap: number): string {
    if (node.kind === 'fixed') return node.json;
    if (node.kind === 'text') return this.writeText(node, cap);
    const { open, close, member, entries } = node.source;
    const kept = this.keptEntries(node, limit, cap);
    let out = open;
    for (let i = 0; i < kept; i++) {
      if (i > 0) out += ',';
      const key = this.key(node, i);
      const value = this.write(this.value(node, i), limit, cap);
      if (key === undefined || !member) out += value;
      else out += member[0] + (key.kind === 'fixed' ? key.json : this.writeText(key, cap)) + member[1] + value + member[2];
    }
    const dropped = entries.length - kept;
    if (dropped > 0) out += (kept > 0 ? ',' : '') + markerEntry(node, dropped);
    return out + close;
  }

  private writeText(node: Text, cap: number): string {
    if (!isCut(node, cap, this.measure)) return node.wrapper[0] + JSON.stringify(node.text) + node.wrapper[1];
    let end = this.measure.prefixEnd(node.text, cap);
    if (this.spare > 0) {
      const kept = this.measure.prefixWeight;
      const growth = node.whole - (node.cutBase + kept);
      if (growth <= this.spare) {
        this.spare -= growth;
        return node.wrapper[0] + JSON.stringify(node.text) + node.wrapper[1];
      }
      end = this.measure.prefixEnd(node.text, kept + this.spare);
      this.spare -= this.measure.prefixWeight - kept;
    }
    this.cutAny = true;
    return node.cutWrapper[0] + JSON.stringify(node.text.slice(0, end) + node.marker) + node.cutWrapper[1];
  }
}

/** The largest value in [low, high] that `ok` accepts, given that it accepts `low` and rejects nothing below a value it accepts. */
function largest(low: number, high: number, ok: (value: number) => boolean): number {
  while (low < high) {
    const middle = low + Math.ceil((high - low) / 2);
    if (ok(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The tree written as JSON of at most `maxSize` (as `measure` counts it), or undefined when even its fixed parts,
 * the shortest cuts and the dropped-entries markers do not fit. Entries are kept before strings are kept long: the
 * largest number of entries per list that fits is found first (strings cut to at least MIN_KEPT_WEIGHT), then the
 * longest strings that fit beside them; a tree within `maxSize` is written whole.
 */
export function fitJson(root: JsonFitNode, maxSize: number, measure: JsonSizeMeasure): string | undefined {
  const fitter = new Fitter(prepare(root, MEASURES[measure]), MEASURES[measure]);
  if (fitter.fits(UNLIMITED, UNLIMITED, maxSize)) return fitter.writeWithin(UNLIMITED, UNLIMITED, maxSize);
  // Neither a list keeping more than maxSize entries nor a string keeping more than maxSize bytes can fit.
  for (const floor of [MIN_KEPT_WEIGHT, 0]) {
    if (!fitter.fits(0, floor, maxSize)) continue;
    const limit = fitter.fits(UNLIMITED, floor, maxSize) ? UNLIMITED : largest(0, maxSize, (entries) => fitter.fits(entries, floor, maxSize));
    const cap = fitter.fits(limit, UNLIMITED, maxSize) ? UNLIMITED : largest(floor, maxSize, (weight) => fitter.fits(limit, weight, maxSize));
    return fitter.writeWithin(limit, cap, maxSize);
  }
  return undefined;
}
