import { ROUTING_ATTRIBUTES, secretScrubber, type ConstraintAwareExporterOptions, type Destination, type ProviderLimits } from '@otel-cloud-logs/core';
import { MIN_FRAME_BYTES } from './request-frame.ts';

/** The API version sent in `Scp-Api-Version` by default: 1.2 is current (1.1 was supported only until 2026-08-31). */
export const DEFAULT_API_VERSION = 'servicewatch 1.2';

/** Where to reach ServiceWatch and how to sign: shared by the exporter and the provisioning client. */
export interface ServiceWatchConnectionOptions {
  /** Base URL, e.g. `https://servicewatch.kr-west1.e.samsungsdscloud.com` (env `SCP_SERVICEWATCH_ENDPOINT`). Wins over region/environment. */
  readonly endpoint?: string;
  /** Region, e.g. `kr-west1` (env `SCP_REGION`). */
  readonly region?: string;
  /** Environment letter of the host: `s`, `g` or `e` (env `SCP_ENVIRONMENT`). */
  readonly environment?: string;
  /** Access key (env `SCP_ACCESS_KEY`). */
  readonly accessKey?: string;
  /** Secret key (env `SCP_SECRET_KEY`). Never logged. */
  readonly secretKey?: string;
  /** `Scp-Api-Version` header: `'servicewatch 1.2'` (default) or just `'1.2'`. */
  readonly apiVersion?: string;
  /** Account id that goes into the signed string and the `Scp-AccountId` header; the official SDK usually leaves it empty. Default `''`. */
  readonly signingAccountId?: string;
}

/** A connection with every value resolved and checked. */
export interface ServiceWatchConnection {
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly apiVersion: string;
  readonly signingAccountId: string;
}

/** Limits of one CreateCustomLogEvents request. ServiceWatch documents none: the defaults are CloudWatch Logs' values. */
export interface ServiceWatchLimitOptions {
  /** Max request body, in bytes, envelope included. Default 1,048,576 (1 MiB). Requests are filled up to it exactly. */
  readonly maxRequestBytes?: number;
  /**
   * @deprecated No effect: each request's envelope (routing and resource attributes, scope) is now measured
   * exactly. Still accepted so that existing configurations (the gateway's `envelope_reserve_size`) keep loading.
   */
  readonly envelopeReserveBytes?: number;
  /** Max log records per request. Default 10,000. */
  readonly maxEventsPerRequest?: number;
  /** Max serialized size of one OTLP/JSON log record, in bytes. Default 1,000,000 (1 MB). */
  readonly maxEventBytes?: number;
  /** Max time between the first and last record of a request. Default: no rule. */
  readonly maxSpanMillis?: number;
  /** Records must be sorted by time within a request. Default false. */
  readonly chronological?: boolean;
  /** Records older than this are dropped as `too_old` before sending. Default: no rule. */
  readonly maxAgeMillis?: number;
  /** Records further in the future are dropped as `too_new`. Default: no rule. */
  readonly maxFutureMillis?: number;
  /** Safety margin kept inside maxAgeMillis/maxFutureMillis. Default 60,000 ms. */
  readonly timeWindowMarginMillis?: number;
}

export interface ServiceWatchLogsExporterOptions extends ServiceWatchConnectionOptions, ConstraintAwareExporterOptions {
  /** `account_id` for records that carry none (as a record or resource attribute). */
  readonly accountId?: string;
  /** `log_group_value` for records that carry none. */
  readonly logGroupValue?: string;
  /** `log_stream_value` for records that carry none. */
  readonly logStreamValue?: string;
  /** Requests per second allowed per log stream (the `requests_per_second` provisioning returns). Default: unlimited. */
  readonly requestsPerSecond?: number;
  /** Per-stream overrides of `requestsPerSecond`, keyed by `log_stream_value`. */
  readonly streamRequestsPerSecond?: Readonly<Record<string, number>>;
  readonly limits?: ServiceWatchLimitOptions;
}

/** The environment variables read when an option is absent. */
export type ServiceWatchEnvironment = Readonly<Record<string, string | undefined>>;

const HOST_TOKEN = /^[a-z0-9][a-z0-9-]*$/;

/** `https://servicewatch.{region}.{env}.samsungsdscloud.com` */
export function serviceWatchEndpoint(region: string, environment: string): string {
  if (!HOST_TOKEN.test(region)) throw new TypeError(`ServiceWatch: region must look like 'kr-west1', got a value of ${region.length} characters`);
  if (!HOST_TOKEN.test(environment)) {
    throw new TypeError(`ServiceWatch: environment must be the host's environment letter ('s', 'g' or 'e'), got a value of ${environment.length} characters`);
  }
  return `https://servicewatch.${region}.${environment}.samsungsdscloud.com`;
}

function resolveEndpoint(options: ServiceWatchConnectionOptions, env: ServiceWatchEnvironment): string {
  const environment = options.environment ?? env.SCP_ENVIRONMENT;
  let endpoint: string;
  if (options.endpoint) endpoint = options.endpoint;
  else if (options.region) endpoint = serviceWatchEndpoint(options.region, requireEnvironment(environment));
  else if (env.SCP_SERVICEWATCH_ENDPOINT) endpoint = env.SCP_SERVICEWATCH_ENDPOINT;
  else if (env.SCP_REGION) endpoint = serviceWatchEndpoint(env.SCP_REGION, requireEnvironment(environment));
  else {
    throw new TypeError(
      'ServiceWatch: no endpoint; pass endpoint, or region and environment (or set SCP_SERVICEWATCH_ENDPOINT, or SCP_REGION and SCP_ENVIRONMENT)',
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError('ServiceWatch: endpoint is not a URL (expected e.g. https://servicewatch.kr-west1.s.samsungsdscloud.com); its value is not repeated here in case it holds a secret');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`ServiceWatch: endpoint must be http(s), got ${url.protocol}`);
  if (url.search || url.hash) throw new TypeError('ServiceWatch: endpoint must not carry a query or fragment');
  return url.href.replace(/\/+$/, '');
}

function requireEnvironment(environment: string | undefined): string {
  if (!environment) throw new TypeError("ServiceWatch: region given without environment; pass environment ('s', 'g' or 'e') or set SCP_ENVIRONMENT");
  return environment;
}

/** Normalises `'1.2'` to `'servicewatch 1.2'`; keeps a full header value as is. */
export function normalizeApiVersion(apiVersion: string | undefined): string {
  if (apiVersion === undefined) return DEFAULT_API_VERSION;
  const trimmed = apiVersion.trim();
  if (/^\d+(\.\d+)*$/.test(trimmed)) return `servicewatch ${trimmed}`;
  if (/^servicewatch \d+(\.\d+)*$/.test(trimmed)) return trimmed;
  throw new TypeError(`ServiceWatch: apiVersion must look like '1.2' or 'servicewatch 1.2', got a value of ${apiVersion.length} characters`);
}

/** Resolves options, then environment variables, into a checked connection. Throws a TypeError naming what is missing. */
export function resolveConnection(options: ServiceWatchConnectionOptions, env: ServiceWatchEnvironment = process.env): ServiceWatchConnection {
  const accessKey = options.accessKey ?? env.SCP_ACCESS_KEY;
  const secretKey = options.secretKey ?? env.SCP_SECRET_KEY;
  if (!accessKey) throw new TypeError('ServiceWatch: accessKey is required; pass accessKey or set SCP_ACCESS_KEY');
  if (!secretKey) throw new TypeError('ServiceWatch: secretKey is required; pass secretKey or set SCP_SECRET_KEY');
  // Every user of the connection (exporter, provisioner) resolves it here: no error or diag line may show these.
  secretScrubber.register(accessKey, secretKey);
  return {
    endpoint: resolveEndpoint(options, env),
    accessKey,
    secretKey,
    apiVersion: normalizeApiVersion(options.apiVersion),
    signingAccountId: options.signingAccountId ?? '',
  };
}

/** A comma between two records in `logRecords`: the only bytes a record adds besides its own JSON. */
export const RECORD_SEPARATOR_BYTES = 1;

export const DEFAULT_LIMITS = {
  maxRequestBytes: 1_048_576,
  maxEventsPerRequest: 10_000,
  maxEventBytes: 1_000_000,
  timeWindowMarginMillis: 60_000,
} as const;

/** The limits core plans with; `maxRequestBytes` is the whole body, from which each request's frame takes its share. */
export function resolveLimits(options: ServiceWatchLimitOptions = {}): ProviderLimits {
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_LIMITS.maxRequestBytes;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_LIMITS.maxEventBytes;
  // maxRequestBytes is the service's body limit, not a fill target: one record must fit in a body with its envelope.
  const room = maxRequestBytes - MIN_FRAME_BYTES;
  if (Number.isSafeInteger(maxEventBytes) && maxEventBytes > room) {
    throw new RangeError(
      `ServiceWatch: limits.maxEventBytes (${maxEventBytes}) must fit in one request with the smallest envelope: at most maxRequestBytes − ${MIN_FRAME_BYTES} = ${room}`,
    );
  }
  return {
    maxRequestBytes,
    perEventOverheadBytes: RECORD_SEPARATOR_BYTES,
    maxEventsPerRequest: options.maxEventsPerRequest ?? DEFAULT_LIMITS.maxEventsPerRequest,
    maxEventBytes,
    maxSpanMillis: options.maxSpanMillis,
    chronological: options.chronological ?? false,
    maxAgeMillis: options.maxAgeMillis,
    maxFutureMillis: options.maxFutureMillis,
    timeWindowMarginMillis: options.timeWindowMarginMillis ?? DEFAULT_LIMITS.timeWindowMarginMillis,
  };
}

/** Why a destination cannot be used, or undefined. */
export function destinationProblem(destination: Destination): string | undefined {
  const missing = (
    [
      [ROUTING_ATTRIBUTES.accountId, destination.accountId],
      [ROUTING_ATTRIBUTES.logGroup, destination.logGroup],
      [ROUTING_ATTRIBUTES.logStream, destination.logStream],
    ] as const
  )
    .filter(([, value]) => !value)
    .map(([key]) => key);
  if (missing.length === 0) return undefined;
  return `${missing.join(', ')} missing; set them as resource or record attributes, or pass accountId/logGroupValue/logStreamValue to the exporter (provisionCustomLogStream returns them)`;
}
