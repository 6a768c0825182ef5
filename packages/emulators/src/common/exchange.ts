// One request to an emulator and its answer, as every part of an emulator sees them.

export interface EmulatorRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased; repeated headers joined with ', '. */
  readonly headers: Record<string, string>;
  /** The body decoded (gunzipped when `Content-Encoding: gzip`): what the service parses. */
  readonly body: Buffer;
  /** The body exactly as it came over the wire: what a client signed. */
  readonly rawBody: Buffer;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Serialised as JSON unless it is a string or Buffer. */
  readonly body?: unknown;
}
