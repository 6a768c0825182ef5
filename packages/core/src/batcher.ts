import { fragmentSourceOf, type EncodedRecord, type RecordCodec } from './codec.ts';
import { EncodedBatch, type RequestFrame } from './encoded-batch.ts';
import { destinationKey, type Destination, type LogEntry } from './model.ts';

/** Upper bound of a new request's first allocation: idle destinations must not each hold a megabyte. */
const MAX_CAPACITY_HINT = 256 * 1024;

interface OpenRequest {
  readonly destination: Destination;
  readonly frameKey: string;
  /** Span-wide time slot (0 when the provider has no span rule). */
  readonly slot: number;
  readonly frame: RequestFrame;
  batch: EncodedBatch | undefined;
  openedAt: number;
  /** Bytes of the last sealed batch: the next one starts that large, so that it rarely has to grow. */
  capacityHint: number | undefined;
}

/**
 * Fills one request at a time per destination (and frame key and, when the provider limits the time span, per
 * span-wide time slot, so that shuffled timestamps still fill requests). A request is sealed the moment the next
 * record would not fit, or when it is full, so requests run full under load. Every record is appended once, as
 * bytes, to the request it travels in.
 */
export class Batcher {
  private readonly codec: RecordCodec;
  private readonly onSeal: (destination: Destination, batch: EncodedBatch) => void;
  private readonly open = new Map<string, OpenRequest[]>();
  private readonly timeSlots: boolean;

  /**
   * `timeSlots: false` when records arrive sorted by time (a planner): the span rule then seals a request only
   * where it must, instead of at every span-wide slot boundary.
   */
  constructor(codec: RecordCodec, onSeal: (destination: Destination, batch: EncodedBatch) => void, options: { readonly timeSlots?: boolean } = {}) {
    this.codec = codec;
    this.onSeal = onSeal;
    this.timeSlots = options.timeSlots ?? true;
  }

  /**
   * Adds a record that is valid on its own (inside the time window, within the event size limit); `sequence` is
   * its number in the spool, if there is one.
   */
  add(entry: LogEntry, record: EncodedRecord, now: number, sequence = 0): void {
    const open = this.openRequestFor(entry.destination, record.frameKey, record.timeMillis, entry, undefined);
    const batch = this.batchFor(open, record.size, record.timeMillis, now);
    const source = fragmentSourceOf(record);
    if (source) batch.appendFrom(source, record.fragmentBytes, record.size, record.timeMillis, sequence);
    else batch.append(record.fragment, record.fragmentBytes, record.size, record.timeMillis, sequence);
    this.sealIfFull(open, batch);
  }

  /**
   * Adds a record encoded before (read back from the spool, or encoded on another thread): its fragment, `length`
   * bytes of `source` from `start`, with the frame it was stored with.
   */
  addStored(stored: { readonly destination: Destination; readonly frameKey: string; readonly frame: RequestFrame }, source: Buffer, start: number, length: number, size: number, timeMillis: number, sequence: number, now: number): void {
    const open = this.openRequestFor(stored.destination, stored.frameKey, timeMillis, undefined, stored.frame);
    const batch = this.batchFor(open, size, timeMillis, now);
    batch.appendFrom(source, length, size, timeMillis, sequence, start);
    this.sealIfFull(open, batch);
  }

  /** The open batch a record of `size` at `timeMillis` fits in: the current one, or a new one after sealing it. */
  private batchFor(open: OpenRequest, size: number, timeMillis: number, now: number): EncodedBatch {
    let batch = open.batch;
    if (batch && !this.fits(batch, open.frame, size, timeMillis)) {
      this.seal(open);
      batch = undefined;
    }
    if (!batch) {
      batch = open.batch = new EncodedBatch(open.frame, this.codec.limits.perEventOverheadBytes, open.capacityHint);
      open.openedAt = now;
    }
    return batch;
  }

  private sealIfFull(open: OpenRequest, batch: EncodedBatch): void {
    if (batch.length >= this.codec.limits.maxEventsPerRequest || batch.requestBytes >= open.frame.maxRequestBytes) this.seal(open);
  }

  /** Seals every open request. */
  sealAll(): void {
    for (const list of this.open.values()) for (const open of list) this.seal(open);
  }

  /**
   * Seals the requests open for at least `delayMillis` and forgets idle destinations; returns when the oldest
   * request still open was opened (Infinity when none is).
   */
  sealDue(now: number, delayMillis: number): number {
    let earliestOpen = Infinity;
    for (const [key, list] of this.open) {
      for (let i = list.length - 1; i >= 0; i--) {
        const open = list[i]!;
        if (!open.batch) list.splice(i, 1); // idle since the last tick: forget it so the map stays small
        else if (now - open.openedAt >= delayMillis) this.seal(open);
        else earliestOpen = Math.min(earliestOpen, open.openedAt);
      }
      if (list.length === 0) this.open.delete(key);
    }
    return earliestOpen;
  }

  private fits(batch: EncodedBatch, frame: RequestFrame, size: number, timeMillis: number): boolean {
    const limits = this.codec.limits;
    if (batch.length === 0) return true;
    if (batch.length + 1 > limits.maxEventsPerRequest) return false;
    if (batch.requestBytes + size + limits.perEventOverheadBytes > frame.maxRequestBytes) return false;
    if (limits.maxSpanMillis !== undefined) {
      const span = Math.max(batch.latestTime, timeMillis) - Math.min(batch.earliestTime, timeMillis);
      if (span > limits.maxSpanMillis) return false;
    }
    return true;
  }

  private seal(open: OpenRequest): void {
    const batch = open.batch;
    if (!batch || batch.length === 0) return;
    open.batch = undefined;
    open.capacityHint = Math.min(MAX_CAPACITY_HINT, batch.heldBytes + open.frame.head.length + open.frame.tail.length);
    // Sorted here, once, so that the indices a service reports back are those of the body as sent.
    if (this.codec.limits.chronological && !batch.inTimeOrder) {
      const sorted = batch.sorted();
      batch.recycle();
      this.onSeal(open.destination, sorted);
    } else {
      this.onSeal(open.destination, batch);
    }
  }

  /** The open request for a destination, frame key and time slot; a new one framed by `frame` or for `entry`. */
  private openRequestFor(destination: Destination, frameKey: string, timeMillis: number, entry: LogEntry | undefined, frame: RequestFrame | undefined): OpenRequest {
    const span = this.codec.limits.maxSpanMillis;
    const slot = !this.timeSlots || span === undefined || span === 0 ? 0 : Math.floor(timeMillis / span);
    const key = destinationKey(destination);
    let list = this.open.get(key);
    if (!list) this.open.set(key, (list = []));
    for (const open of list) if (open.slot === slot && open.frameKey === frameKey) return open;
    const open: OpenRequest = {
      destination,
      frameKey,
      slot,
      frame: frame ?? this.codec.frame(destination, entry!),
      batch: undefined,
      openedAt: 0,
      capacityHint: undefined,
    };
    list.push(open);
    return open;
  }
}
