export {
  DEFAULT_API_VERSION,
  DEFAULT_LIMITS,
  RECORD_SEPARATOR_BYTES,
  normalizeApiVersion,
  resolveConnection,
  resolveLimits,
  serviceWatchEndpoint,
  type ResolvedLimits,
  type ServiceWatchConnection,
  type ServiceWatchConnectionOptions,
  type ServiceWatchEnvironment,
  type ServiceWatchLimitOptions,
  type ServiceWatchLogsExporterOptions,
} from './config.ts';
export {
  createCustomLogEventsBody,
  createCustomLogEventsFrame,
  destinationProblem,
  encodeServiceWatchRecord,
  encodeTruncatedServiceWatchRecord,
  toCreateCustomLogEventsBody,
  toOtlpLogRecord,
  toServiceWatchEvent,
  truncateServiceWatchEvent,
  truncationMarker,
  type ServiceWatchEvent,
} from './translate.ts';
export { CLIENT_TYPE, scpSignature, signedHeaders, type SignatureInput } from './signer.ts';
export { requestUrl, sendSigned, type ServiceWatchRequest } from './request.ts';
export { ServiceWatchError, classifyResponse } from './classify.ts';
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
} from './provisioning.ts';
