import { DEFAULT_COMMIT_INTERVAL_MILLIS, DEFAULT_SEGMENT_BYTES, DEFAULT_SPOOL_MAX_BYTES, type SpoolOptions } from './spool.ts';

export type { SpoolOptions } from './spool.ts';

/** Checks the spool options, with a clear message for each bad one. */
export function resolveSpoolOptions(options: SpoolOptions, smallestRecordBytes: number): SpoolOptions {
  const where = 'ConstraintAwareBatchProcessor: spool';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} must be an object like { directory: '/var/spool/my-app' }`);
  if (typeof options.directory !== 'string' || options.directory.trim() === '') {
    throw new TypeError(`${where}.directory must be the path of a directory this process alone uses, got ${JSON.stringify(options.directory)}`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
  if (!Number.isFinite(maxBytes) || maxBytes < smallestRecordBytes * 2) {
    throw new RangeError(`${where}.maxBytes must hold at least two largest events (${smallestRecordBytes * 2} bytes), got ${String(options.maxBytes)}`);
  }
  const commitIntervalMillis = options.commitIntervalMillis ?? DEFAULT_COMMIT_INTERVAL_MILLIS;
  if (!Number.isFinite(commitIntervalMillis) || commitIntervalMillis <= 0 || commitIntervalMillis > 1_000) {
    throw new RangeError(`${where}.commitIntervalMillis must be between 1 and 1,000 ms, got ${String(options.commitIntervalMillis)}`);
  }
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isFinite(segmentBytes) || segmentBytes < 64 * 1024) throw new RangeError(`${where}.segmentBytes must be at least 65,536, got ${String(options.segmentBytes)}`);
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') throw new TypeError(`${where}.fsync must be true or false`);
  return { directory: options.directory, maxBytes, commitIntervalMillis, segmentBytes, fsync: options.fsync === true };
}
