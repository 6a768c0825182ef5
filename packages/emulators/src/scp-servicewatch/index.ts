export {
  ServiceWatchEmulator,
  type EmulatedLogGroup,
  type EmulatedLogStream,
  type ReceivedLogEventsRequest,
  type ServiceWatchEmulatorOptions,
} from './emulator.ts';
export { verifyScpRequest, type AuthVerdict, type ServiceWatchEmulatorCredential } from './signature.ts';
export { validateCustomLogEvents, type EmulatorLimits, type StoredDestination, type StoredRecord, type ValidationDetail } from './validate.ts';
