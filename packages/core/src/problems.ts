import { diag } from '@opentelemetry/api';

/**
 * Reports each kind of problem once through `diag` (never once per record): the counters carry the totals.
 * A problem is reported again after `repeatAfterMillis`, with how often it happened in between.
 */
export class ProblemReporter {
  private readonly lastReported = new Map<string, { at: number; suppressed: number }>();
  private readonly prefix: string;
  private readonly repeatAfterMillis: number;

  constructor(prefix: string, repeatAfterMillis = 5 * 60_000) {
    this.prefix = prefix;
    this.repeatAfterMillis = repeatAfterMillis;
  }

  warn(key: string, message: string): void {
    this.report(key, message, (text) => diag.warn(text));
  }

  error(key: string, message: string): void {
    this.report(key, message, (text) => diag.error(text));
  }

  private report(key: string, message: string, emit: (text: string) => void): void {
    const now = Date.now();
    const seen = this.lastReported.get(key);
    if (seen && now - seen.at < this.repeatAfterMillis) {
      seen.suppressed++;
      return;
    }
    const again = seen && seen.suppressed > 0 ? ` (${seen.suppressed} more times since the last report)` : '';
    this.lastReported.set(key, { at: now, suppressed: 0 });
    emit(`${this.prefix}: ${message}${again}`);
  }
}
