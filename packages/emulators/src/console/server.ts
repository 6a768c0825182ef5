import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudWatchLogsEmulator } from '../cloudwatch/emulator.ts';
import type { FaultKind, FaultRule } from '../common/faults.ts';
import type { ExchangeObserver } from '../common/observer.ts';
import type { HuaweiLtsEmulator } from '../huawei-lts/emulator.ts';
import type { ServiceWatchEmulator } from '../scp-servicewatch/emulator.ts';
import { consolePage, destinationsFragment, faultsFragment, recordsFragment, scopesFragment, summaryFragment } from './page.ts';
import { cloudWatchProvider, huaweiLtsProvider, serviceWatchProvider, type ConsoleProvider } from './providers.ts';
import { ConsoleStats } from './stats.ts';

export interface EmulatorConsoleOptions {
  readonly cloudWatch?: CloudWatchLogsEmulator;
  readonly huaweiLts?: HuaweiLtsEmulator;
  readonly serviceWatch?: ServiceWatchEmulator;
}

interface Observable {
  observeRequests(observer: ExchangeObserver | undefined): void;
}

const FAULT_KINDS: ReadonlySet<string> = new Set<FaultKind>(['throttle', 'unavailable', 'internal', 'reset', 'delay']);
const MAX_POST_BYTES = 64 * 1024;

/** Thrown for a request the console refuses; `status` is the HTTP answer. */
class ConsoleError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The web console of `pnpm emulators`: per provider the groups and streams, the stored records (filter pattern,
 * time range, live tail), per destination charts of records/s, requests/s and request fill, and the fault rules,
 * switchable from the page. Listens on loopback only; the page is server-rendered and refreshes its parts.
 */
export class EmulatorConsole {
  private readonly providers: ConsoleProvider[] = [];
  private readonly observed: [Observable, ConsoleProvider][] = [];
  private readonly stats = new ConsoleStats();
  private server: Server | undefined;

  constructor(options: EmulatorConsoleOptions) {
    if (options.cloudWatch) this.add(options.cloudWatch, cloudWatchProvider(options.cloudWatch));
    if (options.huaweiLts) this.add(options.huaweiLts, huaweiLtsProvider(options.huaweiLts));
    if (options.serviceWatch) this.add(options.serviceWatch, serviceWatchProvider(options.serviceWatch));
    if (this.providers.length === 0) throw new TypeError('EmulatorConsole: give at least one emulator (cloudWatch, huaweiLts, serviceWatch)');
  }

  private add(emulator: Observable, provider: ConsoleProvider): void {
    this.providers.push(provider);
    this.observed.push([emulator, provider]);
  }

  /** Starts listening on loopback (default 127.0.0.1, a free port) and returns the console's URL. */
  async start(options: { port?: number; host?: string } = {}): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host)) throw new RangeError(`EmulatorConsole: host must be a loopback address (127.0.0.1, ::1, localhost), got ${host}: the console can switch faults and shows every stored record`);
    const server = createServer((request, response) => void this.onRequest(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    for (const [emulator, provider] of this.observed) emulator.observeRequests((exchange) => this.stats.record(provider.id, provider.samples(exchange)));
    return this.url;
  }

  get url(): string {
    if (!this.server) throw new Error('EmulatorConsole is not listening; call start() first');
    const address = this.server.address() as AddressInfo;
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  /** Stops listening and observing; the emulators keep running. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const [emulator] of this.observed) emulator.observeRequests(undefined);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      // A page on another site must not drive the console through the browser (DNS rebinding, cross-site POST).
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'missing-host'}`);
      if (!isLoopback(url.hostname)) throw new ConsoleError(403, `the console answers only requests for a loopback host, not ${url.hostname}`);
      const [, area, providerId, ...rest] = url.pathname.split('/');
      if (request.method === 'GET' && url.pathname === '/') return send(response, 200, 'text/html; charset=utf-8', consolePage(this.providers));
      if (url.pathname === '/favicon.ico') return send(response, 204, 'text/plain', '');
      const provider = this.providers.find((candidate) => candidate.id === providerId);
      if (request.method === 'GET' && area === 'fragment' && provider) return send(response, 200, 'text/html; charset=utf-8', this.fragment(provider, rest.join('/'), url.searchParams));
      if (request.method === 'POST' && area === 'api' && provider && rest[0] === 'faults') {
        if (request.headers.origin !== undefined && request.headers.origin !== `http://${request.headers.host}`) throw new ConsoleError(403, `cross-origin request from ${request.headers.origin} refused`);
        const body = await readJson(request);
        changeFaults(provider, rest[1] ?? 'add', body);
        return send(response, 200, 'application/json', '{}');
      }
      throw new ConsoleError(404, `no ${request.method} ${url.pathname} here; the console is at /`);
    } catch (error) {
      const status = error instanceof ConsoleError ? error.status : 500;
      send(response, status, 'text/plain; charset=utf-8', (error as Error).message);
    }
  }

  private fragment(provider: ConsoleProvider, part: string, query: URLSearchParams): string {
    switch (part) {
      case 'summary':
        return summaryFragment(provider);
      case 'destinations':
        return destinationsFragment(provider, this.stats);
      case 'faults':
        return faultsFragment(provider);
      case 'resources':
        return provider.resources();
      case 'scopes':
        return scopesFragment(provider);
      case 'records':
        return recordsFragment(provider, query);
      default:
        throw new ConsoleError(404, `no fragment ${part}; parts: summary, destinations, faults, resources, scopes, records`);
    }
  }
}

/** add: a rule from the form; toggle: an unlimited rule for `kind` on `operation`, on or off; remove: by index; clear. */
function changeFaults(provider: ConsoleProvider, action: string, body: Record<string, unknown>): void {
  const faults = provider.faults;
  if (action === 'clear') return faults.clear();
  if (action === 'remove') {
    if (!faults.remove(Number(body.index))) throw new ConsoleError(400, `no fault rule at index ${String(body.index)}; reload the page`);
    return;
  }
  const rule = faultRule(provider, body);
  if (action === 'toggle') {
    const index = faults.list().findIndex((existing) => existing.kind === rule.kind && existing.operation === rule.operation && existing.times === undefined && existing.probability === undefined);
    if (index >= 0) faults.remove(index);
    else faults.add({ kind: rule.kind, operation: rule.operation });
    return;
  }
  if (action !== 'add') throw new ConsoleError(404, `no fault action ${action}; actions: add, toggle, remove, clear`);
  faults.add(rule);
}

function faultRule(provider: ConsoleProvider, body: Record<string, unknown>): FaultRule {
  const kind = String(body.kind ?? '');
  if (!FAULT_KINDS.has(kind)) throw new ConsoleError(400, `kind must be one of ${[...FAULT_KINDS].join(', ')}, got ${JSON.stringify(kind)}`);
  const operation = body.operation === undefined || body.operation === '' ? undefined : String(body.operation);
  if (operation !== undefined && !provider.operations.includes(operation)) throw new ConsoleError(400, `operation must be empty (any) or one of ${provider.operations.join(', ')}, got ${JSON.stringify(operation)}`);
  const number = (name: string, check: (value: number) => boolean, rule: string): number | undefined => {
    const raw = body[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!check(value)) throw new ConsoleError(400, `${name} must be ${rule}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const times = number('times', (value) => Number.isSafeInteger(value) && value > 0, 'a whole number of requests above 0 (empty: until removed)');
  const probability = number('probability', (value) => value > 0 && value <= 1, 'above 0 and at most 1 (empty: every request)');
  const retryAfterSeconds = number('retryAfterSeconds', (value) => Number.isSafeInteger(value) && value >= 0, 'a whole number of seconds');
  const delayMillis = number('delayMillis', (value) => Number.isSafeInteger(value) && value >= 0, 'a whole number of milliseconds');
  return {
    kind: kind as FaultKind,
    ...(operation !== undefined && { operation }),
    ...(times !== undefined && { times }),
    ...(probability !== undefined && { probability }),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    ...(delayMillis !== undefined && { delayMillis }),
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  // JSON only: a cross-site form cannot send it without a CORS preflight, which this server never grants.
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) throw new ConsoleError(415, 'send the request as application/json');
  let text = '';
  for await (const chunk of request) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > MAX_POST_BYTES) throw new ConsoleError(413, `request body over ${MAX_POST_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ConsoleError(400, 'the request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConsoleError(400, 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}
