/** PutLogEvents limits exactly as the API reference states them (see seeds 002/004 in the shared reference). */
export const PUT_LOG_EVENTS_LIMITS = {
  /** Σ (UTF-8 bytes of message + 26) over the batch. */
  maxBatchBytes: 1_048_576,
  perEventOverheadBytes: 26,
  maxEventsPerBatch: 10_000,
  /** One event (UTF-8 bytes + 26): 1 MB in the current doc. */
  maxEventBytes: 1_048_576,
  /** One event in the older doc (256 KB); pass it as the `maxEventBytes` option to emulate that limit. */
  legacyMaxEventBytes: 262_144,
  /** Span between the first and last in-window event, inclusive of exactly 24 h. */
  maxSpanMillis: 24 * 60 * 60 * 1000,
  maxFutureMillis: 2 * 60 * 60 * 1000,
  maxAgeMillis: 14 * 24 * 60 * 60 * 1000,
} as const;

/** The only values PutRetentionPolicy accepts. */
export const RETENTION_DAYS: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

export const LOG_GROUP_CLASSES: ReadonlySet<string> = new Set(['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']);

/** Describe* operations return at most 50 items per page; GetLogEvents at most 10,000 events. */
export const MAX_DESCRIBE_LIMIT = 50;
export const MAX_GET_LOG_EVENTS_LIMIT = 10_000;

export const MILLIS_PER_DAY = 24 * 60 * 60 * 1000;
