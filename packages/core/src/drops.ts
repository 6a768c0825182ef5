import type { ProviderLimits } from './limits.ts';
import type { DropReason } from './metrics.ts';

/** The once-per-problem diag message for a drop reason. */
export function describeDrop(reason: DropReason, limits: ProviderLimits): string {
  switch (reason) {
    case 'too_old':
      return `dropping log records older than the service accepts (${Math.round((limits.maxAgeMillis ?? 0) / 3_600_000)} h, with a ${limits.timeWindowMarginMillis} ms margin); check the clock or the record timestamps`;
    case 'too_new':
      return `dropping log records more than ${Math.round((limits.maxFutureMillis ?? 0) / 60_000)} min in the future (with a ${limits.timeWindowMarginMillis} ms margin); check the clock or the record timestamps`;
    case 'oversize':
      return `dropping log records over ${limits.maxEventBytes} bytes (oversizeEvents: 'drop'); set oversizeEvents: 'truncate' to keep them shortened`;
    case 'queue_full':
      return 'dropping log records because the queue is full (maxQueueBytes, or spool.maxBytes with a spool); the service is slower than the log rate, or unreachable';
    case 'retry_deadline_exceeded':
      return 'dropping log records whose request kept failing until the retry deadline';
    case 'shutdown':
      return 'dropping log records that could not be delivered before shutdown completed';
    case 'worker_failed':
      return 'dropping log records that the delivery worker thread held when it failed';
    case 'spool_corrupt':
      return 'skipping log records in the spool that cannot be read back (torn by a kill mid-write, or damaged on disk)';
    default:
      return `dropping log records (${reason})`;
  }
}
