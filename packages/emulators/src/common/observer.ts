import type { FaultKind } from './faults.ts';
import type { EmulatorRequest, EmulatorResponse } from './exchange.ts';

/** One request as an emulator answered it: what the console's charts are drawn from. */
export interface ObservedExchange {
  readonly operation: string;
  readonly request: EmulatorRequest;
  /** The injected fault that answered instead of the service logic (a `reset` has no response). */
  readonly fault?: FaultKind;
  readonly response?: EmulatorResponse;
}

/** Told about every request once it is answered; errors it throws are ignored. */
export type ExchangeObserver = (exchange: ObservedExchange) => void;
