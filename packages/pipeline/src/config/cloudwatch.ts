import {
  BEARER_TOKEN_ENV,
  CloudWatchLogsExporter,
  CloudWatchLogsOtlpExporter,
  type AwsCredentials,
  type CloudWatchLogsExporterOptions,
  type CloudWatchLogsOtlpExporterOptions,
  type OtlpAuth,
} from '@otel-cloud-logs/cloudwatch-logs';
import type { AnyExporter } from '../sink.ts';
import { readFields, type FieldTable } from './fields.ts';
import type { ConfigNode } from './node.ts';

/** Options both CloudWatch APIs take. */
const SHARED_FIELDS: FieldTable = {
  region: ['region', 'string'],
  endpoint: ['endpoint', 'string'],
  log_group_name: ['logGroupName', 'string'],
  log_stream_name: ['logStreamName', 'string'],
  create_log_stream: ['createLogStream', 'boolean'],
  create_log_group: ['createLogGroup', 'boolean'],
  retention_in_days: ['retentionInDays', 'integer'],
  tags: ['tags', 'stringMap'],
  log_group_class: ['logGroupClass', ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']],
  time_window_margin: ['timeWindowMarginMillis', 'millis'],
};
/** PutLogEvents only: how a record becomes an event's message. */
const PUT_LOG_EVENTS_FIELDS: FieldTable = {
  message_format: ['messageFormat', ['json', 'text']],
  event_size_limit: ['eventSizeLimit', ['1MB', '256KB']],
};
/** The OTLP endpoint only (`compression` as in the Collector's otlphttp exporter; `encoding` is read apart). */
const OTLP_FIELDS: FieldTable = {
  compression: ['compression', ['gzip', 'none']],
  compression_level: ['compressionLevel', 'integer'],
};
const OTLP_KEYS = ['encoding', ...Object.keys(OTLP_FIELDS), 'auth', 'large_events'];
const CREDENTIAL_KEYS = ['access_key_id', 'secret_access_key', 'session_token'];
/** Options that only matter for groups and streams the exporter creates, which an API key may not do. */
const PROVISIONING_KEYS = ['create_log_stream', 'create_log_group', 'retention_in_days', 'tags', 'log_group_class'];

export const CLOUDWATCH_APIS = ['put_log_events', 'otlp'] as const;
export const CLOUDWATCH_KEYS: readonly string[] = [...Object.keys(SHARED_FIELDS), 'api', ...Object.keys(PUT_LOG_EVENTS_FIELDS), ...OTLP_KEYS, ...CREDENTIAL_KEYS];

type Create = (options: Record<string, unknown>) => AnyExporter;

function readCredentials(node: ConfigNode): AwsCredentials | undefined {
  const accessKeyId = node.child('access_key_id').string();
  const secretAccessKey = node.child('secret_access_key').string();
  const sessionToken = node.child('session_token').string();
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    node.problem('give both access_key_id and secret_access_key, or neither (to use the AWS default credential chain)');
    return undefined;
  }
  return accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey, sessionToken } : undefined;
}

/**
 * `auth: { type: sigv4 }` or `{ type: bearer, token? }`. Left out: SigV4 when access keys are given, else the
 * exporter's own default (a bearer token when AWS_BEARER_TOKEN_LOGS is set, SigV4 otherwise).
 */
function readAuth(node: ConfigNode, credentials: AwsCredentials | undefined): OtlpAuth | undefined {
  const auth = node.child('auth');
  if (!auth.present) {
    if (credentials) return { type: 'sigv4' };
    if (process.env[BEARER_TOKEN_ENV]) refuseProvisioning(node, ` (${BEARER_TOKEN_ENV} is set in the gateway's environment, so its API key is sent instead of signing)`);
    return undefined;
  }
  if (!auth.map(['type', 'token'])) return undefined;
  const type = auth.child('type').required('sigv4 or bearer') ? auth.child('type').oneOf(['sigv4', 'bearer'] as const) : undefined;
  const token = auth.child('token').string();
  if (type === 'sigv4') {
    if (auth.child('token').present) auth.child('token').problem('only with type: bearer; remove it, or set type: bearer to send the API key instead of signing');
    return { type };
  }
  if (type !== 'bearer') return undefined;
  for (const key of CREDENTIAL_KEYS) {
    if (node.child(key).present) node.child(key).problem('not used with auth type bearer (the API key is the only credential); remove it, or use auth: { type: sigv4 }');
  }
  refuseProvisioning(node, '');
  // Never echoed: the token is a secret. The exporter reads the variable itself when `token` is left out.
  if (token === undefined && !process.env[BEARER_TOKEN_ENV]) {
    auth.problem(`type bearer needs a CloudWatch Logs API key: give token (e.g. token: \${env:${BEARER_TOKEN_ENV}}) or set ${BEARER_TOKEN_ENV} in the gateway's environment`);
  }
  return token === undefined ? { type } : { type, token };
}

/** With a bearer token: a problem for each option that needs the exporter to create groups or streams. */
function refuseProvisioning(node: ConfigNode, why: string): void {
  for (const key of PROVISIONING_KEYS) {
    if (node.child(key).present && node.child(key).value !== false) {
      node.child(key).problem(
        `needs SigV4${why}: a CloudWatch Logs API key may only put log events, so the exporter cannot create groups or streams with it; create them beforehand (aws logs create-log-group / create-log-stream) and remove this option, or use auth: { type: sigv4 }`,
      );
    }
  }
}

function readLargeEvents(node: ConfigNode): CloudWatchLogsOtlpExporterOptions['largeEvents'] {
  if (!node.map(['enabled', 'truncatable_fields'])) return undefined;
  const enabled = node.child('enabled').required('true or false') ? node.child('enabled').boolean() : undefined;
  const truncatableFields = node.child('truncatable_fields').stringList();
  if (enabled === undefined) return undefined;
  if (!enabled && truncatableFields !== undefined) node.child('truncatable_fields').problem('only used with enabled: true (records over 1 MB sent whole); remove it or enable large events');
  return truncatableFields === undefined ? { enabled } : { enabled, truncatableFields };
}

function putLogEventsOptions(node: ConfigNode, options: Record<string, unknown>, credentials: AwsCredentials | undefined): Create {
  for (const key of OTLP_KEYS) {
    if (node.child(key).present) node.child(key).problem('only with api: otlp (the OTLP endpoint /v1/logs); add api: otlp to send there, or remove it');
  }
  readFields(node, PUT_LOG_EVENTS_FIELDS, options);
  if (credentials) options.credentials = credentials;
  return (values) => new CloudWatchLogsExporter(values as CloudWatchLogsExporterOptions);
}

function otlpOptions(node: ConfigNode, options: Record<string, unknown>, credentials: AwsCredentials | undefined): Create {
  const why: Record<string, string> = {
    message_format: 'the OTLP endpoint keeps each record as OTLP (body, attributes, resource), there is no message to format',
    event_size_limit: 'the OTLP endpoint takes events up to 1 MB, or larger ones with large_events',
  };
  for (const key of Object.keys(PUT_LOG_EVENTS_FIELDS)) {
    if (node.child(key).present) node.child(key).problem(`not used with api: otlp (${why[key]}); remove it`);
  }
  readFields(node, OTLP_FIELDS, options);
  // The Collector's otlphttp names: proto | json.
  const encoding = node.child('encoding').oneOf(['proto', 'json'] as const);
  if (encoding !== undefined) options.encoding = encoding === 'proto' ? 'protobuf' : 'json';
  const auth = readAuth(node, credentials);
  if (auth) options.auth = auth;
  if (credentials && auth?.type !== 'bearer') options.credentials = credentials;
  if (node.child('large_events').present) options.largeEvents = readLargeEvents(node.child('large_events'));
  return (values) => new CloudWatchLogsOtlpExporter(values as CloudWatchLogsOtlpExporterOptions);
}

/**
 * `exporters.cloudwatch_logs[/name]`: `api: put_log_events` (the default, `CloudWatchLogsExporter`) or `api: otlp`
 * (the OTLP endpoint, `CloudWatchLogsOtlpExporter`). Reads the options into `options`; returns how to build it.
 */
export function cloudWatchFromConfig(node: ConfigNode, options: Record<string, unknown>): Create {
  const api = node.child('api').present ? node.child('api').oneOf(CLOUDWATCH_APIS) : 'put_log_events';
  readFields(node, SHARED_FIELDS, options);
  // A misspelt api has its problem; which other options belong to it cannot be told.
  if (api === undefined) return (values) => new CloudWatchLogsExporter(values as CloudWatchLogsExporterOptions);
  const credentials = readCredentials(node);
  return api === 'otlp' ? otlpOptions(node, options, credentials) : putLogEventsOptions(node, options, credentials);
}
