import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { isRequestAuthenticator, type RequestAuthenticator } from '../gateway/auth.ts';
import type { ReceiverTlsOptions } from '../gateway/tls.ts';
import type { ExtensionRegistry } from './extensions.ts';
import type { ConfigNode } from './node.ts';

const DEFAULT_ENDPOINT = '127.0.0.1:4318';
const HTTP_KEYS = ['endpoint', 'max_request_body_size', 'tls', 'auth'];
const TLS_VERSIONS: Readonly<Record<string, 'TLSv1.2' | 'TLSv1.3'>> = { '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

export interface ReceiverPlan {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly maxRequestBodyBytes: number | undefined;
  readonly tls: ReceiverTlsOptions | undefined;
  readonly auth: RequestAuthenticator | undefined;
}

/** Parses `host:port` (`0.0.0.0:4318`, `[::1]:4318`, `:4318`, `localhost:4318`). */
function parseEndpoint(node: ConfigNode): { host: string; port: number } | undefined {
  const text = node.string() ?? DEFAULT_ENDPOINT;
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    node.problem(`expected host:port such as ${DEFAULT_ENDPOINT}, 0.0.0.0:4318 or [::1]:4318`);
    return undefined;
  }
  const host = match[1] ?? match[2];
  return { host: host === '' || host === undefined ? '0.0.0.0' : host, port };
}

function readPem(node: ConfigNode, what: string): Buffer | undefined {
  const path = node.string();
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    node.problem(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return undefined;
  }
}

/** The Collector's `configtls` server settings: `cert_file`, `key_file`, `client_ca_file` (mutual TLS), `min_version`. */
function tlsFromConfig(node: ConfigNode): ReceiverTlsOptions | undefined {
  if (!node.map(['cert_file', 'key_file', 'client_ca_file', 'min_version'])) return undefined;
  const certNode = node.child('cert_file');
  const keyNode = node.child('key_file');
  if (!certNode.present || !keyNode.present) {
    node.problem('required: cert_file and key_file (PEM files of the server certificate and its private key)');
  }
  const cert = readPem(certNode, 'the certificate');
  const key = readPem(keyNode, 'the private key');
  const clientCa = readPem(node.child('client_ca_file'), 'the client CA certificate(s)');
  const versionNode = node.child('min_version');
  // YAML reads an unquoted 1.2 as a number.
  const versionText = typeof versionNode.value === 'number' ? String(versionNode.value) : versionNode.string();
  const minVersion = versionNode.present ? TLS_VERSIONS[versionText ?? ''] : undefined;
  if (versionNode.present && !minVersion) versionNode.problem('expected "1.2" or "1.3" (older TLS versions are not offered)');
  if (!cert || !key || (node.child('client_ca_file').present && !clientCa)) return undefined;
  // Loaded now, so that a key that is not the certificate's, or a file that is not PEM, fails validation.
  const loaded = node.attempt(() => createSecureContext({ cert, key, ca: clientCa }), `${node.path}: cannot use cert_file, key_file and client_ca_file (PEM expected, the key must be the certificate's): `);
  return loaded ? { cert, key, clientCa, minVersion } : undefined;
}

/** An `otlp` receiver: its listener (`protocols.http`) with body limit, TLS and authentication. */
export function receiverFromConfig(id: string, node: ConfigNode, extensions: ExtensionRegistry): ReceiverPlan | undefined {
  const type = id.split('/', 1)[0];
  if (type !== 'otlp') {
    node.problem('unknown receiver type; allowed: otlp (as otlp or otlp/name)');
    return undefined;
  }
  if (!node.map(['protocols'])) {
    node.problem('expected protocols: { http: { endpoint: 127.0.0.1:4318 } }');
    return undefined;
  }
  const protocols = node.child('protocols');
  if (!protocols.map(['http', 'grpc'])) {
    protocols.problem('expected http: { endpoint: 127.0.0.1:4318 }');
    return undefined;
  }
  if (protocols.child('grpc').value !== undefined) {
    protocols.child('grpc').problem('OTLP/gRPC is not served by this gateway; send OTLP/HTTP (port 4318), e.g. with an OpenTelemetry Collector otlphttp exporter in front');
  }
  const http = protocols.child('http');
  if (!(http.value === null || http.map(HTTP_KEYS))) {
    http.problem('required: http (it may be empty to listen on 127.0.0.1:4318)');
    return undefined;
  }
  const endpoint = parseEndpoint(http.child('endpoint'));
  const maxRequestBodyBytes = http.child('max_request_body_size').bytes();
  const tls = http.child('tls').present ? tlsFromConfig(http.child('tls')) : undefined;
  const authNode = http.child('auth');
  let auth: RequestAuthenticator | undefined;
  if (authNode.present && authNode.map(['authenticator'])) auth = extensions.resolve(authNode.child('authenticator'), isRequestAuthenticator, 'an authenticator');
  return endpoint ? { id, ...endpoint, maxRequestBodyBytes, tls, auth } : undefined;
}
