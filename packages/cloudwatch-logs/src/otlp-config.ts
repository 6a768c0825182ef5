import type { ConstraintAwareExporterOptions, ProviderLimits } from '@otel-cloud-logs/core';
import { EVENT_OVERHEAD_BYTES, HOUR, MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES, resolveEndpoint, validateSharedOptions, type CloudWatchLogsExporterOptions } from './config.ts';
import type { OtlpEncoding } from './otlp-frame.ts';

const OWNER = 'CloudWatchLogsOtlpExporter';

/**
 * How requests are authenticated: SigV4 (service `logs`, the AWS credential chain or `credentials`), or a
 * CloudWatch Logs API key sent as `Authorization: Bearer …` (bearer token authentication must be enabled on the
 * log group). Default: bearer when `AWS_BEARER_TOKEN_LOGS` is set, else SigV4.
 */
export type OtlpAuth = { readonly type: 'sigv4' } | { readonly type: 'bearer'; /** Default: `AWS_BEARER_TOKEN_LOGS`. */ readonly token?: string };

export interface LargeEventsOptions {
  /** Send records over 1 MB whole (each alone in its request, up to 20 MB); the service keeps the excess as large log objects. */
  readonly enabled: boolean;
  /** Field paths the service may cut (sent as `x-aws-truncatable-fields`, comma-separated); default: its own choice (the largest fields). */
  readonly truncatableFields?: readonly string[];
}

export interface CloudWatchLogsOtlpExporterOptions
  extends ConstraintAwareExporterOptions,
    Pick<
      CloudWatchLogsExporterOptions,
      'region' | 'endpoint' | 'credentials' | 'logGroupName' | 'logStreamName' | 'createLogGroup' | 'retentionInDays' | 'tags' | 'logGroupClass' | 'timeWindowMarginMillis'
    > {
  readonly auth?: OtlpAuth;
  /** Create a missing log stream when the endpoint answers ResourceNotFoundException. Default true with SigV4; not possible with a bearer token. */
  readonly createLogStream?: boolean;
  /** Request body encoding. Default 'protobuf'. */
  readonly encoding?: OtlpEncoding;
  /** Default 'gzip' (compressed on libuv's thread pool). */
  readonly compression?: 'gzip' | 'none';
  /**
   * gzip level, 1 (fastest, the default) to 9 (smallest). Level 1 compresses log requests ~2.5× faster than zlib's
   * default 6 for ~20 % more bytes on the wire.
   */
  readonly compressionLevel?: number;
  /** Records over 1 MB: off by default (they are then cut or dropped, per `oversizeEvents`). */
  readonly largeEvents?: LargeEventsOptions;
}

/** The environment variable AWS tooling reads a `logs` bearer token from (`AWS_BEARER_TOKEN_` + signing name). */
export const BEARER_TOKEN_ENV = 'AWS_BEARER_TOKEN_LOGS';
/** The endpoint's largest request when large log objects are supported: 20 MB after decoding (CloudWatch-OTLPEndpoint). */
export const MAX_LARGE_REQUEST_BYTES = 20_971_520;
/** Regions the endpoint's table lists as supporting events over 1 MB (large log objects), as of 2026. */
export const LARGE_EVENT_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-west-2',
  'eu-central-1',
  'ap-southeast-2',
  'ap-south-1',
  'us-east-2',
  'eu-west-1',
  'ap-northeast-1',
  'ap-southeast-1',
]);

/** The OTLP endpoint's logs limits (CloudWatch-OTLPEndpoint, "Endpoint limits and restrictions" for logs). */
export function otlpLimits(options: Pick<CloudWatchLogsOtlpExporterOptions, 'largeEvents' | 'timeWindowMarginMillis'>): ProviderLimits {
  return {
    maxRequestBytes: MAX_REQUEST_BYTES,
    perEventOverheadBytes: EVENT_OVERHEAD_BYTES,
    maxEventsPerRequest: MAX_EVENTS_PER_REQUEST,
    // A record over 1 MB travels alone: the endpoint keeps at most one large log object per request.
    maxEventBytes: (options.largeEvents?.enabled ? MAX_LARGE_REQUEST_BYTES : MAX_REQUEST_BYTES) - EVENT_OVERHEAD_BYTES,
    maxSpanMillis: 24 * HOUR,
    chronological: false,
    maxAgeMillis: 14 * 24 * HOUR,
    maxFutureMillis: 2 * HOUR,
    timeWindowMarginMillis: options.timeWindowMarginMillis ?? 5 * 60_000,
  };
}

export type ResolvedAuth = { readonly type: 'sigv4' } | { readonly type: 'bearer'; readonly token: string };

export interface ResolvedOtlpConnection {
  readonly region: string;
  /** The service endpoint (for the JSON API calls that create streams). */
  readonly serviceUrl: URL;
  /** `…/v1/logs`. */
  readonly logsUrl: URL;
  readonly auth: ResolvedAuth;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function resolveAuth(options: CloudWatchLogsOtlpExporterOptions, env: NodeJS.ProcessEnv): ResolvedAuth {
  const auth = options.auth ?? (env[BEARER_TOKEN_ENV] ? { type: 'bearer' as const } : { type: 'sigv4' as const });
  if (auth.type === 'sigv4') return auth;
  if (auth.type !== 'bearer') throw new TypeError(`${OWNER}: auth.type must be 'sigv4' or 'bearer', got ${JSON.stringify((auth as { type: unknown }).type)}`);
  const token = auth.token ?? env[BEARER_TOKEN_ENV];
  if (!token) throw new TypeError(`${OWNER}: auth 'bearer' needs a CloudWatch Logs API key: pass auth.token or set ${BEARER_TOKEN_ENV}`);
  // Never repeated in the message: it is a secret.
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError(`${OWNER}: the bearer token (auth.token or ${BEARER_TOKEN_ENV}) must be printable ASCII without spaces, as the API key's secret is; check for a stray newline`);
  }
  return { type: 'bearer', token };
}

/** The region, URLs and authentication, from the options and then the AWS SDK's environment variables. */
export function resolveOtlpConnection(options: CloudWatchLogsOtlpExporterOptions, env: NodeJS.ProcessEnv = process.env): ResolvedOtlpConnection {
  const { region, url } = resolveEndpoint(options, env, OWNER);
  const logsUrl = new URL(url);
  if (!logsUrl.pathname.endsWith('/v1/logs')) logsUrl.pathname = `${logsUrl.pathname.replace(/\/+$/, '')}/v1/logs`;
  const serviceUrl = new URL(url);
  if (serviceUrl.pathname.endsWith('/v1/logs')) serviceUrl.pathname = serviceUrl.pathname.slice(0, -'/v1/logs'.length) || '/';
  const auth = resolveAuth(options, env);
  if (auth.type === 'bearer' && logsUrl.protocol !== 'https:' && !LOOPBACK_HOSTS.has(logsUrl.hostname)) {
    throw new TypeError(`${OWNER}: a bearer token is sent over https only (the endpoint is ${logsUrl.protocol}//${logsUrl.host}); plain http is allowed for loopback emulators alone`);
  }
  return { region, serviceUrl, logsUrl, auth };
}

/** Throws a clear error for options the endpoint would refuse later, so that mistakes show at start-up. */
export function validateOtlpOptions(options: CloudWatchLogsOtlpExporterOptions, auth: ResolvedAuth): void {
  validateSharedOptions(options, OWNER);
  if (options.encoding !== undefined && options.encoding !== 'protobuf' && options.encoding !== 'json') {
    throw new TypeError(`${OWNER}: encoding must be 'protobuf' or 'json', got ${JSON.stringify(options.encoding)}`);
  }
  if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'none') {
    throw new TypeError(`${OWNER}: compression must be 'gzip' or 'none' (the endpoint supports only these), got ${JSON.stringify(options.compression)}`);
  }
  const level = options.compressionLevel;
  if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 9)) {
    throw new TypeError(`${OWNER}: compressionLevel must be an integer from 1 (fastest) to 9 (smallest), got ${JSON.stringify(level)}`);
  }
  if (level !== undefined && options.compression === 'none') {
    throw new TypeError(`${OWNER}: compressionLevel applies to gzip only, and compression is 'none'; remove one of them`);
  }
  if (auth.type === 'bearer' && (options.createLogStream === true || options.createLogGroup === true)) {
    throw new TypeError(
      `${OWNER}: createLogStream/createLogGroup need SigV4 credentials: a CloudWatch Logs API key may only put log events. Create the group and stream first (aws logs create-log-group / create-log-stream), or use auth: { type: 'sigv4' }`,
    );
  }
  const large = options.largeEvents;
  if (large !== undefined) {
    if (typeof large !== 'object' || large === null || typeof large.enabled !== 'boolean') {
      throw new TypeError(`${OWNER}: largeEvents must be { enabled: true | false, truncatableFields?: string[] }`);
    }
    for (const field of large.truncatableFields ?? []) {
      if (typeof field !== 'string' || field === '' || field.includes(',') || !/^[\x20-\x7e]+$/.test(field)) {
        throw new TypeError(`${OWNER}: largeEvents.truncatableFields must be non-empty printable ASCII field paths without commas (they travel comma-separated in a header), got ${JSON.stringify(field)}`);
      }
    }
  }
}
