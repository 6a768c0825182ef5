import type { RetryOptions } from '@otel-cloud-logs/core';
import { HuaweiLtsExporter, type HuaweiCloudAuth, type HuaweiLtsExporterOptions } from '@otel-cloud-logs/huawei-lts';
import { ServiceWatchLogsExporter, type ServiceWatchLimitOptions, type ServiceWatchLogsExporterOptions } from '@otel-cloud-logs/scp-servicewatch';
import { isStorage } from '../gateway/file-storage.ts';
import type { AnyExporter, BatchingOptions } from '../sink.ts';
import { CLOUDWATCH_KEYS, cloudWatchFromConfig } from './cloudwatch.ts';
import type { ExtensionRegistry } from './extensions.ts';
import { readFields, type FieldTable } from './fields.ts';
import type { ConfigNode } from './node.ts';

// Options every exporter shares (ConstraintAwareExporterOptions), Collector-style names.
const COMMON_KEYS = ['oversize_events', 'timeout', 'retry_on_failure', 'batch', 'sending_queue'];
const COMMON_FIELDS: FieldTable = {
  oversize_events: ['oversizeEvents', ['truncate', 'drop']],
  timeout: ['requestTimeoutMillis', 'millis'],
};
const RETRY_FIELDS: FieldTable = {
  initial_interval: ['initialDelayMillis', 'millis'],
  max_interval: ['maxDelayMillis', 'millis'],
  multiplier: ['multiplier', 'number'],
  randomization_factor: ['jitter', 'number'],
  max_elapsed_time: ['deadlineMillis', 'millis'],
};
const BATCH_FIELDS: FieldTable = {
  scheduled_delay: ['scheduledDelayMillis', 'millis'],
  max_queue_bytes: ['maxQueueBytes', 'bytes'],
  max_concurrent_exports: ['maxConcurrentExports', 'integer'],
  thread: ['thread', ['main', 'worker']],
};

const HUAWEI_FIELDS: FieldTable = {
  region: ['region', 'string'],
  project_id: ['projectId', 'string'],
  domain_id: ['domainId', 'string'],
  endpoint: ['endpoint', 'string'],
  ingest_endpoint: ['ingestEndpoint', 'string'],
  iam_endpoint: ['iamEndpoint', 'string'],
  ga_endpoint: ['gaEndpoint', 'string'],
  token_refresh_margin: ['tokenRefreshMarginMillis', 'millis'],
  log_group: ['logGroup', 'string'],
  log_stream: ['logStream', 'string'],
  create_missing: ['createMissing', 'boolean'],
  ttl_in_days: ['ttlInDays', 'integer'],
  labels: ['labels', 'stringMap'],
  line_format: ['lineFormat', ['json', 'text']],
  include_resource: ['includeResource', 'boolean'],
  max_request_size: ['maxRequestBytes', 'bytes'],
  max_lines_per_request: ['maxLinesPerRequest', 'integer'],
  max_line_size: ['maxLineBytes', 'bytes'],
  max_age: ['maxAgeMillis', 'millis'],
  max_future: ['maxFutureMillis', 'millis'],
  time_window_margin: ['timeWindowMarginMillis', 'millis'],
};
const HUAWEI_AUTH_KEYS = ['type', 'access_key_id', 'secret_access_key', 'security_token', 'token', 'user_name', 'password', 'domain_name'];

const SCP_FIELDS: FieldTable = {
  endpoint: ['endpoint', 'string'],
  region: ['region', 'string'],
  environment: ['environment', 'string'],
  access_key: ['accessKey', 'string'],
  secret_key: ['secretKey', 'string'],
  api_version: ['apiVersion', 'string'],
  signing_account_id: ['signingAccountId', 'string'],
  account_id: ['accountId', 'string'],
  log_group_value: ['logGroupValue', 'string'],
  log_stream_value: ['logStreamValue', 'string'],
  requests_per_second: ['requestsPerSecond', 'number'],
  stream_requests_per_second: ['streamRequestsPerSecond', 'rateMap'],
};
const SCP_LIMIT_FIELDS: FieldTable = {
  max_request_size: ['maxRequestBytes', 'bytes'],
  envelope_reserve_size: ['envelopeReserveBytes', 'bytes'],
  max_events_per_request: ['maxEventsPerRequest', 'integer'],
  max_event_size: ['maxEventBytes', 'bytes'],
  max_span: ['maxSpanMillis', 'millis'],
  chronological: ['chronological', 'boolean'],
  max_age: ['maxAgeMillis', 'millis'],
  max_future: ['maxFutureMillis', 'millis'],
  time_window_margin: ['timeWindowMarginMillis', 'millis'],
};

export const EXPORTER_TYPES = ['cloudwatch_logs', 'huawei_lts', 'scp_servicewatch'] as const;

/** An exporter declared in the configuration with its options checked; `create` may still throw (e.g. no credentials). */
export interface ExporterPlan {
  readonly id: string;
  readonly batching: BatchingOptions;
  create(): AnyExporter;
}

/**
 * `sending_queue`, the Collector's keys: `storage` names a `file_storage` extension, which makes the queue durable
 * (the spool); `queue_size` with `sizer: bytes` bounds it on disk; `num_consumers` is the requests in flight.
 */
function readSendingQueue(id: string, node: ConfigNode, extensions: ExtensionRegistry, batching: Record<string, unknown>): void {
  if (!node.map(['enabled', 'storage', 'queue_size', 'sizer', 'num_consumers'])) return;
  const consumers = node.child('num_consumers').number({ min: 1, integer: true });
  if (consumers !== undefined) batching.maxConcurrentExports = consumers;
  if (node.child('enabled').boolean() === false || !node.child('storage').present) {
    if (node.child('queue_size').present) node.child('queue_size').problem('bounds the durable queue: set storage (a file_storage extension) too, or use batch.max_queue_bytes');
    return;
  }
  const sizer = node.child('sizer').present ? node.child('sizer').oneOf(['bytes'] as const) : undefined;
  const queueSize = node.child('queue_size').number({ min: 1, integer: true });
  if (queueSize !== undefined && sizer !== 'bytes') node.child('queue_size').problem('set sizer: bytes: the durable queue is bounded in bytes on disk');
  const storage = extensions.resolve(node.child('storage'), isStorage, 'a storage extension (file_storage)');
  if (!storage) return;
  batching.spool = { directory: storage.directoryFor(id), fsync: storage.fsync, ...(queueSize !== undefined && sizer === 'bytes' ? { maxBytes: queueSize } : {}) };
}

function readCommon(node: ConfigNode): { options: Record<string, unknown>; batching: Record<string, unknown> } {
  const options: Record<string, unknown> = {};
  readFields(node, COMMON_FIELDS, options);
  const retry = node.child('retry_on_failure');
  if (retry.map(Object.keys(RETRY_FIELDS))) {
    const values: Partial<Record<keyof RetryOptions, number>> = {};
    readFields(retry, RETRY_FIELDS, values);
    options.retry = values;
  }
  const batching: Record<string, unknown> = {};
  const batch = node.child('batch');
  if (batch.map(Object.keys(BATCH_FIELDS))) readFields(batch, BATCH_FIELDS, batching);
  return { options, batching };
}

function huaweiAuth(node: ConfigNode): HuaweiCloudAuth | undefined {
  if (!node.map(HUAWEI_AUTH_KEYS)) return undefined;
  const type = node.child('type').required('aksk, token or password') ? node.child('type').oneOf(['aksk', 'token', 'password'] as const) : undefined;
  const need = (key: string) => (node.child(key).required(`needed for auth type ${type}`) ? node.child(key).string() : undefined);
  switch (type) {
    case 'aksk': {
      const accessKeyId = need('access_key_id');
      const secretAccessKey = need('secret_access_key');
      return accessKeyId && secretAccessKey ? { type, accessKeyId, secretAccessKey, securityToken: node.child('security_token').string() } : undefined;
    }
    case 'token': {
      const token = need('token');
      return token ? { type, token } : undefined;
    }
    case 'password': {
      const userName = need('user_name');
      const password = need('password');
      const domainName = need('domain_name');
      return userName && password && domainName ? { type, userName, password, domainName } : undefined;
    }
    default:
      return undefined;
  }
}

function huaweiOptions(node: ConfigNode, options: Record<string, unknown>): HuaweiLtsExporterOptions {
  readFields(node, HUAWEI_FIELDS, options);
  const auth = node.child('auth').present ? huaweiAuth(node.child('auth')) : undefined;
  if (auth) options.auth = auth;
  return options as HuaweiLtsExporterOptions;
}

function serviceWatchOptions(node: ConfigNode, options: Record<string, unknown>): ServiceWatchLogsExporterOptions {
  readFields(node, SCP_FIELDS, options);
  const limits = node.child('limits');
  if (limits.map(Object.keys(SCP_LIMIT_FIELDS))) {
    const values: Record<string, unknown> = {};
    readFields(limits, SCP_LIMIT_FIELDS, values);
    options.limits = values as ServiceWatchLimitOptions;
  }
  return options as ServiceWatchLogsExporterOptions;
}

/** Checks the options of `exporters.<type>[/<name>]` and returns how to create the exporter. */
export function exporterFromConfig(id: string, node: ConfigNode, extensions: ExtensionRegistry): ExporterPlan | undefined {
  const type = id.split('/', 1)[0]!;
  let keys: readonly string[];
  // Reads the type's options and returns how to build the exporter from them.
  let read: (options: Record<string, unknown>) => (options: Record<string, unknown>) => AnyExporter;
  switch (type) {
    case 'cloudwatch_logs':
      keys = CLOUDWATCH_KEYS;
      read = (options) => cloudWatchFromConfig(node, options);
      break;
    case 'huawei_lts':
      keys = [...Object.keys(HUAWEI_FIELDS), 'auth'];
      read = (options) => {
        huaweiOptions(node, options);
        return (values) => new HuaweiLtsExporter(values as HuaweiLtsExporterOptions);
      };
      break;
    case 'scp_servicewatch':
      keys = [...Object.keys(SCP_FIELDS), 'limits'];
      read = (options) => {
        serviceWatchOptions(node, options);
        return (values) => new ServiceWatchLogsExporter(values as ServiceWatchLogsExporterOptions);
      };
      break;
    default:
      node.problem(`unknown exporter type ${JSON.stringify(type)}; allowed: ${EXPORTER_TYPES.join(', ')} (as type or type/name)`);
      return undefined;
  }
  if (node.present && !node.map([...keys, ...COMMON_KEYS])) return undefined;
  const { options, batching } = readCommon(node);
  if (node.child('sending_queue').present) readSendingQueue(id, node.child('sending_queue'), extensions, batching);
  const create = read(options);
  return { id, batching, create: () => create(options) };
}
