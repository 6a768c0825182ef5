import { secretScrubber, type ConstraintAwareExporterOptions, type Destination, type ProviderLimits } from '@otel-cloud-logs/core';
import { PER_LINE_OVERHEAD_BYTES, type LineFormat } from './translate.ts';

/**
 * Connection settings shared by the exporter and the provisioning API: region, project, credentials and the
 * four hosts involved (LTS control plane, LTS ingestion, IAM, Global Accelerator). Options win over environment
 * variables, which win over defaults.
 */

/** An IAM token used as is (`X-Auth-Token`). It expires after 24 h: prefer `password` for long-running processes. */
export interface TokenAuth {
  readonly type: 'token';
  readonly token: string;
}

/** An IAM user's password: tokens are obtained from IAM (`POST /v3/auth/tokens`) and refreshed before they expire. */
export interface PasswordAuth {
  readonly type: 'password';
  readonly userName: string;
  readonly password: string;
  /** The account (domain) name the IAM user belongs to. */
  readonly domainName: string;
}

/** Access key / secret key: every request is signed with SDK-HMAC-SHA256. */
export interface AkSkAuth {
  readonly type: 'aksk';
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For temporary credentials. */
  readonly securityToken?: string;
}

export type HuaweiCloudAuth = TokenAuth | PasswordAuth | AkSkAuth;

export interface HuaweiCloudConnectionOptions {
  /** Region id, e.g. `ap-southeast-1`. Env `HUAWEICLOUD_REGION`. Needed unless every endpoint is given. */
  readonly region?: string;
  /** Default project id (32 characters) for records without `account_id`. Env `HUAWEICLOUD_SDK_PROJECT_ID`. */
  readonly projectId?: string;
  /** Account (domain) id, sent as `X-Domain-Id` on signed Global Accelerator calls. Env `HUAWEICLOUD_SDK_DOMAIN_ID`. */
  readonly domainId?: string;
  /** Credentials. Default: AK/SK from `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` (and `HUAWEICLOUD_SDK_SECURITY_TOKEN`). */
  readonly auth?: HuaweiCloudAuth;
  /** LTS control plane. Env `HUAWEICLOUD_LTS_ENDPOINT`. Default `https://lts.{region}.myhuaweicloud.com`. */
  readonly endpoint?: string;
  /** LTS log reporting. Env `HUAWEICLOUD_LTS_INGEST_ENDPOINT`. Default `https://lts-access.{region}.myhuaweicloud.com:8102` (in-region access). */
  readonly ingestEndpoint?: string;
  /** IAM, for `password` auth. Env `HUAWEICLOUD_IAM_ENDPOINT`. Default `https://iam.{region}.myhuaweicloud.com`. */
  readonly iamEndpoint?: string;
  /** Global Accelerator (a global service). Env `HUAWEICLOUD_GA_ENDPOINT`. Default `https://ga.myhuaweicloud.com`. */
  readonly gaEndpoint?: string;
  /** Refresh an IAM token this long before it expires. Default 1 h (tokens live 24 h). */
  readonly tokenRefreshMarginMillis?: number;
}

export interface ResolvedConnection {
  readonly region: string | undefined;
  readonly projectId: string | undefined;
  readonly domainId: string | undefined;
  readonly auth: HuaweiCloudAuth;
  readonly endpoint: URL;
  readonly ingestEndpoint: URL;
  /** Undefined when neither a region nor iamEndpoint is known and the auth does not need IAM. */
  readonly iamEndpoint: URL | undefined;
  readonly gaEndpoint: URL;
  readonly tokenRefreshMarginMillis: number;
}

/** The environment variables read when options are absent (names of the official Huawei Cloud SDKs). */
export const ENVIRONMENT_VARIABLES = {
  accessKeyId: 'HUAWEICLOUD_SDK_AK',
  secretAccessKey: 'HUAWEICLOUD_SDK_SK',
  securityToken: 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  projectId: 'HUAWEICLOUD_SDK_PROJECT_ID',
  domainId: 'HUAWEICLOUD_SDK_DOMAIN_ID',
  region: 'HUAWEICLOUD_REGION',
  /** Endpoint overrides (our names: the official SDKs have none), e.g. for a VPC endpoint or the emulator. */
  endpoint: 'HUAWEICLOUD_LTS_ENDPOINT',
  ingestEndpoint: 'HUAWEICLOUD_LTS_INGEST_ENDPOINT',
  iamEndpoint: 'HUAWEICLOUD_IAM_ENDPOINT',
  gaEndpoint: 'HUAWEICLOUD_GA_ENDPOINT',
} as const;

const PROJECT_ID = /^[A-Za-z0-9]{32}$/;

export function isProjectId(value: string): boolean {
  return PROJECT_ID.test(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function endpointUrl(owner: string, name: string, given: string | undefined, fallback: (region: string) => string, region: string | undefined): URL {
  const text = given ?? (region ? fallback(region) : undefined);
  if (!text) {
    throw new TypeError(`${owner}: set region (or ${ENVIRONMENT_VARIABLES.region}) or the ${name} option, so the ${name} URL is known`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${owner}: ${name} is not a URL; expected e.g. https://host[:port] (the value is not repeated here in case it holds a secret)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${owner}: ${name} must be an http(s) URL, got ${url.protocol}`);
  return url;
}

function resolveAuth(owner: string, auth: HuaweiCloudAuth | undefined, env: NodeJS.ProcessEnv): HuaweiCloudAuth {
  if (!auth) {
    const accessKeyId = nonEmpty(env[ENVIRONMENT_VARIABLES.accessKeyId]);
    const secretAccessKey = nonEmpty(env[ENVIRONMENT_VARIABLES.secretAccessKey]);
    if (!accessKeyId || !secretAccessKey) {
      throw new TypeError(
        `${owner}: no credentials: pass auth ({ type: 'aksk' | 'token' | 'password', ... }) or set ${ENVIRONMENT_VARIABLES.accessKeyId} and ${ENVIRONMENT_VARIABLES.secretAccessKey}`,
      );
    }
    return { type: 'aksk', accessKeyId, secretAccessKey, securityToken: nonEmpty(env[ENVIRONMENT_VARIABLES.securityToken]) };
  }
  switch (auth.type) {
    case 'token':
      if (!nonEmpty(auth.token)) throw new TypeError(`${owner}: auth.token is empty; pass an IAM token (the X-Subject-Token of POST /v3/auth/tokens)`);
      return auth;
    case 'password':
      for (const key of ['userName', 'password', 'domainName'] as const) {
        if (!nonEmpty(auth[key])) throw new TypeError(`${owner}: auth.${key} is required for password auth`);
      }
      return auth;
    case 'aksk':
      if (!nonEmpty(auth.accessKeyId) || !nonEmpty(auth.secretAccessKey)) {
        throw new TypeError(`${owner}: auth.accessKeyId and auth.secretAccessKey are required for AK/SK auth`);
      }
      return auth;
    default:
      throw new TypeError(`${owner}: auth.type must be 'token', 'password' or 'aksk', got ${JSON.stringify((auth as { type?: unknown }).type)}`);
  }
}

/** Validates the options, fills them from the environment and derives the endpoints from the region. */
export function resolveConnection(owner: string, options: HuaweiCloudConnectionOptions, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  const region = nonEmpty(options.region) ?? nonEmpty(env[ENVIRONMENT_VARIABLES.region]);
  const projectId = nonEmpty(options.projectId) ?? nonEmpty(env[ENVIRONMENT_VARIABLES.projectId]);
  if (projectId !== undefined && !isProjectId(projectId)) {
    throw new TypeError(`${owner}: projectId must be the 32-character project id (console: My Credentials > Projects); got ${projectId.length} characters`);
  }
  const margin = options.tokenRefreshMarginMillis ?? 3_600_000;
  if (!Number.isFinite(margin) || margin < 0) throw new RangeError(`${owner}: tokenRefreshMarginMillis must be a non-negative number`);
  const auth = resolveAuth(owner, options.auth, env);
  // Every user of the connection (exporter, provisioning) resolves it here: no error or diag line may show these.
  if (auth.type === 'aksk') secretScrubber.register(auth.accessKeyId, auth.secretAccessKey, auth.securityToken);
  else secretScrubber.register(auth.type === 'token' ? auth.token : auth.password);
  const given = (name: 'endpoint' | 'ingestEndpoint' | 'iamEndpoint' | 'gaEndpoint') => nonEmpty(options[name]) ?? nonEmpty(env[ENVIRONMENT_VARIABLES[name]]);
  const needsIam = auth.type === 'password' || given('iamEndpoint') !== undefined || region !== undefined;
  return {
    region,
    projectId,
    domainId: nonEmpty(options.domainId) ?? nonEmpty(env[ENVIRONMENT_VARIABLES.domainId]),
    auth,
    endpoint: endpointUrl(owner, 'endpoint', given('endpoint'), (r) => `https://lts.${r}.myhuaweicloud.com`, region),
    ingestEndpoint: endpointUrl(owner, 'ingestEndpoint', given('ingestEndpoint'), (r) => `https://lts-access.${r}.myhuaweicloud.com:8102`, region),
    iamEndpoint: needsIam ? endpointUrl(owner, 'iamEndpoint', given('iamEndpoint'), (r) => `https://iam.${r}.myhuaweicloud.com`, region) : undefined,
    gaEndpoint: endpointUrl(owner, 'gaEndpoint', given('gaEndpoint'), () => 'https://ga.myhuaweicloud.com', 'global'),
    tokenRefreshMarginMillis: margin,
  };
}

export interface HuaweiLtsExporterOptions extends ConstraintAwareExporterOptions, HuaweiCloudConnectionOptions {
  /** Default log group (id or name) for records without `log_group_value`. */
  readonly logGroup?: string;
  /** Default log stream (id or name) for records without `log_stream_value`. */
  readonly logStream?: string;
  /** Create named groups and streams that do not exist (with `ttlInDays`). Default false. */
  readonly createMissing?: boolean;
  /** Retention of groups and streams created by `createMissing` (1–365). Default 7. */
  readonly ttlInDays?: number;
  /** Request-level LTS labels sent with every request (≤ 100, no reserved names). */
  readonly labels?: Readonly<Record<string, string>>;
  /** `json` (default): one JSON object per record with attributes and trace context; `text`: the body only. */
  readonly lineFormat?: LineFormat;
  /** Put resource attributes in each json line. Default true. */
  readonly includeResource?: boolean;
  /** Bytes per request, the whole JSON body. Default 524,288 (512 KiB, Huawei's producer default). */
  readonly maxRequestBytes?: number;
  /** Lines per request. Default 4,096. */
  readonly maxLinesPerRequest?: number;
  /** Bytes per log line. Default 1,000,000 (LTS: 1 MB per line; capped by what fits in a request). */
  readonly maxLineBytes?: number;
  /** Oldest accepted record time, relative to now. Default 24 h. */
  readonly maxAgeMillis?: number;
  /** Newest accepted record time, relative to now. Default 24 h. */
  readonly maxFutureMillis?: number;
  /** Margin kept from both time-window edges. Default 60,000 ms. */
  readonly timeWindowMarginMillis?: number;
}

const HOUR = 3_600_000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved <= 0) throw new RangeError(`HuaweiLtsExporter: ${name} must be a positive integer, got ${String(value)}`);
  return resolved;
}

/** The whole request body's bytes: 512 KiB by default, Huawei's producer default (a batching target, not a service limit). */
export function ltsMaxRequestBytes(options: Pick<HuaweiLtsExporterOptions, 'maxRequestBytes'>): number {
  return positiveInteger('maxRequestBytes', options.maxRequestBytes, 512 * 1024);
}

/**
 * The limits records are batched within; `lineBudget`: the request bytes left for lines once the frame (contents
 * array and labels) is taken. A line up to `maxLineBytes` (LTS: 1 MB) larger than the budget is sent alone.
 */
export function ltsLimits(options: HuaweiLtsExporterOptions, lineBudget: number): ProviderLimits {
  if (lineBudget <= PER_LINE_OVERHEAD_BYTES) {
    throw new RangeError(`HuaweiLtsExporter: maxRequestBytes ${ltsMaxRequestBytes(options)} leaves no room for a line after the labels; raise it or send fewer labels`);
  }
  return {
    maxRequestBytes: lineBudget,
    perEventOverheadBytes: PER_LINE_OVERHEAD_BYTES,
    maxEventsPerRequest: positiveInteger('maxLinesPerRequest', options.maxLinesPerRequest, 4_096),
    maxEventBytes: positiveInteger('maxLineBytes', options.maxLineBytes, 1_000_000),
    chronological: false,
    maxAgeMillis: options.maxAgeMillis ?? 24 * HOUR,
    maxFutureMillis: options.maxFutureMillis ?? 24 * HOUR,
    timeWindowMarginMillis: options.timeWindowMarginMillis ?? 60_000,
  };
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** True for a 36-character LTS id (log group or stream), false for a name. */
export function isLtsId(value: string): boolean {
  return ID.test(value);
}

/** Why `name` is not a valid log group / stream name, or undefined. */
export function checkLtsName(kind: 'log group' | 'log stream', name: string): string | undefined {
  if (!NAME.test(name)) return `${kind} name ${JSON.stringify(name)} must be 1-64 letters, digits, '_', '-' or '.'`;
  if (name.startsWith('.') || name.startsWith('_')) return `${kind} name ${JSON.stringify(name)} must not start with '.' or '_'`;
  if (name.endsWith('.')) return `${kind} name ${JSON.stringify(name)} must not end with '.'`;
  return undefined;
}

/** Why records cannot go to `destination` (no or a malformed project id, group or stream), or undefined. */
export function destinationProblem(destination: Destination): string | undefined {
  if (!destination.accountId) return 'no project id: set account_id on the record or resource, or the projectId option (HUAWEICLOUD_SDK_PROJECT_ID)';
  if (!isProjectId(destination.accountId)) return `account_id ${JSON.stringify(destination.accountId)} is not a 32-character project id`;
  if (!destination.logGroup) return 'no log group: set log_group_value on the record or resource, or the logGroup option';
  if (!destination.logStream) return 'no log stream: set log_stream_value on the record or resource, or the logStream option';
  if (!isLtsId(destination.logGroup)) {
    const problem = checkLtsName('log group', destination.logGroup);
    if (problem) return `${problem} (or give the 36-character log group id)`;
  }
  if (!isLtsId(destination.logStream)) {
    const problem = checkLtsName('log stream', destination.logStream);
    if (problem) return `${problem} (or give the 36-character log stream id)`;
  }
  return undefined;
}
