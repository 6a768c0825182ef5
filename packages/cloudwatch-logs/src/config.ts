import type { ConstraintAwareExporterOptions, Destination, ProviderLimits } from '@otel-cloud-logs/core';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A function returning (possibly refreshed) credentials, like the AWS SDK's credential providers. */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface CloudWatchLogsExporterOptions extends ConstraintAwareExporterOptions {
  /** AWS region. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  readonly region?: string;
  /** Service endpoint. Default: `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, then `AWS_ENDPOINT_URL`, then `https://logs.{region}.amazonaws.com`. */
  readonly endpoint?: string;
  /** Explicit credentials or a provider. Default: the AWS default credential chain (env, SSO, profile, web identity, ECS, EC2). */
  readonly credentials?: AwsCredentials | AwsCredentialsProvider;
  /** Group for records that carry no `log_group_value` attribute. */
  readonly logGroupName?: string;
  /** Stream for records that carry no `log_stream_value` attribute. */
  readonly logStreamName?: string;
  /** Create a missing log stream on `ResourceNotFoundException`. Default true. */
  readonly createLogStream?: boolean;
  /** Create a missing log group on `ResourceNotFoundException`. Default false. */
  readonly createLogGroup?: boolean;
  /** Retention applied to groups this exporter creates (one of the values CloudWatch allows). */
  readonly retentionInDays?: number;
  /** Tags applied to groups this exporter creates. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Class of groups this exporter creates. */
  readonly logGroupClass?: 'STANDARD' | 'INFREQUENT_ACCESS' | 'DELIVERY';
  /** 'json' (default): an envelope with body, severity, attributes and trace ids. 'text': the body alone. */
  readonly messageFormat?: 'json' | 'text';
  /** Largest event: '1MB' (current service limit, default) or '256KB' (the older limit, for old accounts or strict tooling). */
  readonly eventSizeLimit?: '1MB' | '256KB';
  /**
   * The entity the events belong to (CloudWatch "Explore related"), sent with every PutLogEvents call, e.g.
   * `{ keyAttributes: { Type: 'Service', Name: 'orders', Environment: 'prod' } }`. A refused entity does not
   * refuse the events: CloudWatch answers `rejectedEntityInfo`, counted in `entityRejections` and reported through diag.
   */
  readonly entity?: CloudWatchEntity;
  /** Keep records this far inside the −14 d / +2 h window, so they do not expire on the way. Default 5 min. */
  readonly timeWindowMarginMillis?: number;
}

export interface CloudWatchEntity {
  readonly keyAttributes: Readonly<Record<string, string>>;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Bytes CloudWatch adds to each event when it counts a request. */
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_REQUEST_BYTES = 1_048_576;
export const MAX_EVENTS_PER_REQUEST = 10_000;
export const HOUR = 3_600_000;

/** PutLogEvents limits (API reference); an event's message plus its 26 bytes must fit the event size limit. */
export function cloudWatchLimits(options: Pick<CloudWatchLogsExporterOptions, 'eventSizeLimit' | 'timeWindowMarginMillis'>): ProviderLimits {
  const eventLimit = options.eventSizeLimit === '256KB' ? 262_144 : MAX_REQUEST_BYTES;
  return {
    maxRequestBytes: MAX_REQUEST_BYTES,
    perEventOverheadBytes: EVENT_OVERHEAD_BYTES,
    maxEventsPerRequest: MAX_EVENTS_PER_REQUEST,
    maxEventBytes: eventLimit - EVENT_OVERHEAD_BYTES,
    maxSpanMillis: 24 * HOUR,
    chronological: true,
    maxAgeMillis: 14 * 24 * HOUR,
    maxFutureMillis: 2 * HOUR,
    timeWindowMarginMillis: options.timeWindowMarginMillis ?? 5 * 60_000,
  };
}

export const ALLOWED_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** Returns what is wrong with a log group name, or undefined when CloudWatch accepts it. */
export function logGroupNameProblem(name: string): string | undefined {
  if (!name) return 'log group name is empty: set logGroupName or the log_group_value attribute';
  if (!LOG_GROUP_PATTERN.test(name)) return `log group name ${JSON.stringify(name.slice(0, 80))} must be 1-512 characters of A-Z a-z 0-9 . - _ / #`;
  if (name.startsWith('aws/')) return `log group name ${JSON.stringify(name.slice(0, 80))} must not start with "aws/" (reserved by AWS)`;
  return undefined;
}

/** Returns what is wrong with a log stream name, or undefined when CloudWatch accepts it. */
export function logStreamNameProblem(name: string): string | undefined {
  if (!name) return 'log stream name is empty: set logStreamName or the log_stream_value attribute';
  if (name.length > 512) return `log stream name is ${name.length} characters; at most 512 are allowed`;
  if (/[:*]/.test(name)) return `log stream name ${JSON.stringify(name.slice(0, 80))} must not contain ':' or '*'`;
  return undefined;
}

/** Why records cannot go to `destination` (a group or stream name CloudWatch refuses), or undefined. */
export function destinationProblem(destination: Destination): string | undefined {
  return logGroupNameProblem(destination.logGroup) ?? logStreamNameProblem(destination.logStream);
}

export interface ResolvedEndpoint {
  readonly region: string;
  readonly url: URL;
}

/** Region and endpoint from options, then the AWS SDK's environment variables. */
export function resolveEndpoint(
  options: Pick<CloudWatchLogsExporterOptions, 'region' | 'endpoint'>,
  env: NodeJS.ProcessEnv = process.env,
  owner = 'CloudWatchLogsExporter',
): ResolvedEndpoint {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new TypeError(`${owner}: no region: pass { region } or set AWS_REGION (e.g. us-east-1)`);
  }
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS ?? env.AWS_ENDPOINT_URL ?? `https://logs.${region}.amazonaws.com`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`${owner}: endpoint is not a URL (expected e.g. https://logs.${region}.amazonaws.com); its value is not repeated here in case it holds a secret`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${owner}: endpoint must be http(s), got ${url.protocol}`);
  }
  return { region, url };
}

/** The options both CloudWatch exporters (PutLogEvents and the OTLP endpoint) share. */
export type SharedOptions = Pick<CloudWatchLogsExporterOptions, 'logGroupName' | 'logStreamName' | 'retentionInDays' | 'timeWindowMarginMillis' | 'credentials'>;

/** Throws a clear error for shared options CloudWatch would refuse later, so that mistakes show at start-up. */
export function validateSharedOptions(options: SharedOptions, owner: string): void {
  if (options.logGroupName !== undefined) {
    const problem = logGroupNameProblem(options.logGroupName);
    if (problem) throw new TypeError(`${owner}: logGroupName: ${problem}`);
  }
  if (options.logStreamName !== undefined) {
    const problem = logStreamNameProblem(options.logStreamName);
    if (problem) throw new TypeError(`${owner}: logStreamName: ${problem}`);
  }
  if (options.retentionInDays !== undefined && !(ALLOWED_RETENTION_DAYS as readonly number[]).includes(options.retentionInDays)) {
    throw new RangeError(`${owner}: retentionInDays must be one of ${ALLOWED_RETENTION_DAYS.join(', ')}; got ${options.retentionInDays}`);
  }
  const margin = options.timeWindowMarginMillis;
  if (margin !== undefined && !(Number.isSafeInteger(margin) && margin >= 0 && margin < 2 * HOUR)) {
    throw new RangeError(`${owner}: timeWindowMarginMillis must be a whole number of ms from 0 to under 2 h (the +2 h window), got ${String(margin)}`);
  }
  const credentials = options.credentials;
  if (credentials !== undefined && typeof credentials !== 'function' && (!credentials.accessKeyId || !credentials.secretAccessKey)) {
    throw new TypeError(`${owner}: credentials need accessKeyId and secretAccessKey (or omit them to use the AWS default credential chain)`);
  }
}

/** Throws a clear error for options CloudWatch would refuse later, so that mistakes show at start-up. */
export function validateOptions(options: CloudWatchLogsExporterOptions): void {
  validateSharedOptions(options, 'CloudWatchLogsExporter');
  if (options.messageFormat !== undefined && options.messageFormat !== 'json' && options.messageFormat !== 'text') {
    throw new TypeError(`CloudWatchLogsExporter: messageFormat must be 'json' or 'text', got ${JSON.stringify(options.messageFormat)}`);
  }
  if (options.eventSizeLimit !== undefined && options.eventSizeLimit !== '1MB' && options.eventSizeLimit !== '256KB') {
    throw new TypeError(`CloudWatchLogsExporter: eventSizeLimit must be '1MB' or '256KB', got ${JSON.stringify(options.eventSizeLimit)}`);
  }
  if (options.entity !== undefined && (typeof options.entity.keyAttributes !== 'object' || options.entity.keyAttributes === null)) {
    throw new TypeError("CloudWatchLogsExporter: entity needs keyAttributes, e.g. { keyAttributes: { Type: 'Service', Name: 'orders', Environment: 'prod' } }");
  }
}
