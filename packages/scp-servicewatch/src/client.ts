import type { HttpResponse, HttpTransport } from '@otel-cloud-logs/core';
import type { ServiceWatchConnection } from './config.ts';
import { signedHeaders } from './sign.ts';

export interface ServiceWatchRequest {
  readonly method: 'GET' | 'POST';
  /** Path under the endpoint, e.g. `/v1/log-groups`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent as is: the exporter's request bodies are bytes, built once and resent unchanged on retries. */
  readonly body?: string | Uint8Array;
  readonly timeoutMillis: number;
  readonly signal?: AbortSignal;
}

/** The exact URL of a request: what is signed is what is sent. */
export function requestUrl(connection: ServiceWatchConnection, path: string, query?: Readonly<Record<string, string>>): string {
  const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
  return `${connection.endpoint}${path}${search}`;
}

/** Signs and sends one request; `secrets`: this request's signature, never to appear in an error (the keys are registered with core's scrubber). */
export async function sendSigned(
  http: HttpTransport,
  connection: ServiceWatchConnection,
  request: ServiceWatchRequest,
): Promise<{ response: HttpResponse; secrets: string[] }> {
  const url = requestUrl(connection, request.path, request.query);
  const headers = signedHeaders(connection, request.method, url);
  const secrets = [headers['Scp-Signature']!];
  const response = await http.request({
    url,
    method: request.method,
    headers,
    body: request.body,
    timeoutMillis: request.timeoutMillis,
    signal: request.signal,
  });
  return { response, secrets };
}
