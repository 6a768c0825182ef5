import type { EmulatorRequest } from './exchange.ts';
import { mulberry32 } from './prng.ts';

/**
 * Faults an emulator can inject, so that tests prove the exporters survive them. Each rule applies to the
 * next `times` matching requests (or forever when `times` is omitted), optionally only to one operation.
 */
export type FaultKind =
  /** Answer with the provider's throttling error (CloudWatch ThrottlingException, HTTP 429 elsewhere). */
  | 'throttle'
  /** Answer 503 / the provider's "service unavailable" error. */
  | 'unavailable'
  /** Answer 500 / the provider's internal error. */
  | 'internal'
  /** Destroy the socket without answering (ECONNRESET on the client). */
  | 'reset'
  /** Wait `delayMillis` before handling the request normally. */
  | 'delay'
  /**
   * Refuse the request (the provider's access-denied error) with a message that quotes it whole: method, URL, every
   * header (signature and tokens included) and `echoText`, as a careless gateway might. For tests that no secret
   * reaches an error, a diag line or a metric.
   */
  | 'echo';

/** The faults that answer in the provider's format (the others reset the socket or only delay). */
export type AnsweringFaultKind = 'throttle' | 'unavailable' | 'internal' | 'echo';

export interface FaultRule {
  readonly kind: FaultKind;
  /** Operation name to match (e.g. 'PutLogEvents'); all operations when omitted. */
  readonly operation?: string;
  /** How many matching requests get the fault; every one when omitted. */
  times?: number;
  /** Probability (0–1) that a matching request gets the fault; 1 when omitted. */
  readonly probability?: number;
  /** For 'delay'. */
  readonly delayMillis?: number;
  /** Retry-After seconds to send with 'throttle' / 'unavailable' answers (where the provider sends it). */
  readonly retryAfterSeconds?: number;
  /** For 'echo': more text the refusal quotes (e.g. secrets the service should never repeat). */
  readonly echoText?: string;
}

/** Holds the fault rules of one emulator and decides, per request, which fault (if any) applies. */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private random: () => number;
  /** How many faults were injected, by kind. */
  readonly injected: Record<FaultKind, number> = { throttle: 0, unavailable: 0, internal: 0, reset: 0, delay: 0, echo: 0 };

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  /** Makes `probability` rules draw from a generator seeded with `seed`, so that a run's faults can be reproduced. */
  seed(seed: number): void {
    this.random = mulberry32(seed);
  }

  add(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules = [];
  }

  /** Copies of the rules still in force, in the order they are tried. */
  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** Drops the rule at `index` of `list()`; false when there is none there. */
  remove(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.rules.length) return false;
    this.rules.splice(index, 1);
    return true;
  }

  /** Picks the faults for one request: at most one delay plus at most one answering fault. */
  next(operation: string): { delay?: FaultRule; fault?: FaultRule } {
    let delay: FaultRule | undefined;
    let fault: FaultRule | undefined;
    for (const rule of this.rules) {
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.kind === 'delay' ? delay : fault) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.times !== undefined) rule.times--;
      this.injected[rule.kind]++;
      if (rule.kind === 'delay') delay = rule;
      else fault = rule;
    }
    this.rules = this.rules.filter((rule) => rule.times === undefined || rule.times > 0);
    return { delay, fault };
  }
}

/** What an 'echo' refusal quotes: the request line, the rule's `echoText` and the request's headers as JSON. */
export function echoedRequest(request: EmulatorRequest, rule: FaultRule): string {
  return `${request.method} ${request.url}${rule.echoText ? ` ${rule.echoText}` : ''} with headers ${JSON.stringify(request.headers)}`;
}
