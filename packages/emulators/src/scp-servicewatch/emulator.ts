import { randomBytes, randomUUID } from 'node:crypto';
import { echoedRequest, type AnsweringFaultKind, type FaultRule } from '../common/faults.ts';
import { EmulatorHttpServer, type EmulatorHandler, type EmulatorRequest, type EmulatorResponse, type ListenOptions } from '../common/http-server.ts';
import type { ExchangeObserver } from '../common/observer.ts';
import { verifyScpRequest, type ServiceWatchEmulatorCredential } from './signature.ts';
import { validateCustomLogEvents, type StoredDestination, type StoredRecord } from './validate.ts';

export interface ServiceWatchEmulatorOptions {
  /** Access keys accepted. Default: one key, ServiceWatchEmulator.DEFAULT_CREDENTIAL, allowed on every account. */
  readonly credentials?: readonly ServiceWatchEmulatorCredential[];
  /** Account of log groups and streams created by keys without their own account. */
  readonly accountId?: string;
  /** Max request body in bytes; larger bodies get 413. Default 1,048,576. */
  readonly maxRequestBytes?: number;
  /** Default 10,000. */
  readonly maxEventsPerRequest?: number;
  /** Max bytes of one serialized log record. Default 1,000,000. */
  readonly maxEventBytes?: number;
  /** Records older than this are refused (400). Default: no rule. */
  readonly maxAgeMillis?: number;
  /** Records further in the future are refused (400). Default: no rule. */
  readonly maxFutureMillis?: number;
  /** Allowed distance between Scp-Timestamp and the emulator's clock. Default 300,000 ms. */
  readonly maxClockSkewMillis?: number;
  /** CreateCustomLogEvents requests per second per log stream (token bucket of that size); also what provisioning answers. Default 50; Infinity disables. */
  readonly requestsPerSecondPerStream?: number;
  /** Accepted `Scp-Api-Version` values (an absent header means the latest). Default ['servicewatch 1.2']. */
  readonly apiVersions?: readonly string[];
  /** The emulator's clock (tests). */
  readonly now?: () => number;
}

/** A CreateCustomLogEvents request as received, accepted or not. */
export interface ReceivedLogEventsRequest {
  readonly status: number;
  readonly bodyBytes: number;
  readonly records: number;
  readonly apiVersion: string | undefined;
  readonly destinations: StoredDestination[];
}

export interface EmulatedLogGroup {
  readonly id: string;
  readonly name: string;
  readonly account_id: string;
  readonly retention_period: number;
  readonly tags: ReadonlyArray<{ key: string; value: string }>;
  readonly created_at: string;
}

export interface EmulatedLogStream {
  readonly log_group_name: string;
  readonly log_stream_name: string;
  readonly account_id: string;
  readonly log_group_value: string;
  readonly log_stream_value: string;
  readonly requests_per_second: number;
}

const PATHS = {
  logEvents: '/v1/log-groups/log-streams/log-events',
  logGroups: '/v1/log-groups',
  customStream: '/v1/log-groups/log-streams/collect/custom',
} as const;

function errorResponse(status: number, code: string, title: string, detail: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { status, headers, body: { errors: [{ code, detail, status, title, request_id: randomUUID() }] } };
}

const hex32 = () => randomBytes(16).toString('hex');
const keyOf = (d: StoredDestination) => `${d.accountId}\u0000${d.logGroupValue}\u0000${d.logStreamValue}`;

/**
 * A local SCP ServiceWatch: CreateCustomLogEvents, log groups and custom log streams, with the Scp-Signature
 * check, OTLP/JSON validation, configurable limits, a per-stream request rate, fault injection, and read-back
 * of what it stored. Error answers use the service's `{"errors":[{code, detail, status, title, request_id}]}`.
 */
export class ServiceWatchEmulator implements EmulatorHandler {
  static readonly DEFAULT_CREDENTIAL: ServiceWatchEmulatorCredential = { accessKey: 'emulator-access-key', secretKey: 'emulator-secret-key' };
  static readonly DEFAULT_ACCOUNT_ID = '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e';

  readonly server = new EmulatorHttpServer(this);
  /** Every CreateCustomLogEvents request that passed authentication, in order. */
  readonly logEventsRequests: ReceivedLogEventsRequest[] = [];
  private readonly options: Required<Omit<ServiceWatchEmulatorOptions, 'maxAgeMillis' | 'maxFutureMillis' | 'credentials'>> &
    Pick<ServiceWatchEmulatorOptions, 'maxAgeMillis' | 'maxFutureMillis'>;
  private readonly credentials: Map<string, ServiceWatchEmulatorCredential>;
  private readonly stored = new Map<string, StoredRecord[]>();
  private readonly groups = new Map<string, EmulatedLogGroup>();
  private readonly streams = new Map<string, EmulatedLogStream>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: ServiceWatchEmulatorOptions = {}) {
    this.options = {
      accountId: options.accountId ?? ServiceWatchEmulator.DEFAULT_ACCOUNT_ID,
      maxRequestBytes: options.maxRequestBytes ?? 1_048_576,
      maxEventsPerRequest: options.maxEventsPerRequest ?? 10_000,
      maxEventBytes: options.maxEventBytes ?? 1_000_000,
      maxAgeMillis: options.maxAgeMillis,
      maxFutureMillis: options.maxFutureMillis,
      maxClockSkewMillis: options.maxClockSkewMillis ?? 300_000,
      requestsPerSecondPerStream: options.requestsPerSecondPerStream ?? 50,
      apiVersions: options.apiVersions ?? ['servicewatch 1.2'],
      now: options.now ?? Date.now,
    };
    this.credentials = new Map((options.credentials ?? [ServiceWatchEmulator.DEFAULT_CREDENTIAL]).map((c) => [c.accessKey, c]));
  }

  /** Starts listening on loopback; resolves with the base URL to use as the exporter's endpoint. */
  start(listen?: ListenOptions): Promise<string> {
    return this.server.listen(listen);
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  get url(): string {
    return this.server.url;
  }

  /** Throttle (429), unavailable (503), internal (500), reset or delay; `operation` is e.g. 'CreateCustomLogEvents'. */
  injectFault(rule: FaultRule): void {
    this.server.faults.add(rule);
  }

  get faults() {
    return this.server.faults;
  }

  /** Told about every answered request (what the web console draws its charts from); `undefined` stops it. */
  observeRequests(observer: ExchangeObserver | undefined): void {
    this.server.observer = observer;
  }

  /** Stored records of one destination, or of all destinations, in arrival order. */
  records(destination?: StoredDestination): StoredRecord[] {
    if (destination) return [...(this.stored.get(keyOf(destination)) ?? [])];
    return [...this.stored.values()].flat();
  }

  /** Destinations that received records, with their counts. */
  destinations(): Array<StoredDestination & { records: number }> {
    return [...this.stored.values()].map((records) => ({
      accountId: records[0]!.accountId,
      logGroupValue: records[0]!.logGroupValue,
      logStreamValue: records[0]!.logStreamValue,
      records: records.length,
    }));
  }

  logGroups(): EmulatedLogGroup[] {
    return [...this.groups.values()];
  }

  logStreams(): EmulatedLogStream[] {
    return [...this.streams.values()];
  }

  /** Forgets records, requests, groups, streams and faults. */
  reset(): void {
    this.stored.clear();
    this.logEventsRequests.length = 0;
    this.groups.clear();
    this.streams.clear();
    this.buckets.clear();
    this.server.faults.clear();
  }

  operationOf(request: EmulatorRequest): string {
    if (request.method === 'POST' && request.path === PATHS.logEvents) return 'CreateCustomLogEvents';
    if (request.method === 'POST' && request.path === PATHS.customStream) return 'CreateCustomLogStream';
    if (request.method === 'POST' && request.path === PATHS.logGroups) return 'CreateLogGroup';
    if (request.method === 'GET' && request.path === PATHS.logGroups) return 'ListLogGroups';
    return 'Unknown';
  }

  faultResponse(kind: AnsweringFaultKind, rule: FaultRule, request: EmulatorRequest): EmulatorResponse {
    if (kind === 'echo') return errorResponse(403, 'Forbidden', 'Forbidden', `access denied: ${echoedRequest(request, rule)}`);
    const retryAfter: Record<string, string> | undefined = rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : undefined;
    if (kind === 'throttle') return errorResponse(429, 'TooManyRequests', 'Too Many Requests', 'request rate exceeded', retryAfter);
    if (kind === 'unavailable') return errorResponse(503, 'ServiceUnavailable', 'Service Unavailable', 'the service is temporarily unavailable', retryAfter);
    return errorResponse(500, 'InternalServerError', 'Internal Server Error', 'an internal error occurred');
  }

  handle(request: EmulatorRequest): EmulatorResponse {
    const operation = this.operationOf(request);
    if (operation === 'Unknown') return errorResponse(404, 'NotFound', 'Not Found', `no operation ${request.method} ${request.path}`);
    const auth = verifyScpRequest(request, this.credentials, this.options.now(), this.options.maxClockSkewMillis);
    if (!auth.ok) return errorResponse(401, 'HmacValidFail', 'Unauthorized', auth.detail);
    const apiVersion = request.headers['scp-api-version'];
    if (apiVersion !== undefined && !this.options.apiVersions.includes(apiVersion)) {
      return this.validationError([{ loc: ['header', 'Scp-Api-Version'], msg: `unsupported version ${JSON.stringify(apiVersion)}; supported: ${this.options.apiVersions.join(', ')}`, type: 'value_error' }]);
    }
    const parsed = request.method === 'POST' ? this.parseJson(request) : { ok: true as const, value: undefined };
    if (!parsed.ok) return parsed.response;
    const account = auth.credential.accountId ?? this.options.accountId;
    switch (operation) {
      case 'CreateCustomLogEvents':
        return this.createCustomLogEvents(request, parsed.value, auth.credential);
      case 'CreateLogGroup':
        return this.createLogGroup(parsed.value, account);
      case 'ListLogGroups':
        return this.listLogGroups(request.query.get('name') ?? undefined, account);
      default:
        return this.createCustomLogStream(parsed.value, account);
    }
  }

  private validationError(detail: unknown): EmulatorResponse {
    return errorResponse(400, 'ValidationError', 'ValidationError', detail);
  }

  private parseJson(request: EmulatorRequest): { ok: true; value: unknown } | { ok: false; response: EmulatorResponse } {
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return { ok: false, response: this.validationError([{ loc: ['header', 'Content-Type'], msg: 'must be application/json', type: 'value_error' }]) };
    }
    if (request.body.length > this.options.maxRequestBytes) {
      return {
        ok: false,
        response: errorResponse(413, 'PayloadTooLarge', 'Payload Too Large', `request body is ${request.body.length} bytes, over the ${this.options.maxRequestBytes} byte limit`),
      };
    }
    try {
      return { ok: true, value: JSON.parse(request.body.toString('utf8')) };
    } catch (error) {
      return { ok: false, response: this.validationError([{ loc: ['body'], msg: `invalid JSON: ${(error as Error).message}`, type: 'value_error.jsondecode' }]) };
    }
  }

  private createCustomLogEvents(request: EmulatorRequest, body: unknown, credential: ServiceWatchEmulatorCredential): EmulatorResponse {
    const verdict = validateCustomLogEvents(body, this.options, this.options.now());
    const destinations = verdict.ok ? [...new Map(verdict.records.map((r) => [keyOf(r), { accountId: r.accountId, logGroupValue: r.logGroupValue, logStreamValue: r.logStreamValue }])).values()] : [];
    const log = (status: number, records: number) =>
      this.logEventsRequests.push({ status, bodyBytes: request.body.length, records, apiVersion: request.headers['scp-api-version'], destinations });
    if (!verdict.ok) {
      log(400, 0);
      return this.validationError(verdict.details);
    }
    const foreign = destinations.find((d) => credential.accountId !== undefined && d.accountId !== credential.accountId);
    if (foreign) {
      log(403, 0);
      return errorResponse(403, 'Forbidden', 'Forbidden', `the access key may not write to account ${foreign.accountId}`);
    }
    if (destinations.some((d) => !this.takeToken(keyOf(d)))) {
      log(429, 0);
      return errorResponse(429, 'TooManyRequests', 'Too Many Requests', `over ${this.options.requestsPerSecondPerStream} requests per second for a log stream`);
    }
    for (const record of verdict.records) {
      const key = keyOf(record);
      let list = this.stored.get(key);
      if (!list) this.stored.set(key, (list = []));
      list.push(record);
    }
    log(202, verdict.records.length);
    return { status: 202, body: { status: 'success' } };
  }

  /** Token bucket per stream: capacity and refill rate are requestsPerSecondPerStream. */
  private takeToken(stream: string): boolean {
    const rate = this.options.requestsPerSecondPerStream;
    if (!Number.isFinite(rate)) return true;
    const now = this.options.now();
    const bucket = this.buckets.get(stream) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1_000) * rate);
    bucket.at = now;
    this.buckets.set(stream, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private createLogGroup(body: unknown, account: string): EmulatorResponse {
    const input = (body ?? {}) as { name?: unknown; retention_period?: unknown; tags?: unknown };
    const details = [];
    if (typeof input.name !== 'string' || !/^[A-Za-z0-9._\-/]{1,255}$/.test(input.name)) details.push({ loc: ['body', 'name'], msg: 'must be 1–255 characters of letters, digits, . _ - /', type: 'value_error' });
    if (!Number.isSafeInteger(input.retention_period) || (input.retention_period as number) <= 0) {
      details.push({ loc: ['body', 'retention_period'], msg: 'must be a positive number of days', type: 'value_error' });
    }
    if (input.tags !== undefined && !Array.isArray(input.tags)) details.push({ loc: ['body', 'tags'], msg: 'must be a list of {key, value}', type: 'type_error' });
    if (details.length > 0) return this.validationError(details);
    const name = input.name as string;
    if (this.groups.has(`${account}/${name}`)) return errorResponse(409, 'Conflict', 'Conflict', `log group ${name} already exists`);
    const group: EmulatedLogGroup = {
      id: hex32(),
      name,
      account_id: account,
      retention_period: input.retention_period as number,
      tags: (input.tags as EmulatedLogGroup['tags'] | undefined) ?? [],
      created_at: new Date(this.options.now()).toISOString(),
    };
    this.groups.set(`${account}/${name}`, group);
    return { status: 201, body: group };
  }

  private listLogGroups(name: string | undefined, account: string): EmulatorResponse {
    const groups = [...this.groups.values()].filter((g) => g.account_id === account && (name === undefined || g.name.includes(name)));
    return { status: 200, body: { count: groups.length, log_groups: groups } };
  }

  /** Creates the stream, or answers the existing one's values (200) so that provisioning can be repeated. */
  private createCustomLogStream(body: unknown, account: string): EmulatorResponse {
    const input = (body ?? {}) as { log_group_name?: unknown; log_stream_name?: unknown };
    const details = [];
    for (const field of ['log_group_name', 'log_stream_name'] as const) {
      const value = input[field];
      if (typeof value !== 'string' || !/^[A-Za-z0-9._\-/]{1,255}$/.test(value)) details.push({ loc: ['body', field], msg: 'must be 1–255 characters of letters, digits, . _ - /', type: 'value_error' });
    }
    if (details.length > 0) return this.validationError(details);
    const groupName = input.log_group_name as string;
    const group = this.groups.get(`${account}/${groupName}`);
    if (!group) return errorResponse(404, 'NotFound', 'Not Found', `log group ${groupName} not found`);
    const key = `${account}/${groupName}/${input.log_stream_name as string}`;
    const existing = this.streams.get(key);
    if (existing) return { status: 200, body: existing };
    const rate = this.options.requestsPerSecondPerStream;
    const stream: EmulatedLogStream = {
      log_group_name: groupName,
      log_stream_name: input.log_stream_name as string,
      account_id: account,
      log_group_value: group.id,
      log_stream_value: hex32(),
      requests_per_second: Number.isFinite(rate) ? rate : 0,
    };
    this.streams.set(key, stream);
    return { status: 201, body: stream };
  }
}
