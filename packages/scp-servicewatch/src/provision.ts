import { HttpTransport, callWithRetry, resolveRetryOptions, type RetryOptions } from '@otel-cloud-logs/core';
import { classifyCallFailure, classifyResponse } from './classify.ts';
import { sendSigned, type ServiceWatchRequest } from './client.ts';
import { resolveConnection, type ServiceWatchConnection, type ServiceWatchConnectionOptions, type ServiceWatchEnvironment } from './config.ts';
import { ServiceWatchError } from './errors.ts';

export const LOG_GROUPS_PATH = '/v1/log-groups';
export const CREATE_CUSTOM_LOG_STREAM_PATH = '/v1/log-groups/log-streams/collect/custom';

/** What to send to: spreads straight into `new ServiceWatchLogsExporter({ ...connection, ...stream })`. */
export interface ProvisionedLogStream {
  readonly accountId: string;
  readonly logGroupValue: string;
  readonly logStreamValue: string;
  /** The stream's request rate limit, when the service returned one. */
  readonly requestsPerSecond?: number;
}

export interface LogGroup {
  readonly id: string;
  readonly name: string;
  readonly accountId?: string;
  readonly retentionPeriod?: number;
}

export interface ProvisionCustomLogStreamOptions {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Retention of a log group created here, in days. Default 30. An existing group is left as it is. */
  readonly retentionPeriodDays?: number;
  /** Tags of a log group created here. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ServiceWatchProvisionerOptions extends ServiceWatchConnectionOptions {
  /** Timeout of one request. Default 10,000 ms. */
  readonly requestTimeoutMillis?: number;
  /** Backoff and deadline of the retries of a call answered 408/429/5xx or failing on the network; the exporter's defaults. */
  readonly retry?: Partial<RetryOptions>;
  /** Attempts of one call at most. Default: as many as fit in `retry.deadlineMillis`. */
  readonly maxAttempts?: number;
}

const DEFAULT_RETENTION_DAYS = 30;

function stringField(object: Record<string, unknown>, key: string, what: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '') throw new Error(`ServiceWatch ${what}: the answer has no ${key}`);
  return value;
}

function parseAnswer(operation: string, body: string): unknown {
  if (!body) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`ServiceWatch ${operation}: the answer is not JSON; check that the endpoint is the ServiceWatch API`);
  }
}

/** The first array in a list answer (the list key is not documented: `log_groups`, `contents`, `items`…). */
function listItems(body: unknown): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  for (const value of Object.values((body ?? {}) as Record<string, unknown>)) if (Array.isArray(value)) return value as Record<string, unknown>[];
  return [];
}

/** A created object may come back bare or wrapped in one key (`{"log_group": {...}}`). */
function unwrap(body: unknown, key: string): Record<string, unknown> {
  const object = (body ?? {}) as Record<string, unknown>;
  const inner = object[key];
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : object;
}

function toLogGroup(item: Record<string, unknown>): LogGroup {
  return {
    id: stringField(item, 'id', 'log group'),
    name: stringField(item, 'name', 'log group'),
    accountId: typeof item.account_id === 'string' ? item.account_id : undefined,
    retentionPeriod: typeof item.retention_period === 'number' ? item.retention_period : undefined,
  };
}

/**
 * Creates or finds what an exporter needs, starting from names: a log group (with retention) and a custom log
 * stream, answering the `account_id`, `log_group_value` and `log_stream_value` to route records with.
 */
export class ServiceWatchProvisioner {
  private readonly connection: ServiceWatchConnection;
  private readonly http = new HttpTransport({ connectionsPerOrigin: 2 });
  private readonly timeoutMillis: number;
  private readonly retry: RetryOptions;
  private readonly maxAttempts: number | undefined;

  constructor(options: ServiceWatchProvisionerOptions = {}, env: ServiceWatchEnvironment = process.env) {
    this.connection = resolveConnection(options, env);
    this.timeoutMillis = options.requestTimeoutMillis ?? 10_000;
    this.retry = resolveRetryOptions(options.retry);
    this.maxAttempts = options.maxAttempts;
    if (this.maxAttempts !== undefined && (!Number.isSafeInteger(this.maxAttempts) || this.maxAttempts < 1)) {
      throw new RangeError(`ServiceWatchProvisioner: maxAttempts must be a positive integer, got ${String(this.maxAttempts)}`);
    }
  }

  /** The log group with exactly this name, or undefined. */
  async findLogGroup(name: string): Promise<LogGroup | undefined> {
    const body = await this.call('ListLogGroups', { method: 'GET', path: LOG_GROUPS_PATH, query: { name } });
    return listItems(body)
      .map(toLogGroup)
      .find((group) => group.name === name);
  }

  async createLogGroup(name: string, retentionPeriodDays: number = DEFAULT_RETENTION_DAYS, tags: Readonly<Record<string, string>> = {}): Promise<LogGroup> {
    if (!Number.isSafeInteger(retentionPeriodDays) || retentionPeriodDays <= 0) {
      throw new RangeError(`ServiceWatch: retentionPeriodDays must be a positive whole number of days, got ${retentionPeriodDays}`);
    }
    const body = await this.call('CreateLogGroup', {
      method: 'POST',
      path: LOG_GROUPS_PATH,
      body: JSON.stringify({ name, retention_period: retentionPeriodDays, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }),
    });
    return toLogGroup(unwrap(body, 'log_group'));
  }

  /** Finds the group, or creates it (and finds it again if someone else created it first). */
  async ensureLogGroup(name: string, retentionPeriodDays?: number, tags?: Readonly<Record<string, string>>): Promise<LogGroup> {
    const existing = await this.findLogGroup(name);
    if (existing) return existing;
    try {
      return await this.createLogGroup(name, retentionPeriodDays, tags);
    } catch (error) {
      const raced = error instanceof ServiceWatchError && error.status === 409 ? await this.findLogGroup(name) : undefined;
      if (raced) return raced;
      throw error;
    }
  }

  /** CreateCustomLogStream: the stream's routing values (the service answers them for a new or an existing stream). */
  async createCustomLogStream(logGroupName: string, logStreamName: string): Promise<ProvisionedLogStream> {
    const body = await this.call('CreateCustomLogStream', {
      method: 'POST',
      path: CREATE_CUSTOM_LOG_STREAM_PATH,
      body: JSON.stringify({ log_group_name: logGroupName, log_stream_name: logStreamName }),
    });
    const stream = unwrap(body, 'log_stream');
    const rate = stream.requests_per_second;
    return {
      accountId: stringField(stream, 'account_id', 'CreateCustomLogStream'),
      logGroupValue: stringField(stream, 'log_group_value', 'CreateCustomLogStream'),
      logStreamValue: stringField(stream, 'log_stream_value', 'CreateCustomLogStream'),
      requestsPerSecond: typeof rate === 'number' && rate > 0 ? rate : undefined,
    };
  }

  /** Log group (created with retention when missing), then the custom log stream. */
  async provisionCustomLogStream(options: ProvisionCustomLogStreamOptions): Promise<ProvisionedLogStream> {
    if (!options.logGroupName) throw new TypeError('ServiceWatch: logGroupName is required');
    if (!options.logStreamName) throw new TypeError('ServiceWatch: logStreamName is required');
    await this.ensureLogGroup(options.logGroupName, options.retentionPeriodDays, options.tags);
    return this.createCustomLogStream(options.logGroupName, options.logStreamName);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** One signed call, retried like the exporter's requests (408/429/5xx, network); other answers are thrown at once. */
  private call(operation: string, request: Omit<ServiceWatchRequest, 'timeoutMillis'>): Promise<unknown> {
    const attempt = async () => {
      const { response, secrets } = await sendSigned(this.http, this.connection, { ...request, timeoutMillis: this.timeoutMillis });
      const error = classifyResponse(operation, response, secrets);
      if (error) throw error;
      return parseAnswer(operation, response.body);
    };
    return callWithRetry(attempt, classifyCallFailure, { retry: this.retry, maxAttempts: this.maxAttempts });
  }
}

/** One call from names to routing values: see ServiceWatchProvisioner.provisionCustomLogStream. */
export async function provisionCustomLogStream(
  options: ProvisionCustomLogStreamOptions & ServiceWatchProvisionerOptions,
  env: ServiceWatchEnvironment = process.env,
): Promise<ProvisionedLogStream> {
  const provisioner = new ServiceWatchProvisioner(options, env);
  try {
    return await provisioner.provisionCustomLogStream(options);
  } finally {
    await provisioner.close();
  }
}
