import type { LogEntry } from '@otel-cloud-logs/core';

/**
 * One step of a pipeline: returns the (possibly changed) entry, or undefined to drop it. Drops are counted
 * under the processor's `name`. A processor never mutates its input: entries share resource objects.
 */
export interface LogProcessor {
  /** `type` or `type/name`, as in the configuration (e.g. `filter/no_debug`). */
  readonly name: string;
  process(entry: LogEntry): LogEntry | undefined;
}
