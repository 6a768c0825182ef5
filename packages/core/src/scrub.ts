/** What a removed secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Shorter values are not registered: replacing them everywhere would garble the text and hide nothing real. */
const MIN_SECRET_LENGTH = 4;
/** Secrets kept (least recently registered dropped first), so that credentials refreshed for months stay bounded. */
const DEFAULT_CAPACITY = 64;

// Names whose value is a credential or a signature, as headers (`X-Security-Token: …`), JSON keys
// (`"x-amz-security-token":"…"`, `"secretAccessKey":"…"`), canonical-request lines (`x-amz-security-token:…`) or
// query parameters (`X-Amz-Signature=…`). X-Sdk-Date, Scp-Timestamp and the like are kept: they help and hide nothing.
const NAME = String.raw`authorization|signature|credential|security[-_]?token|session[-_]?token|auth[-_]?token|subject[-_]?token|secret[-_]?(?:access[-_]?)?key|access[-_]?key(?:[-_]?id)?|api[-_]?key|password`;
// No two quantifiers over the same characters touch (a long run of spaces would be split every way: quadratic).
// After `name:` (or a quoted `name="…"`) the value runs to the end of the line or the closing quote: an Authorization
// value has spaces and commas. After a bare `name=` it is one word, so a query or a sentence around it survives.
const QUOTED_OR_COLON = String.raw`\\?["']?[ \t]*(?::[ \t]*(?:\\?["'][ \t]*)?|=[ \t]*\\?["'][ \t]*)`;
const TO_LINE_END = String.raw`[^\s"'\\&<>][^\r\n"'\\&<>]*`;
const BARE_EQUALS = String.raw`\\?["']?[ \t]*=[ \t]*`;
const ONE_WORD = String.raw`[^\s"'\\&<>,;]+`;
// Authorization schemes quoted without their header name: a signature runs to the line's end (it has spaces and
// commas); a bearer token is one token68 word, long enough not to be a word of prose ("Bearer token authentication").
const SIGNATURE_SCHEME = String.raw`(?:AWS4|SDK)-HMAC-SHA256`;
const BEARER_TOKEN = String.raw`[A-Za-z0-9._~+/=-]{16,}`;
const CREDENTIAL_VALUES = new RegExp(
  `(${NAME})(?:(${QUOTED_OR_COLON})(${TO_LINE_END})|(${BARE_EQUALS})(${ONE_WORD}))|\\b(${SIGNATURE_SCHEME})([ \\t]+)(${TO_LINE_END})|\\b(Bearer)([ \\t]+)${BEARER_TOKEN}`,
  'gi',
);

/** The replacement of one match: the name (or scheme) and separator are kept, the value is not. */
function keepName(
  _match: string,
  name: string | undefined,
  colon: string | undefined,
  _lineValue: string,
  equals: string | undefined,
  _wordValue: string,
  scheme: string | undefined,
  space: string | undefined,
  _signature: string,
  bearer: string,
  bearerSpace: string,
): string {
  if (name !== undefined) return `${name}${colon ?? equals}${REDACTED}`;
  return scheme !== undefined ? `${scheme}${space}${REDACTED}` : `${bearer}${bearerSpace}${REDACTED}`;
}

/** A secret as text may carry it: as is, JSON-escaped (also with `\/`) and URL-encoded (either hex case, RFC 3986 or not). */
function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const uri = encodeURIComponent(secret);
  const rfc3986 = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...new Set([secret, json, json.replaceAll('/', '\\/'), uri, rfc3986, rfc3986.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())])];
}

function replaceForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
  return out;
}

/**
 * Removes secrets from text that may leave the library: error messages (service answers quoted in them included),
 * diag lines and metric attribute values. It removes the values of credential headers and parameters whatever
 * the service echoes (Authorization with AWS4-HMAC-SHA256 / SDK-HMAC-SHA256 / Bearer, X-Amz-Security-Token,
 * X-Security-Token, X-Auth-Token, X-Subject-Token, Scp-Signature, Scp-Accesskey, X-Amz-Signature and Credential
 * parameters, secret/password/API-key fields), and the exact values registered with `register` wherever they
 * appear, also JSON-escaped or URL-encoded. Each pass is linear in the text (one `includes` per form, one regex).
 */
export class SecretScrubber {
  /** Secret → its forms; Map order is registration recency. */
  private readonly secrets = new Map<string, readonly string[]>();
  private readonly capacity: number;
  /** Every form of every secret, longest first (so that a secret inside another never splits it); rebuilt on change. */
  private forms: readonly string[] | undefined;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = capacity;
  }

  /**
   * Registers values to remove (access keys, secret keys, session and security tokens, bearer tokens, API keys,
   * passwords); undefined and very short values are ignored. Cheap for a value already registered, so credentials
   * can be registered each time they are resolved.
   */
  register(...values: ReadonlyArray<string | undefined>): void {
    for (const value of values) {
      if (value === undefined || value.length < MIN_SECRET_LENGTH) continue;
      const known = this.secrets.get(value);
      this.secrets.delete(value);
      this.secrets.set(value, known ?? formsOf(value));
      if (known) continue;
      this.forms = undefined;
      if (this.secrets.size > this.capacity) this.secrets.delete(this.secrets.keys().next().value!);
    }
  }

  /** `text` without secrets. `alsoRemove`: values of one request only (e.g. its signature), not worth registering. */
  scrub(text: string, alsoRemove?: ReadonlyArray<string | undefined>): string {
    let out = replaceForms(text, this.allForms());
    if (alsoRemove) {
      for (const value of alsoRemove) if (value !== undefined && value.length >= MIN_SECRET_LENGTH) out = replaceForms(out, formsOf(value));
    }
    return out.replace(CREDENTIAL_VALUES, keepName);
  }

  /** Scrubs an error in place (message, stack, every string field, and its causes); returns it. */
  scrubError<T>(error: T): T {
    this.scrubFields(error, 0);
    return error;
  }

  private scrubFields(error: unknown, depth: number): void {
    if (!(error instanceof Error) || depth > 4) return;
    const fields = error as unknown as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(error)) {
      const value = fields[key];
      if (typeof value === 'string') {
        const clean = this.scrub(value);
        if (clean === value) continue;
        try {
          fields[key] = clean;
        } catch {
          // A read-only field: the error is still scrubbed wherever core reports it (diag lines are scrubbed).
        }
      } else if (value instanceof Error) {
        this.scrubFields(value, depth + 1);
      }
    }
  }

  private allForms(): readonly string[] {
    this.forms ??= [...this.secrets.values()].flat().sort((a, b) => b.length - a.length);
    return this.forms;
  }
}

/**
 * The process's scrubber. Core runs every diag line, every error a provider's `send` hands to delivery and every
 * self-metric reason through it; providers register their credentials' secrets with it when they resolve them.
 */
export const secretScrubber = new SecretScrubber();
