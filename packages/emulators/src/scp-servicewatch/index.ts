export { ServiceWatchEmulator, type ServiceWatchEmulatorOptions } from './emulator.ts';
export type { EmulatedLogGroup, EmulatedLogStream, ReceivedLogEventsRequest } from './state.ts';
export { verifyScpRequest, type AuthVerdict, type ServiceWatchEmulatorCredential } from './signature.ts';
export { validateCustomLogEvents, type EmulatorLimits, type StoredDestination, type StoredRecord, type ValidationDetail } from './validate.ts';
