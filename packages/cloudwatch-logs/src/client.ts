import { NetworkError, secretScrubber, type HttpTransport } from '@otel-cloud-logs/core';
import { CloudWatchServiceError } from './errors.ts';
import type { CloudWatchSigner } from './sign.ts';

export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMillis: number;
}

/**
 * Calls one CloudWatch Logs operation over the AWS JSON 1.1 protocol. Resolves with the parsed answer;
 * rejects with `CloudWatchServiceError` for an error answer or `NetworkError` when nothing usable came back.
 */
export class CloudWatchLogsClient {
  private readonly endpoint: URL;
  private readonly signer: CloudWatchSigner;
  private readonly http: HttpTransport;

  constructor(endpoint: URL, signer: CloudWatchSigner, http: HttpTransport) {
    this.endpoint = endpoint;
    this.signer = signer;
    this.http = http;
  }

  /** `input` is serialised as JSON; a Buffer is sent as it is (a PutLogEvents body assembled from its events). */
  async call<T>(operation: string, input: unknown, options: CallOptions): Promise<T> {
    const body = Buffer.isBuffer(input) ? input : JSON.stringify(input);
    const headers = await this.signer.sign({
      url: this.endpoint,
      body,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `Logs_20140328.${operation}`,
        'user-agent': 'otel-cloud-logs/0.1',
      },
    });
    const response = await this.http.request({ url: this.endpoint, method: 'POST', headers, body, timeoutMillis: options.timeoutMillis, signal: options.signal });
    const parsed = parseJson(response.body);
    if (response.status >= 200 && response.status < 300) return (parsed ?? {}) as T;
    const retryAfter = headerValue(response.headers['retry-after']);
    const rawType = (parsed as { __type?: string } | undefined)?.__type ?? headerValue(response.headers['x-amzn-errortype']) ?? `HTTP${response.status}`;
    const type = secretScrubber.scrub(rawType.split('#').pop()!.split(':')[0]!);
    const text = (parsed as { message?: string } | undefined)?.message ?? (parsed as { Message?: string } | undefined)?.Message ?? response.body;
    // An error answer can quote the request (signature errors do): scrubbed whole, before anything is cut from it.
    const message = firstLine(secretScrubber.scrub(String(text), [headers['x-amz-security-token'], /Signature=([0-9a-f]+)/.exec(headers['authorization'] ?? '')?.[1]]));
    if (response.status >= 500 && parsed === undefined) {
      throw new NetworkError(`${operation}: HTTP ${response.status} with a non-JSON body`, `HTTP${response.status}`, undefined);
    }
    throw new CloudWatchServiceError(type, message, response.status, retryAfter);
  }
}

/** AWS signature errors append the canonical request and string-to-sign: only the text before them (first line) is kept. */
export function firstLine(message: string): string {
  const line = message.split(/\n|The Canonical String|The String-to-Sign/, 1)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
