import { deliver, type DeliveryTarget } from './delivery.ts';
import type { EncodedBatch } from './encoded-batch.ts';
import type { Destination } from './model.ts';

/** A sealed request waiting for, or in, delivery. */
export interface SealedRequest {
  /** Order of sealing: a flush waits for the requests sealed up to its call, not for later ones. */
  readonly seq: number;
  readonly destination: Destination;
  readonly batch: EncodedBatch;
  readonly records: number;
  /** Bytes it holds against the processor's memory bound. */
  readonly queueBytes: number;
}

/** Where the processor hands sealed requests: delivery on this thread, or in a worker thread. */
export interface Dispatcher {
  /** Delivers a request; resolves once every record in it has its fate counted. Never rejects. */
  dispatch(request: SealedRequest, deadlineAt: number): Promise<void>;
  /** Cuts short every request in flight and every retry wait (shutdown deadline passed). */
  abort(reason: Error): void;
  close(): Promise<void>;
}

/** Delivery on the application's own thread. */
export class InThreadDispatcher implements Dispatcher {
  private readonly target: DeliveryTarget;
  private readonly controller = new AbortController();

  constructor(target: DeliveryTarget) {
    this.target = target;
  }

  dispatch(request: SealedRequest, deadlineAt: number): Promise<void> {
    return deliver(this.target, request.destination, request.batch, { deadlineAt, signal: this.controller.signal }).then(
      () => undefined,
      () => undefined,
    );
  }

  abort(reason: Error): void {
    this.controller.abort(reason);
  }

  async close(): Promise<void> {}
}
