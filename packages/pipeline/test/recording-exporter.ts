import {
  ConstraintAwareExporter,
  renderAnyValue,
  truncateUtf8,
  utf8ByteLength,
  type AnyValue,
  type Destination,
  type DestinationDefaults,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
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

/** A provider exporter for tests: keeps what it was sent; `hold()` makes it slow until released. */
export class RecordingExporter extends ConstraintAwareExporter<RecordedEvent> {
  readonly limits: ProviderLimits;
  readonly requests: { destination: Destination; events: RecordedEvent[] }[] = [];
  private readonly defaults: DestinationDefaults;
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

  encode(entry: LogEntry): RecordedEvent | InvalidEvent {
    const message = renderAnyValue(entry.body);
    if (message === '') return { invalid: 'empty_message', message: 'empty body' };
    return { timeMillis: entry.timeMillis, size: utf8ByteLength(message), message, attributes: entry.attributes, entry };
  }

  truncate(event: RecordedEvent, maxSize: number): RecordedEvent | undefined {
    const message = truncateUtf8(event.message, maxSize);
    return { ...event, message, size: utf8ByteLength(message) };
  }

  async send(destination: Destination, events: readonly RecordedEvent[]): Promise<SendOutcome<RecordedEvent>> {
    await this.gate;
    this.requests.push({ destination, events: [...events] });
    return { status: 'accepted' };
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
