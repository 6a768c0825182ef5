import type { ServiceWatchState } from '../state.ts';

/** The emulator's options with their defaults applied. */
export interface ServiceWatchSettings {
  readonly accountId: string;
  readonly maxRequestBytes: number;
  readonly maxEventsPerRequest: number;
  readonly maxEventBytes: number;
  readonly maxAgeMillis: number | undefined;
  readonly maxFutureMillis: number | undefined;
  readonly maxClockSkewMillis: number;
  readonly requestsPerSecondPerStream: number;
  readonly apiVersions: readonly string[];
  readonly now: () => number;
}

/** What every operation works with. */
export interface OperationContext {
  readonly state: ServiceWatchState;
  readonly settings: ServiceWatchSettings;
}

/** Names of log groups and streams: 1–255 characters of letters, digits, . _ - / */
export const RESOURCE_NAME = /^[A-Za-z0-9._\-/]{1,255}$/;
