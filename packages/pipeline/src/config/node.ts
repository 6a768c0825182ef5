import { SubstitutedValue } from './env.ts';

/** Every problem found in a configuration, each with the path of the value at fault. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], source = 'configuration') {
    super(`invalid ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// One or more parts, as in Go and the Collector: 500ms, 5s, 1m30s, 1h.
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;
const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

/**
 * A value at a path of the configuration. Readers return undefined when the value is absent, and record a problem
 * (never the value itself, which may be a secret) when it has the wrong type, so that every mistake is reported at once.
 */
export class ConfigNode {
  /** The value as YAML types it (an `${env:...}` reference included). */
  readonly value: unknown;
  readonly path: string;
  /** As substituted, before typing, when the value was exactly one `${env:...}` reference. */
  private readonly substitutedText: string | undefined;
  private readonly problems: string[];

  constructor(value: unknown, path: string, problems: string[]) {
    this.value = value instanceof SubstitutedValue ? value.typed : value;
    this.substitutedText = value instanceof SubstitutedValue ? value.text : undefined;
    this.path = path;
    this.problems = problems;
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  problem(message: string, at: string = this.path): void {
    this.problems.push(at ? `${at}: ${message}` : message);
  }

  child(key: string | number): ConfigNode {
    const path = typeof key === 'number' ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    const container = this.value as Record<string | number, unknown> | undefined;
    return new ConfigNode(typeof container === 'object' && container !== null ? container[key] : undefined, path, this.problems);
  }

  /** Checks that this is a map with only `allowed` keys; returns false (with a problem) when it is not a map. */
  map(allowed?: readonly string[], what = 'a map'): boolean {
    if (!this.present) return false;
    if (typeof this.value !== 'object' || Array.isArray(this.value)) {
      this.problem(`expected ${what}, got ${describeType(this.value)}`);
      return false;
    }
    if (allowed) {
      for (const key of Object.keys(this.value as object)) {
        if (!allowed.includes(key)) this.problem(`unknown option; allowed: ${allowed.join(', ')}`, this.child(key).path);
      }
    }
    return true;
  }

  required(what: string): boolean {
    if (this.present) return true;
    this.problem(`required: ${what}`);
    return false;
  }

  entries(): [string, ConfigNode][] {
    if (!this.map()) return [];
    return Object.keys(this.value as object).map((key) => [key, this.child(key)]);
  }

  list(what = 'a list'): ConfigNode[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) {
      this.problem(`expected ${what}, got ${describeType(this.value)}`);
      return [];
    }
    return this.value.map((_, i) => this.child(i));
  }

  /**
   * A string; an empty string counts as absent so that `${env:X:-}` can leave an option unset. A whole number is
   * read as its digits (YAML and `${env:...}` make `account_id: 123456789012` a number).
   */
  string(): string | undefined {
    if (this.substitutedText !== undefined) return this.substitutedText;
    if (!this.present || this.value === '') return undefined;
    if (Number.isSafeInteger(this.value)) return String(this.value);
    if (typeof this.value !== 'string') {
      this.problem(`expected a string, got ${describeType(this.value)}`);
      return undefined;
    }
    return this.value;
  }

  boolean(): boolean | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== 'boolean') {
      this.problem(`expected true or false, got ${describeType(this.value)}`);
      return undefined;
    }
    return this.value;
  }

  number(range: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    if (!this.present) return undefined;
    const value = this.value;
    const allowed = `${range.integer ? 'an integer' : 'a number'}${range.min !== undefined ? ` ≥ ${range.min}` : ''}${range.max !== undefined ? ` ≤ ${range.max}` : ''}`;
    if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer && !Number.isInteger(value))) {
      this.problem(`expected ${allowed}, got ${describeType(value)}`);
      return undefined;
    }
    if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
      this.problem(`expected ${allowed}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(allowed: readonly T[]): T | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== 'string' || !(allowed as readonly string[]).includes(this.value)) {
      // Not echoed: a secret pasted into the wrong option must not reach the error output.
      this.problem(`expected one of ${allowed.join(', ')}${typeof this.value === 'string' ? '' : `, got ${describeType(this.value)}`}`);
      return undefined;
    }
    return this.value as T;
  }

  /** A duration such as `500ms`, `5s`, `1m`, `1h`, or a number of milliseconds. */
  millis(): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'number' && Number.isFinite(this.value) && this.value >= 0) return this.value;
    const text = typeof this.value === 'string' ? this.value.trim() : '';
    if (!DURATION.test(text)) {
      this.problem('expected a duration such as 500ms, 5s, 1m30s or 1h (or a number of milliseconds)');
      return undefined;
    }
    let millis = 0;
    for (const [, amount, unit] of text.matchAll(DURATION_PART)) millis += Number(amount) * DURATION_UNITS[unit!]!;
    return millis;
  }

  /** A size such as `64MiB`, `512KiB`, `1MB`, or a number of bytes. */
  bytes(): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'number' && Number.isInteger(this.value) && this.value > 0) return this.value;
    const match = typeof this.value === 'string' ? SIZE.exec(this.value.trim()) : null;
    if (!match || Number(match[1]) <= 0) {
      this.problem('expected a positive size such as 64MiB, 512KiB, 1MB (or a number of bytes)');
      return undefined;
    }
    return Math.floor(Number(match[1]) * SIZE_UNITS[match[2] ?? 'B']!);
  }

  stringList(): string[] | undefined {
    if (!this.present) return undefined;
    const items = this.list('a list of strings').map((item) => item.string());
    return items.every((item) => item !== undefined) ? (items as string[]) : undefined;
  }

  stringMap(): Record<string, string> | undefined {
    if (!this.present) return undefined;
    const out: Record<string, string> = {};
    for (const [key, node] of this.entries()) {
      if (typeof node.value === 'number' || typeof node.value === 'boolean') out[key] = node.substitutedText ?? String(node.value);
      else if (typeof node.value === 'string') out[key] = node.value;
      else node.problem(`expected a string, got ${describeType(node.value)}`);
    }
    return out;
  }

  /**
   * Runs a factory that validates its own input, recording its error instead of throwing. Factories name
   * what is wrong by their own path (e.g. `filter/x.include`), so `prefix` says where that lives in the file.
   */
  attempt<T>(build: () => T, prefix = `${this.path}: `): T | undefined {
    try {
      return build();
    } catch (error) {
      this.problems.push(`${prefix}${(error as Error).message}`);
      return undefined;
    }
  }
}
