import { OtlpHttpError } from '../otlp/request.ts';

const MIB = 1024 * 1024;

function describeBytes(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** What one request holds of the budget. */
export interface RequestShare {
  /** Takes `bytes` more, or throws the 413/429 that refuses the request. `stage`: "read", "decoded"… */
  reserve(bytes: number, stage: string): void;
  /** Gives back everything this request took (when it has been answered). */
  release(): void;
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

  open(): RequestShare {
    let mine = 0;
    return {
      reserve: (bytes, stage) => {
        if (mine + bytes > this.maxBytes) {
          throw new OtlpHttpError(
            413,
            `the request needs about ${describeBytes(mine + bytes)} once ${stage}, more than service.backpressure.max_inflight_bytes (${this.maxBytes} bytes); send smaller batches (fewer records, resources or attributes per request), or raise max_inflight_bytes`,
          );
        }
        if (this.held + bytes > this.maxBytes) {
          throw new OtlpHttpError(429, `the gateway is holding more than max_inflight_bytes (${this.maxBytes} bytes) of requests at once; retry later`);
        }
        mine += bytes;
        this.held += bytes;
        if (this.held > this.peak) this.peak = this.held;
      },
      release: () => {
        this.held -= mine;
        mine = 0;
      },
    };
  }
}
