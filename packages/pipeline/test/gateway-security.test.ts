import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BearerTokenAuthenticator, ConfigError, ExporterSink, Gateway, gatewayOptionsFromYaml, LogPipeline, type GatewayOptions, type ReceiverOptions } from '../src/index.ts';
import { RecordingExporter } from './recording-exporter.ts';

const TOKEN = 'c2VjcmV0LXRva2VuLWZvci10ZXN0cw';
const OTHER_TOKEN = 'another-token-for-rotation';
const LOG_BODY = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }] }] });

const dir = mkdtempSync(join(tmpdir(), 'gateway-security-'));
const running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configYaml(http: string, extensions: string, service: string): string {
  return `
${extensions}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
${http.replace(/^/gm, '        ')}
processors:
  filter/all: { exclude: {} }
exporters:
  cloudwatch_logs: { region: us-east-1, endpoint: 'http://127.0.0.1:1', access_key_id: AKIDEXAMPLE, secret_access_key: secret, log_group_name: g, log_stream_name: s }
service:
  shutdown_timeout: 1s
${service}
  pipelines:
    logs: { receivers: [otlp], processors: [filter/all], exporters: [cloudwatch_logs] }
`;
}

/** A gateway from a configuration (its records all dropped by a filter, so that nothing waits on the exporter). */
async function gatewayFromYaml(http: string, extensions = '', env: NodeJS.ProcessEnv = {}, service = '') {
  const gateway = new Gateway(gatewayOptionsFromYaml(configYaml(http, extensions, service), { env, source: 'pipeline.yaml' }));
  running.push(gateway);
  const [url] = (await gateway.start()) as [string];
  return { gateway, url };
}

function problemsOf(http: string, extensions = '', env: NodeJS.ProcessEnv = {}, service = ''): string[] {
  try {
    running.push(new Gateway(gatewayOptionsFromYaml(configYaml(http, extensions, service), { env, source: 'pipeline.yaml' })));
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

async function plainGateway(receiver: Partial<ReceiverOptions>, options: Partial<GatewayOptions> = {}) {
  const sink = new ExporterSink('recording', new RecordingExporter('recording'), { scheduledDelayMillis: 10, shutdownTimeoutMillis: 1_000 });
  const gateway = new Gateway({ receivers: [{ name: 'otlp', port: 0, pipelines: [new LogPipeline({ name: 'logs', defaultSinks: [sink] })], ...receiver }], sinks: [sink], ...options });
  running.push(gateway);
  const [url] = (await gateway.start()) as [string];
  return { gateway, url };
}

interface Answer {
  status?: number;
  headers?: IncomingHttpHeaders;
  body?: string;
  error?: string;
}

function post(url: string, options: { token?: string; authorization?: string; ca?: Buffer; cert?: Buffer; key?: Buffer; path?: string; method?: string; body?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const target = `${url}${options.path ?? '/v1/logs'}`;
  if (!target.startsWith('https:')) {
    return fetch(target, { method: options.method ?? 'POST', headers, body: options.method === 'GET' ? undefined : (options.body ?? LOG_BODY) }).then(
      async (response) => ({ status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }),
      (error: Error & { cause?: { code?: string } }) => ({ error: error.cause?.code ?? error.message }),
    );
  }
  return new Promise((resolve) => {
    const request = httpsRequest(target, { method: options.method ?? 'POST', headers, ca: options.ca, cert: options.cert, key: options.key, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end(options.method === 'GET' ? undefined : (options.body ?? LOG_BODY));
  });
}

describe('Gateway bearer token authentication (extensions.bearertokenauth)', () => {
  it('accepts the token (here from the environment); 401 with WWW-Authenticate: Bearer when it is missing or wrong; /healthz stays open', async () => {
    const { gateway, url } = await gatewayFromYaml('auth: { authenticator: bearertokenauth }', 'extensions:\n  bearertokenauth:\n    token: ${env:GATEWAY_TOKEN}', { GATEWAY_TOKEN: TOKEN });
    expect(await post(url, { token: TOKEN })).toMatchObject({ status: 200 });
    expect(await post(url, { authorization: `bearer   ${TOKEN}` })).toMatchObject({ status: 200 });

    const missing = await post(url);
    expect(missing.status).toBe(401);
    expect(missing.headers!['www-authenticate']).toBe('Bearer realm="otel-cloud-logs"');
    expect(JSON.parse(missing.body!)).toEqual({ code: 16, message: 'unauthenticated: send Authorization: Bearer <token>' });
    const wrong = await post(url, { token: `${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers!['www-authenticate']).toBe('Bearer realm="otel-cloud-logs", error="invalid_token"');
    expect(wrong.body).not.toContain(TOKEN);
    expect((await post(url, { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` })).status).toBe(401);
    expect((await post(url, { token: TOKEN.slice(0, -1) })).status).toBe(401);

    expect(await post(url, { path: '/healthz', method: 'GET' })).toMatchObject({ status: 200 });
    expect(await post(url, { path: '/metrics', method: 'GET' })).toMatchObject({ status: 401 });
    expect(await post(url, { path: '/metrics', method: 'GET', token: TOKEN })).toMatchObject({ status: 200 });
    expect(gateway.metrics().gateway.responses).toEqual({ '200': 2, '401': 5 });
  });

  it('accepts any of tokens: [...]; a refused body is read to its end before the 401, so the client reads it', async () => {
    const { url } = await plainGateway({ auth: new BearerTokenAuthenticator({ name: 'bearertokenauth', tokens: [TOKEN, OTHER_TOKEN] }) });
    expect((await post(url, { token: TOKEN })).status).toBe(200);
    expect((await post(url, { token: OTHER_TOKEN })).status).toBe(200);
    expect(await post(url, { token: 'nope', body: 'x'.repeat(8 * 1024 * 1024) })).toMatchObject({ status: 401 });
  });

  it('reads tokens from filename (one a line), and picks up a rotated file without a restart', async () => {
    const file = join(dir, 'tokens');
    writeFileSync(file, `${TOKEN}\n\n`);
    const { url } = await gatewayFromYaml('auth: { authenticator: bearertokenauth/clients }', `extensions:\n  bearertokenauth/clients:\n    filename: ${file}`, {}, '  extensions: [bearertokenauth/clients]');
    expect((await post(url, { token: TOKEN })).status).toBe(200);
    expect((await post(url, { token: OTHER_TOKEN })).status).toBe(401);
    writeFileSync(file, `${OTHER_TOKEN}\n`);
    await vi.waitFor(async () => expect((await post(url, { token: OTHER_TOKEN })).status).toBe(200), { timeout: 10_000, interval: 200 });
    expect((await post(url, { token: TOKEN })).status).toBe(401);
  });

  it('reports configuration mistakes with their path and what to do, never a token', () => {
    const auth = 'auth: { authenticator: bearertokenauth }';
    expect(problemsOf(auth, 'extensions:\n  bearertokenauth: { token: "${env:GATEWAY_TOKEN:-}" }')).toEqual([
      'extensions.bearertokenauth: required: token, tokens or filename (e.g. token: ${env:GATEWAY_TOKEN}); an environment variable that is set but empty leaves it unset',
    ]);
    expect(problemsOf(auth)).toEqual([
      'receivers.otlp.protocols.http.auth.authenticator: extension "bearertokenauth" is not declared under extensions; declare it there, e.g. extensions: { bearertokenauth: { ... } }',
    ]);
    expect(problemsOf(auth, `extensions:\n  bearertokenauth: { token: ${TOKEN} }`, {}, '  extensions: []')).toEqual([
      'receivers.otlp.protocols.http.auth.authenticator: extension "bearertokenauth" is not listed in service.extensions; add it there (or remove service.extensions to enable every extension in use)',
    ]);
    expect(problemsOf('', `extensions:\n  oauth2: {}`, {}, '  extensions: [oauth2, missing]')).toEqual([
      'extensions.oauth2: unknown extension type; allowed: bearertokenauth, file_storage (as <type> or <type>/<name>)',
      'service.extensions[1]: extension "missing" is not declared under extensions',
    ]);
    const withSpace = problemsOf(auth, `extensions:\n  bearertokenauth: { token: 'two ${TOKEN}', sheme: Bearer }`);
    expect(withSpace).toEqual([
      'extensions.bearertokenauth.sheme: unknown option; allowed: token, tokens, filename, scheme, header',
      'extensions.bearertokenauth: bearertokenauth: token 1 is not a bearer token (letters, digits and - . _ ~ + / only, optionally = at the end)',
    ]);
    expect(withSpace.join('\n')).not.toContain(TOKEN);
    expect(problemsOf(auth, `extensions:\n  bearertokenauth: { token: ${TOKEN}, filename: /etc/tokens }`)).toEqual(['extensions.bearertokenauth: give one of token, tokens and filename, not several']);
    const empty = join(dir, 'empty-tokens');
    writeFileSync(empty, '\n');
    expect(problemsOf(auth, `extensions:\n  bearertokenauth: { filename: ${empty} }`)).toEqual([
      `extensions.bearertokenauth: the token file ${empty} holds no token; write one token a line`,
    ]);
    expect(problemsOf(auth, `extensions:\n  bearertokenauth: { filename: ${join(dir, 'absent')} }`)).toEqual([
      `extensions.bearertokenauth: cannot read the token file ${join(dir, 'absent')}: ENOENT`,
    ]);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A CA, a server certificate for 127.0.0.1 and localhost, a client certificate, and a client certificate of another CA. */
function makeCertificates(into: string) {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: into, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  const leaf = (name: string, issuer: string, extensions: string) => {
    writeFileSync(join(into, `${name}.ext`), extensions);
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (file: string) => readFileSync(join(into, file));
  return {
    path: (file: string) => join(into, file),
    ca: read('ca.crt'),
    client: { cert: read('client.crt'), key: read('client.key') },
    stranger: { cert: read('stranger.crt'), key: read('stranger.key') },
  };
}

describe.skipIf(!hasOpenssl())('Gateway TLS (protocols.http.tls), certificates made by openssl for the test', () => {
  let certs: ReturnType<typeof makeCertificates>;
  beforeAll(() => {
    certs = makeCertificates(dir);
  });

  it('serves HTTPS with cert_file and key_file, together with bearer token auth', async () => {
    const { url } = await gatewayFromYaml(`tls: { cert_file: ${certs.path('server.crt')}, key_file: ${certs.path('server.key')}, min_version: "1.2" }\nauth: { authenticator: bearertokenauth }`, `extensions:\n  bearertokenauth: { token: ${TOKEN} }`);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await post(url, { ca: certs.ca, token: TOKEN })).toMatchObject({ status: 200 });
    expect(await post(url, { ca: certs.ca })).toMatchObject({ status: 401 });
    // A client that does not trust the certificate, and one that speaks plain HTTP to the TLS port.
    expect((await post(url, { token: TOKEN })).error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect((await post(url.replace('https:', 'http:'), { token: TOKEN })).status).toBeUndefined();
  });

  it('with client_ca_file requires a client certificate signed by that CA (mutual TLS)', async () => {
    const { gateway, url } = await gatewayFromYaml(`tls: { cert_file: ${certs.path('server.crt')}, key_file: ${certs.path('server.key')}, client_ca_file: ${certs.path('ca.crt')} }`);
    expect(await post(url, { ca: certs.ca, ...certs.client })).toMatchObject({ status: 200 });
    expect((await post(url, { ca: certs.ca })).status).toBeUndefined();
    expect((await post(url, { ca: certs.ca, ...certs.stranger })).status).toBeUndefined();
    // Refused in the handshake: no request reached the gateway.
    expect(gateway.metrics().gateway.responses).toEqual({ '200': 1 });
  });

  it('the stock OTLP/HTTP exporter sends over mutual TLS with a bearer token', async () => {
    const { url } = await gatewayFromYaml(
      `tls: { cert_file: ${certs.path('server.crt')}, key_file: ${certs.path('server.key')}, client_ca_file: ${certs.path('ca.crt')} }\nauth: { authenticator: bearertokenauth }`,
      `extensions:\n  bearertokenauth: { token: ${TOKEN} }`,
    );
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    provider.getLogger('tls').emit({ body: 'over mTLS' });
    const exporter = new OTLPLogExporter({ url: `${url}/v1/logs`, headers: { Authorization: `Bearer ${TOKEN}` }, httpAgentOptions: { ca: certs.ca, ...certs.client } });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedLogRecords(), resolve));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    await provider.shutdown();
  });

  it('reports unreadable files, a key that is not the certificate\'s, and unsupported versions, by key', () => {
    expect(problemsOf(`tls: { cert_file: ${certs.path('server.crt')} }`)).toEqual([
      'receivers.otlp.protocols.http.tls: required: cert_file and key_file (PEM files of the server certificate and its private key)',
    ]);
    expect(problemsOf(`tls: { cert_file: ${certs.path('server.crt')}, key_file: ${certs.path('nope.key')}, min_version: 1.1 }`)).toEqual([
      `receivers.otlp.protocols.http.tls.key_file: cannot read the private key ${certs.path('nope.key')}: ENOENT`,
      'receivers.otlp.protocols.http.tls.min_version: expected "1.2" or "1.3" (older TLS versions are not offered)',
    ]);
    const [mismatch, ...rest] = problemsOf(`tls: { cert_file: ${certs.path('server.crt')}, key_file: ${certs.path('client.key')} }`);
    expect(rest).toEqual([]);
    expect(mismatch).toMatch(/^receivers\.otlp\.protocols\.http\.tls: cannot use cert_file, key_file and client_ca_file \(PEM expected, the key must be the certificate's\): .*key values mismatch/);
  });
});

describe('Gateway exposure warning', () => {
  const warnings: string[] = [];
  const logger: DiagLogger = { error: () => {}, warn: (message) => warnings.push(message), info: () => {}, debug: () => {}, verbose: () => {} };
  beforeAll(() => {
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  });
  afterAll(() => diag.disable());

  it('warns loudly when a receiver listens beyond loopback without TLS or authentication, and not otherwise', async () => {
    await plainGateway({ host: '127.0.0.1' });
    expect(warnings).toEqual([]);
    const { url } = await plainGateway({ name: 'otlp/public', host: '0.0.0.0' });
    const port = new URL(url).port;
    expect(warnings).toEqual([
      `@otel-cloud-logs/pipeline gateway: WARNING: receiver otlp/public listens on 0.0.0.0:${port}, beyond this host, without TLS (anyone on the network can read the logs and any token in transit) and without authentication (anyone who can reach it can send logs and read /metrics); set protocols.http.tls { cert_file, key_file } and protocols.http.auth { authenticator: bearertokenauth }, or listen on 127.0.0.1`,
    ]);
    warnings.length = 0;
    await plainGateway({ host: '0.0.0.0', auth: new BearerTokenAuthenticator({ name: 'bearertokenauth', tokens: [TOKEN] }) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/without TLS \(anyone on the network can read the logs and any token in transit\); set/);
  });
});
