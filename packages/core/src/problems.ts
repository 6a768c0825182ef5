import { diag } from '@opentelemetry/api';
import { secretScrubber } from './scrub.ts';

export type ProblemLevel = 'warn' | 'error';

/**
 * Writes one report to `diag` (the application's configured logger), unless redirected. Every report passes here,
 * so this is where secrets are scrubbed from them (a worker's reports are scrubbed in the worker and again here).
 */
export function emitProblem(redirected: ((level: ProblemLevel, text: string) => void) | undefined, level: ProblemLevel, text: string): void {
  const clean = secretScrubber.scrub(text);
  if (redirected) redirected(level, clean);
  else if (level === 'warn') diag.warn(clean);
  else diag.error(clean);
}

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

  private redirected: ((level: ProblemLevel, text: string) => void) | undefined;

  warn(key: string, message: string): void {
    this.report(key, message, 'warn');
  }

  error(key: string, message: string): void {
    this.report(key, message, 'error');
  }

  /** Sends the reports elsewhere instead of `diag` (a worker thread hands them to the application's thread). */
  redirect(emit: (level: ProblemLevel, text: string) => void): void {
    this.redirected = emit;
  }

  private report(key: string, message: string, level: ProblemLevel): void {
    const now = Date.now();
    const seen = this.lastReported.get(key);
    if (seen && now - seen.at < this.repeatAfterMillis) {
      seen.suppressed++;
      return;
    }
    const again = seen && seen.suppressed > 0 ? ` (${seen.suppressed} more times since the last report)` : '';
    this.lastReported.set(key, { at: now, suppressed: 0 });
    emitProblem(this.redirected, level, `${this.prefix}: ${message}${again}`);
  }
}
