import type { StoredDestination, StoredRecord } from './validate.ts';

/** A CreateCustomLogEvents request as received, accepted or not. */
export interface ReceivedLogEventsRequest {
  readonly status: number;
  readonly bodyBytes: number;
  readonly records: number;
  readonly apiVersion: string | undefined;
  readonly destinations: StoredDestination[];
}

export interface EmulatedLogGroup {
  readonly id: string;
  readonly name: string;
  readonly account_id: string;
  readonly retention_period: number;
  readonly tags: ReadonlyArray<{ key: string; value: string }>;
  readonly created_at: string;
}

export interface EmulatedLogStream {
  readonly log_group_name: string;
  readonly log_stream_name: string;
  readonly account_id: string;
  readonly log_group_value: string;
  readonly log_stream_value: string;
  readonly requests_per_second: number;
}

/** The key of one destination (account, group value, stream value) in the maps below. */
export const keyOf = (d: StoredDestination) => `${d.accountId}\u0000${d.logGroupValue}\u0000${d.logStreamValue}`;

/** What the emulator holds: records by destination, the requests that carried them, groups, streams, rate buckets. */
export class ServiceWatchState {
  /** Every CreateCustomLogEvents request that passed authentication, in order. */
  readonly logEventsRequests: ReceivedLogEventsRequest[] = [];
  readonly stored = new Map<string, StoredRecord[]>();
  /** By `account/name`. */
  readonly groups = new Map<string, EmulatedLogGroup>();
  /** By `account/group name/stream name`. */
  readonly streams = new Map<string, EmulatedLogStream>();
  /** Token buckets of the per-stream request rate, by destination key. */
  readonly buckets = new Map<string, { tokens: number; at: number }>();

  clear(): void {
    this.stored.clear();
    this.logEventsRequests.length = 0;
    this.groups.clear();
    this.streams.clear();
    this.buckets.clear();
  }
}
