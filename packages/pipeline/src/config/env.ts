import { parse } from 'yaml';

const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * A value that was exactly one `${env:...}` reference: `typed` is what YAML makes of it (`4318` → a number),
 * `text` the variable's text as is, which string options read so that `007` or `1e5` (an account id, a key)
 * keep their characters.
 */
export class SubstitutedValue {
  readonly text: string;
  readonly typed: unknown;
  constructor(text: string, typed: unknown) {
    this.text = text;
    this.typed = typed;
  }
}

/**
 * Replaces `${env:VAR}` and `${env:VAR:-default}` in every string of the parsed configuration (`$$` is a literal `$`).
 * A string that is exactly one reference takes the type the value has in YAML (`${env:PORT}` → 4318), as in the
 * Collector, while string options still read its text (see `SubstitutedValue`). An unset variable without a default is a problem at that path.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string') return substituteString(value, env, path, problems);
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, `${path}[${i}]`, problems));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteEnv(item, env, path ? `${path}.${key}` : key, problems);
    return out;
  }
  return value;
}

function substituteString(text: string, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (!text.includes('$')) return text;
  let whole = false;
  const replaced = text.replace(REFERENCE, (match, inner: string | undefined, offset: number) => {
    if (match === '$$') return '$';
    const reference = ENV_REFERENCE.exec(inner ?? '');
    if (!reference) {
      problems.push(`${path}: cannot substitute ${match}; write \${env:NAME} or \${env:NAME:-default} (and $$ for a literal $)`);
      return match;
    }
    whole = offset === 0 && match.length === text.length;
    const [, name, fallback] = reference;
    const resolved = env[name!] ?? fallback;
    if (resolved === undefined) {
      problems.push(`${path}: environment variable ${name} is not set; set it or give a default with \${env:${name}:-default}`);
      return '';
    }
    return resolved;
  });
  if (!whole) return replaced;
  let typed: unknown;
  try {
    typed = parse(replaced);
  } catch {
    return replaced;
  }
  return typeof typed === 'number' || typeof typed === 'boolean' ? new SubstitutedValue(replaced, typed) : replaced;
}
