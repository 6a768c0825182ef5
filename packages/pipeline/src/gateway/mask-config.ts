import { SubstitutedValue } from '../config/env.ts';

export const MASK = '***';

/** Words that make an option secret wherever they appear in its name (`secret_access_key`, `bearer_token`, `sk`). */
const SECRET_WORDS: ReadonlySet<string> = new Set(['token', 'secret', 'password', 'passwd', 'credential', 'credentials', 'authorization', 'cookie', 'signature', 'sk', 'ak']);

/**
 * Splits `secret_access_key`, `accessKeyId`, `X-Api-Key` into lower-case words. `key` alone names an attribute in
 * the attributes processor, so it counts only beside another word (`api_key`, `key_file`, `accessKeyId`).
 */
function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  return words.some((word) => SECRET_WORDS.has(word)) || (words.length > 1 && words.includes('key'));
}

/**
 * The configuration as loaded (environment substituted), safe to show: the value of every option whose name says
 * it is secret (token, secret, password, credentials, `…key…` and the like) becomes `***`, the whole subtree when
 * it is a map; the password of a URL's user info too; and any other string that contains a masked value has it
 * replaced, so a secret pasted into a header or URL elsewhere does not show either.
 */
export function maskConfig(config: unknown): unknown {
  const secrets = new Set<string>();
  const masked = maskNode(config, false, secrets);
  const found = [...secrets].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
  return found.length === 0 ? masked : replaceSecrets(masked, found);
}

function maskNode(value: unknown, secret: boolean, secrets: Set<string>): unknown {
  if (value instanceof SubstitutedValue) return maskNode(value.typed, secret, secrets);
  if (Array.isArray(value)) return value.map((item) => maskNode(item, secret, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskNode(item, secret || isSecretName(name), secrets)]));
  }
  if (secret) {
    if (value !== undefined && value !== null && value !== '') secrets.add(String(value));
    return MASK;
  }
  return typeof value === 'string' ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:)[^/@\s]+@/i, `$1${MASK}@`) : value;
}

function replaceSecrets(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return secrets.reduce((text, secret) => text.split(secret).join(MASK), value);
  if (Array.isArray(value)) return value.map((item) => replaceSecrets(item, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, replaceSecrets(item, secrets)]));
  return value;
}
