export {
  DEFAULT_API_VERSION,
  DEFAULT_LIMITS,
  RECORD_SEPARATOR_BYTES,
  destinationProblem,
  normalizeApiVersion,
  resolveConnection,
  resolveLimits,
  serviceWatchEndpoint,
  type ServiceWatchConnection,
  type ServiceWatchConnectionOptions,
  type ServiceWatchEnvironment,
  type ServiceWatchLimitOptions,
  type ServiceWatchLogsExporterOptions,
} from './config.ts';
export {
  encodeServiceWatchRecord,
  encodeTruncatedServiceWatchRecord,
  toCreateCustomLogEventsBody,
  truncationMarker,
} from './translate.ts';
export { otlpAnyValueJson, otlpKeyValuesJson, otlpLogRecordJson, toOtlpLogRecord } from './otlp-json.ts';
export { MIN_FRAME_BYTES, createCustomLogEventsFrame } from './request-frame.ts';
export { CLIENT_TYPE, scpSignature, signedHeaders, type SignatureInput } from './sign.ts';
export { requestUrl, sendSigned, type ServiceWatchRequest } from './client.ts';
export { classifyCallFailure, classifyResponse } from './classify.ts';
export { ServiceWatchError } from './errors.ts';
export { StreamRateLimiter } from './rate-limit.ts';
export { CREATE_CUSTOM_LOG_EVENTS_PATH, ServiceWatchLogsExporter } from './exporter.ts';
export {
  CREATE_CUSTOM_LOG_STREAM_PATH,
  LOG_GROUPS_PATH,
  ServiceWatchProvisioner,
  provisionCustomLogStream,
  type LogGroup,
  type ProvisionCustomLogStreamOptions,
  type ProvisionedLogStream,
  type ServiceWatchProvisionerOptions,
} from './provision.ts';
