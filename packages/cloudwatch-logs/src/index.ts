export { CloudWatchLogsExporter } from './exporter.ts';
export {
  ALLOWED_RETENTION_DAYS,
  EVENT_OVERHEAD_BYTES,
  MAX_EVENTS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  cloudWatchLimits,
  logGroupNameProblem,
  logStreamNameProblem,
  resolveEndpoint,
  type AwsCredentials,
  type AwsCredentialsProvider,
  type CloudWatchEntity,
  type CloudWatchLogsExporterOptions,
} from './config.ts';
export {
  encodeCloudWatchEvent,
  encodeTruncatedCloudWatchEvent,
  formatMessage,
  putLogEventsFrame,
  truncateEvent,
  truncationMarker,
  type CloudWatchEvent,
  type MessageFormat,
  type PutLogEventsRequest,
} from './translate.ts';
export { planPutLogEvents, type PutLogEventsPlan } from './plan.ts';
export { rejectedCounts, classifyFailure, type PutLogEventsResponse } from './classify.ts';
export { CloudWatchServiceError } from './errors.ts';
export { CloudWatchLogsOtlpExporter } from './otlp-exporter.ts';
export {
  BEARER_TOKEN_ENV,
  LARGE_EVENT_REGIONS,
  MAX_LARGE_REQUEST_BYTES,
  otlpLimits,
  type CloudWatchLogsOtlpExporterOptions,
  type LargeEventsOptions,
  type OtlpAuth,
} from './otlp-config.ts';
export { otlpFrame, type OtlpEncoding } from './otlp-frame.ts';
export { MAX_RESOURCE_SCOPE_BYTES, encodeOtlpRecord, encodeTruncatedOtlpRecord, otlpRecordSize } from './otlp-translate.ts';
export { partialSuccessCounts } from './otlp-classify.ts';
