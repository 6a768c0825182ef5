import type { EncodedBatch, RequestFrame } from './encoded-batch.ts';
import type { ProviderLimits } from './limits.ts';
import type { DropReason } from './metrics.ts';
import type { Destination, DestinationDefaults, LogEntry } from './model.ts';

/**
 * One record encoded by a provider: written into a scratch object that the caller reuses, so that encoding a
 * record allocates nothing but the fragment string itself.
 */
export interface EncodedRecord {
  /** The record's wire fragment, exactly as it goes into the request body (e.g. a PutLogEvents event object). */
  fragment: string;
  /** UTF-8 bytes of `fragment` (of the binary fragment when `binary`). */
  fragmentBytes: number;
  /**
   * The fragment is binary (e.g. a protobuf message), written by the codec into `bytes` (see
   * `binaryFragmentBuffer`); `fragment` is then ''.
   */
  binary: boolean;
  /** The record's own buffer for binary fragments, kept from record to record (undefined until first needed). */
  bytes: Buffer | undefined;
  /** Size the service counts for the record, without the per-event overhead (what the limits are in). */
  size: number;
  /** Event time in ms since the epoch (time window, span and order rules). */
  timeMillis: number;
  /**
   * Records with different frame keys never share a request ('' when the request frame depends on the destination
   * alone; e.g. the resource and scope where the wire format nests records under them).
   */
  frameKey: string;
}

/**
 * The UTF-8 bytes of the fragment last passed to `setFragment`: encoded once there (its length is what the codec
 * needs to know) and copied from here into the request, instead of being transcoded a second time.
 */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
let scratchFragment: string | undefined;
let scratchBytes = 0;

/** Sets a record's fragment and its UTF-8 byte length, encoding it once. */
export function setFragment(out: EncodedRecord, fragment: string): void {
  // At most 3 bytes per UTF-16 unit: the scratch always holds the whole fragment. One huge record must not keep a
  // huge scratch alive: it shrinks back once records are ordinary again.
  const needed = fragment.length * 3;
  if (needed > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(needed, scratch.length * 2));
  else if (scratch.length > 8 * 1024 * 1024 && needed < 1024 * 1024) scratch = Buffer.allocUnsafeSlow(1024 * 1024);
  scratchBytes = scratch.write(fragment, 0, 'utf8');
  scratchFragment = fragment;
  out.fragment = fragment;
  out.fragmentBytes = scratchBytes;
  out.binary = false;
}

/**
 * A buffer of at least `length` bytes owned by `out`, for a codec that writes a binary fragment into it and then
 * calls `setBinaryFragment`. The record keeps it for the next one (no allocation per record); one huge record
 * does not keep a huge buffer alive once records are ordinary again.
 */
export function binaryFragmentBuffer(out: EncodedRecord, length: number): Buffer {
  const current = out.bytes;
  const shrink = current !== undefined && current.length > 8 * 1024 * 1024 && length < 1024 * 1024;
  if (current && current.length >= length && !shrink) return current;
  out.bytes = Buffer.allocUnsafeSlow(shrink ? 1024 * 1024 : Math.max(length, 2 * (current?.length ?? 512)));
  return out.bytes;
}

/** Marks the first `length` bytes of `out.bytes` as the record's (binary) fragment. */
export function setBinaryFragment(out: EncodedRecord, length: number): void {
  out.fragment = '';
  out.fragmentBytes = length;
  out.binary = true;
}

/**
 * A buffer whose first `record.fragmentBytes` bytes are the record's fragment, when they are at hand (binary, or
 * the string `setFragment` encoded last), else undefined. The buffer itself, not a view of it: no object per record.
 */
export function fragmentSourceOf(record: EncodedRecord): Buffer | undefined {
  if (record.binary) return record.bytes;
  return record.fragment === scratchFragment && record.fragmentBytes === scratchBytes ? scratch : undefined;
}

/** A fresh scratch record. */
export function emptyEncodedRecord(): EncodedRecord {
  return { fragment: '', fragmentBytes: 0, binary: false, bytes: undefined, size: 0, timeMillis: 0, frameKey: '' };
}

/** A codec's verdict on a record it cannot turn into a valid event. */
export interface InvalidEvent {
  readonly invalid: DropReason;
  readonly message: string;
}

/**
 * How one provider turns records into request bytes: its limits, the fragment of each record and the frame around
 * them. Pure (no I/O), so it runs wherever the records are (the application thread) and is tested alone.
 */
export interface RecordCodec {
  readonly limits: ProviderLimits;
  /** The destination used when neither the record nor its resource carries routing attributes. */
  readonly destinationDefaults: DestinationDefaults;
  /** Why records for `destination` cannot be sent (e.g. a missing or invalid stream name), or undefined. */
  checkDestination(destination: Destination): string | undefined;
  /** Encodes one entry into `out`, or says why it cannot be sent. */
  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined;
  /** Encodes `entry` again cut to at most `maxSize` (a visible marker included); false when it cannot be cut. */
  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean;
  /** The frame of requests to `destination` for records like `entry` (same frame key). */
  frame(destination: Destination, entry: LogEntry): RequestFrame;
}

export interface SendContext {
  readonly signal: AbortSignal;
  readonly timeoutMillis: number;
  /** 0 for the first attempt. */
  readonly attempt: number;
  /** Epoch ms after which delivery stops retrying: where a provider's own retries inside a send (name lookups, creation) stop too. */
  readonly deadlineAt?: number;
}

/** How a provider classifies the answer to one request. */
export type SendOutcome =
  /** The service took the request; some events may have been refused individually (counted by reason). */
  | { readonly status: 'accepted'; readonly rejected?: ReadonlyArray<{ readonly reason: string; readonly count: number }> }
  /**
   * Worth trying again (throttling, 5xx, network). `remaining`: when the service took part of the request, the
   * indices (in the body's order) of the records still to send; the others count as exported.
   */
  | { readonly status: 'retry'; readonly error: Error; readonly throttled?: boolean; readonly retryAfterMillis?: number; readonly remaining?: readonly number[] }
  /** Will never succeed as sent (validation, auth): the events are counted as rejected with `reason`. */
  | { readonly status: 'failed'; readonly error: Error; readonly reason: string };

/** How one provider sends a request that already satisfies every limit: sign, send, classify. Must not throw. */
export interface RequestSender {
  send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome>;
}
