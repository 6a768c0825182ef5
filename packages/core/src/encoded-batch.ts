import { varintLength, writeVarint } from './varint.ts';

/**
 * The bytes around the records of one request: `head` fragment `separator` fragment … `tail`. A provider builds
 * it once per destination (and, where the wire format nests records, per resource and scope).
 */
export interface RequestFrame {
  readonly head: Buffer;
  readonly separator: Buffer;
  readonly tail: Buffer;
  /** The budget of one request of this frame, in the planner's unit (Σ event size + per-event overhead). */
  readonly maxRequestBytes: number;
  /**
   * For wire formats that nest the records in length-prefixed messages (protobuf), whose prefixes depend on
   * the records' total: the openings of those messages, outermost first. The body is then
   * `opening₀ length₀ opening₁ length₁ … head records tail`, where lengthᵢ is a base-128 varint of the byte
   * count from after it to the end of the body, written when the body is built.
   */
  readonly lengthDelimited?: readonly Buffer[];
}

/** Bytes reserved in front of the head for a frame's length-prefixed openings (a varint of a length takes ≤ 5). */
function prefixRoom(frame: RequestFrame): number {
  let room = 0;
  for (const opening of frame.lengthDelimited ?? []) room += opening.length + 5;
  return room;
}

/**
 * Writes the openings and their lengths so that they end exactly at `end` (where the head starts) and returns
 * where they start; `inner` is the byte count from `end` to the end of the body.
 */
function writeLengthPrefixes(openings: readonly Buffer[], target: Buffer, end: number, inner: number): number {
  // Lengths from the innermost message out: each covers its own opening-free content plus everything nested.
  const lengths: number[] = [];
  let covered = inner;
  for (let i = openings.length - 1; i >= 0; i--) {
    lengths[i] = covered;
    covered += openings[i]!.length + varintLength(covered);
  }
  let at = end - (covered - inner);
  const start = at;
  for (let i = 0; i < openings.length; i++) {
    at += openings[i]!.copy(target, at);
    at = writeVarint(target, at, lengths[i]!);
  }
  return start;
}

const INITIAL_CAPACITY = 16 * 1024;
const INITIAL_SLOTS = 64;

/**
 * Buffers of delivered requests, kept for the next ones: in a steady stream every request reuses the memory of an
 * earlier one, so no megabyte of external memory is allocated per request (V8 answers growing external memory
 * with full garbage collections, pauses of tens of milliseconds in a busy application).
 */
const pooledBuffers: Buffer[] = [];
const MAX_POOLED_BUFFERS = 16;
const MAX_POOLED_BYTES = 4 * 1024 * 1024;

function takeBuffer(size: number): Buffer {
  for (let i = pooledBuffers.length - 1; i >= 0; i--) {
    if (pooledBuffers[i]!.length >= size) return pooledBuffers.splice(i, 1)[0]!;
  }
  return Buffer.allocUnsafeSlow(size);
}

function giveBack(buffer: Buffer): void {
  if (buffer.length > MAX_POOLED_BYTES || buffer.length < INITIAL_CAPACITY) return;
  if (pooledBuffers.length >= MAX_POOLED_BUFFERS) pooledBuffers.shift();
  pooledBuffers.push(buffer);
}

const EMPTY = Buffer.alloc(0);

/**
 * The records of one request, each already encoded once into its wire fragment and written back to back after
 * the frame's head, separated as on the wire: the request body is these bytes plus the tail, never re-serialised.
 * Per record only three numbers are kept (end offset, time, size as the service counts it), in typed arrays.
 */
export class EncodedBatch {
  readonly frame: RequestFrame;
  /** Owned memory (never a slice of Node's shared pool, which would keep unrelated buffers alive). */
  private data: Buffer;
  private used: number;
  private ends: Uint32Array;
  private times: Float64Array;
  private sizes: Uint32Array;
  /** Spool sequence numbers (0 without a spool): what the spool acknowledges once the request is finished. */
  private seqs: Float64Array;
  private count = 0;
  private serviceBytes = 0;
  private inOrder = true;
  private minTime = Infinity;
  private maxTime = -Infinity;
  private readonly perEventOverhead: number;
  /** Where the head starts: room before it for length-prefixed openings (0 without). */
  private readonly headAt: number;
  /** Where the first record starts. */
  private readonly recordsAt: number;
  private sealedBody: Buffer | undefined;

  constructor(frame: RequestFrame, perEventOverheadBytes: number, capacityHint = INITIAL_CAPACITY) {
    this.frame = frame;
    this.perEventOverhead = perEventOverheadBytes;
    this.headAt = prefixRoom(frame);
    this.recordsAt = this.headAt + frame.head.length;
    this.data = takeBuffer(Math.max(capacityHint, this.recordsAt + frame.tail.length + 64));
    frame.head.copy(this.data, this.headAt);
    this.used = this.recordsAt;
    this.ends = new Uint32Array(INITIAL_SLOTS);
    this.times = new Float64Array(INITIAL_SLOTS);
    this.sizes = new Uint32Array(INITIAL_SLOTS);
    this.seqs = new Float64Array(INITIAL_SLOTS);
  }

  /** Records in the batch. */
  get length(): number {
    return this.count;
  }

  /** Request size as the service counts it: Σ (event size + per-event overhead). */
  get requestBytes(): number {
    return this.serviceBytes;
  }

  /** Bytes held for the records (their wire fragments and separators): what the memory bound counts. */
  get heldBytes(): number {
    return this.used - this.recordsAt;
  }

  /** Bytes of the record fragments alone (without separators). */
  get fragmentBytes(): number {
    return this.used - this.recordsAt - (this.count > 1 ? (this.count - 1) * this.frame.separator.length : 0);
  }

  get earliestTime(): number {
    return this.minTime;
  }

  get latestTime(): number {
    return this.maxTime;
  }

  timeAt(index: number): number {
    return this.times[index]!;
  }

  sizeAt(index: number): number {
    return this.sizes[index]!;
  }

  /** The records' spool sequence numbers (a copy). */
  sequences(): Float64Array {
    return this.seqs.slice(0, this.count);
  }

  /** The wire fragment of one record (a view, not a copy). */
  fragmentAt(index: number): Buffer {
    const start = index === 0 ? this.recordsAt : this.ends[index - 1]! + this.frame.separator.length;
    return this.data.subarray(start, this.ends[index]!);
  }

  /** Appends a record's fragment (a string encoded here, once, as UTF-8) with its time and service-counted size. */
  append(fragment: string, fragmentBytes: number, size: number, timeMillis: number, sequence = 0): void {
    const separator = this.count === 0 ? 0 : this.frame.separator.length;
    this.reserve(separator + fragmentBytes);
    if (separator > 0) this.used += this.frame.separator.copy(this.data, this.used);
    this.used += this.data.write(fragment, this.used, fragmentBytes, 'utf8');
    this.push(size, timeMillis, sequence);
  }

  /** Appends a fragment that already is bytes (e.g. copied from another batch). */
  appendBytes(fragment: Uint8Array, size: number, timeMillis: number, sequence = 0): void {
    const separator = this.count === 0 ? 0 : this.frame.separator.length;
    this.reserve(separator + fragment.length);
    if (separator > 0) this.used += this.frame.separator.copy(this.data, this.used);
    this.data.set(fragment, this.used);
    this.used += fragment.length;
    this.push(size, timeMillis, sequence);
  }

  /**
   * Appends `length` bytes of `source` from `start` as a fragment (a codec's scratch, a record's own buffer, a
   * chunk of records encoded on another thread).
   */
  appendFrom(source: Buffer, length: number, size: number, timeMillis: number, sequence = 0, start = 0): void {
    const separator = this.count === 0 ? 0 : this.frame.separator.length;
    this.reserve(separator + length);
    if (separator > 0) this.used += this.frame.separator.copy(this.data, this.used);
    this.used += source.copy(this.data, this.used, start, start + length);
    this.push(size, timeMillis, sequence);
  }

  /**
   * Hands the batch's memory back for later requests. Only once the request is finished (delivered, refused or
   * dropped): the batch and its body must not be used afterwards.
   */
  recycle(): void {
    const data = this.data;
    this.data = EMPTY;
    this.sealedBody = undefined;
    this.count = 0;
    this.used = 0;
    giveBack(data);
  }

  /** Whether the records are in chronological order (stable for equal times). */
  get inTimeOrder(): boolean {
    return this.inOrder;
  }

  /** The request body: (length-prefixed openings,) head, fragments and tail. Built once and reused unchanged on every retry. */
  body(): Buffer {
    if (!this.sealedBody) {
      this.reserve(this.frame.tail.length);
      this.frame.tail.copy(this.data, this.used);
      const end = this.used + this.frame.tail.length;
      const openings = this.frame.lengthDelimited;
      const start = openings && openings.length > 0 ? writeLengthPrefixes(openings, this.data, this.headAt, end - this.headAt) : 0;
      this.sealedBody = this.data.subarray(start, end);
    }
    return this.sealedBody;
  }

  /** A new batch of the records for which `keep(index)` is true, in their order (for partial resends). */
  filter(keep: (index: number) => boolean): EncodedBatch {
    const indices: number[] = [];
    for (let i = 0; i < this.count; i++) if (keep(i)) indices.push(i);
    return this.copyOf(indices);
  }

  /** The batch in time order (stable for equal times): a copy. */
  sorted(): EncodedBatch {
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    return this.copyOf(order);
  }

  /** A new batch of the records at `indices`, in that order. */
  private copyOf(indices: readonly number[]): EncodedBatch {
    const out = new EncodedBatch(this.frame, this.perEventOverhead, this.used + this.frame.tail.length);
    for (const i of indices) out.appendBytes(this.fragmentAt(i), this.sizes[i]!, this.times[i]!, this.seqs[i]!);
    return out;
  }

  private push(size: number, timeMillis: number, sequence: number): void {
    if (this.count === this.ends.length) this.growSlots();
    this.ends[this.count] = this.used;
    this.seqs[this.count] = sequence;
    this.times[this.count] = timeMillis;
    this.sizes[this.count] = size;
    this.count++;
    if (timeMillis < this.maxTime) this.inOrder = false;
    this.serviceBytes += size + this.perEventOverhead;
    if (timeMillis < this.minTime) this.minTime = timeMillis;
    if (timeMillis > this.maxTime) this.maxTime = timeMillis;
  }

  private reserve(extra: number): void {
    const needed = this.used + extra;
    if (needed <= this.data.length) return;
    const grown = takeBuffer(Math.max(needed, this.data.length * 2));
    this.data.copy(grown, 0, 0, this.used);
    giveBack(this.data);
    this.data = grown;
  }

  private growSlots(): void {
    const size = Math.max(INITIAL_SLOTS, this.ends.length * 2);
    const ends = new Uint32Array(size);
    ends.set(this.ends);
    this.ends = ends;
    const times = new Float64Array(size);
    times.set(this.times);
    this.times = times;
    const sizes = new Uint32Array(size);
    sizes.set(this.sizes);
    this.sizes = sizes;
    const seqs = new Float64Array(size);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
