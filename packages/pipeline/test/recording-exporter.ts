import {
  ConstraintAwareExporter,
  renderAnyValue,
  setFragment,
  truncateUtf8,
  utf8ByteLength,
  type AnyValue,
  type Destination,
  type DestinationDefaults,
  type EncodedBatch,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
  type RequestFrame,
  type SendOutcome,
} from '@otel-cloud-logs/core';

export interface RecordedEvent {
  readonly timeMillis: number;
  readonly size: number;
  readonly message: string;
  readonly attributes: Readonly<Record<string, AnyValue>>;
  /** The entry as the exporter received it. */
  readonly entry: LogEntry;
}

/**
 * A provider exporter for tests: keeps what it was sent; `hold()` makes it slow until released. Its wire fragment
 * is `[id, message]`; the entry each id stands for is kept aside, so tests can look at what the exporter received.
 */
export class RecordingExporter extends ConstraintAwareExporter {
  readonly limits: ProviderLimits;
  readonly requests: { destination: Destination; events: RecordedEvent[] }[] = [];
  private readonly defaults: DestinationDefaults;
  private readonly received = new Map<number, LogEntry>();
  private nextId = 0;
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(name: string, defaults: DestinationDefaults = { logGroup: 'default-group', logStream: 'default-stream' }, limits: Partial<ProviderLimits> = {}) {
    super(name, { retry: { initialDelayMillis: 10, maxDelayMillis: 20, deadlineMillis: 2_000 } });
    this.defaults = defaults;
    this.limits = {
      maxRequestBytes: 64 * 1024,
      perEventOverheadBytes: 10,
      maxEventsPerRequest: 100,
      maxEventBytes: 1024,
      chronological: false,
      timeWindowMarginMillis: 0,
      ...limits,
    };
    this.validate();
  }

  get destinationDefaults(): DestinationDefaults {
    return this.defaults;
  }

  checkDestination(destination: Destination): string | undefined {
    return destination.logGroup ? undefined : 'no log group';
  }

  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    const message = renderAnyValue(entry.body);
    if (message === '') return { invalid: 'empty_message', message: 'empty body' };
    this.write(entry, message, out);
    return undefined;
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    this.write(entry, truncateUtf8(renderAnyValue(entry.body), maxSize), out);
    return true;
  }

  frame(): RequestFrame {
    return { head: Buffer.from('['), separator: Buffer.from(','), tail: Buffer.from(']'), maxRequestBytes: this.limits.maxRequestBytes };
  }

  async send(destination: Destination, batch: EncodedBatch): Promise<SendOutcome> {
    await this.gate;
    const records = JSON.parse(batch.body().toString('utf8')) as [number, string][];
    const events = records.map(([id, message], index): RecordedEvent => {
      const entry = this.received.get(id)!;
      this.received.delete(id);
      return { timeMillis: batch.timeAt(index), size: batch.sizeAt(index), message, attributes: entry.attributes, entry };
    });
    this.requests.push({ destination, events });
    return { status: 'accepted' };
  }

  private write(entry: LogEntry, message: string, out: EncodedRecord): void {
    const id = this.nextId++;
    this.received.set(id, entry);
    setFragment(out, JSON.stringify([id, message]));
    out.size = utf8ByteLength(message);
    out.timeMillis = entry.timeMillis;
    out.frameKey = '';
  }

  /** Every event received, in arrival order. */
  events(): (RecordedEvent & { destination: Destination })[] {
    return this.requests.flatMap(({ destination, events }) => events.map((event) => ({ ...event, destination })));
  }

  /** Holds every send until `resume()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  resume(): void {
    this.release?.();
    this.gate = undefined;
  }
}
