import type { EmulatorAkSk } from '../signature.ts';
import type { HuaweiLtsState } from '../state.ts';

/** The limits and behaviour the emulated services enforce. */
export interface HuaweiLtsEmulatorSettings {
  readonly credentials: ReadonlyMap<string, EmulatorAkSk>;
  readonly users: readonly EmulatorUser[];
  readonly domainId: string;
  readonly tokenLifetimeMillis: number;
  readonly maxClockSkewMillis: number;
  readonly maxLineBytes: number;
  readonly maxLabels: number;
  readonly maxAgeMillis: number;
  readonly maxFutureMillis: number;
  /** Whole request body; undefined: no limit (LTS documents none). */
  readonly maxRequestBytes: number | undefined;
  readonly maxGroupsPerProject: number;
  readonly maxStreamsPerGroup: number;
  readonly logtankSettleMillis: number;
}

export interface EmulatorUser {
  readonly domainName: string;
  readonly userName: string;
  readonly password: string;
}

/** A report answer forced by a test (e.g. HTTP 200 with a body code other than success). */
export interface InjectedReportAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  times: number;
}

/** Mutable switches a test can flip. */
export interface HuaweiLtsSwitches {
  quotaFull: boolean;
  readonly reportAnswers: InjectedReportAnswer[];
  readonly failingLogtankResources: Set<string>;
}

/** What every operation works with. */
export interface OperationContext {
  readonly state: HuaweiLtsState;
  readonly settings: HuaweiLtsEmulatorSettings;
  readonly switches: HuaweiLtsSwitches;
}

const LTS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Why a log group or stream name is refused, or undefined. */
export function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !LTS_NAME.test(name)) return 'name must be 1-64 letters, digits, _ - .';
  if (name.startsWith('.') || name.startsWith('_') || name.endsWith('.')) return 'name must not start with . or _ nor end with .';
  return undefined;
}

export function isTtl(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 365;
}

export function parseJson(body: Buffer): unknown {
  // log_time_ns is an int64: keep its exact value (a bigint) instead of rounding it to a double. A quoted
  // "123" stays a string, which the reporting API refuses.
  return JSON.parse(body.toString('utf8'), (key, value, context?: { source?: string }) =>
    key === 'log_time_ns' && typeof value === 'number' && context?.source !== undefined && /^-?\d+$/.test(context.source) ? BigInt(context.source) : value,
  );
}

