export {
  CloudWatchLogsEmulator,
  LARGE_LOG_OBJECT_REGIONS,
  type CloudWatchLogsEmulatorOptions,
  type CloudWatchLogGroupSnapshot,
  type CloudWatchLogStreamSnapshot,
} from './emulator.ts';
export { CLOUDWATCH_EMULATOR_CREDENTIALS, type CloudWatchEmulatorCredentials } from './sigv4-verifier.ts';
export { PUT_LOG_EVENTS_LIMITS as CLOUDWATCH_PUT_LOG_EVENTS_LIMITS, RETENTION_DAYS as CLOUDWATCH_RETENTION_DAYS } from './operations/limits.ts';
export type { CloudWatchStoredLogEvent } from './state.ts';
export { OTLP_LOGS_LIMITS as CLOUDWATCH_OTLP_LOGS_LIMITS } from './otlp/put-open-telemetry-logs.ts';
export { OTLP_LOGS_OPERATION as CLOUDWATCH_OTLP_LOGS_OPERATION, OTLP_LOGS_PATH as CLOUDWATCH_OTLP_LOGS_PATH } from './handler.ts';
