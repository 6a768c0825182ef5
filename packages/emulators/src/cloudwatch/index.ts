export {
  CloudWatchLogsEmulator,
  type CloudWatchLogsEmulatorOptions,
  type CloudWatchLogGroupSnapshot,
  type CloudWatchLogStreamSnapshot,
} from './emulator.ts';
export { CLOUDWATCH_EMULATOR_CREDENTIALS, type CloudWatchEmulatorCredentials } from './sigv4-verifier.ts';
export { PUT_LOG_EVENTS_LIMITS as CLOUDWATCH_PUT_LOG_EVENTS_LIMITS, RETENTION_DAYS as CLOUDWATCH_RETENTION_DAYS } from './operations/limits.ts';
export type { CloudWatchStoredLogEvent } from './store.ts';
