import { OtlpHttpError } from '../otlp/request.ts';

const MIB = 1024 * 1024;

function describeBytes(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * The memory requests hold at once, over every receiver: body bytes as they are read, decompressed bytes, and
 * the estimate of what a body decodes to, taken before decoding it. A request that would pass the bound is
 * refused instead of taking the memory: 413 when it alone would (it can never be served whole), 429 when the
 * others' share leaves no room for it (it can be retried).
 */
export class InflightBudget {
  readonly maxBytes: number;
  private held = 0;
  private peak = 0;

  constructor(maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError('backpressure.maxInflightBytes must be a positive number of bytes');
    this.maxBytes = maxBytes;
  }

  /** Bytes held now. */
  get heldBytes(): number {
    return this.held;
  }

  /** The most ever held at once: never above `maxBytes`. */
  get peakBytes(): number {
    return this.peak;
  }

  /** The share of one request; release it when the request is answered. */
  open(): RequestShare {
    return new RequestShare(this);
  }

  /** @internal */
  take(share: RequestShare, bytes: number, what: string): void {
    if (share.heldBytes + bytes > this.maxBytes) {
      throw new OtlpHttpError(
        413,
        `the request needs about ${describeBytes(share.heldBytes + bytes)} once ${what}, more than service.backpressure.max_inflight_bytes (${this.maxBytes} bytes); send smaller batches (fewer records, resources or attributes per request), or raise max_inflight_bytes`,
      );
    }
    if (this.held + bytes > this.maxBytes) {
      throw new OtlpHttpError(429, `the gateway is holding more than max_inflight_bytes (${this.maxBytes} bytes) of requests at once; retry later`);
    }
    this.held += bytes;
    if (this.held > this.peak) this.peak = this.held;
  }

  /** @internal */
  give(bytes: number): void {
    this.held -= bytes;
  }
}

export class RequestShare {
  private readonly budget: InflightBudget;
  private held = 0;

  constructor(budget: InflightBudget) {
    this.budget = budget;
  }

  get heldBytes(): number {
    return this.held;
  }

  /** Takes `bytes` more for this request, or throws the 413/429 that refuses it. `what`: "read", "decoded"... */
  reserve(bytes: number, what: string): void {
    this.budget.take(this, bytes, what);
    this.held += bytes;
  }

  release(): void {
    this.budget.give(this.held);
    this.held = 0;
  }
}
