import {
  ConstraintAwareExporter,
  renderAnyValue,
  truncateUtf8,
  utf8ByteLength,
  type ConstraintAwareExporterOptions,
  type Destination,
  type DestinationDefaults,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
  type SendContext,
  type SendOutcome,
  type WireEvent,
} from '@otel-cloud-logs/core';

export interface MemoryEvent extends WireEvent {
  readonly message: string;
}

type Behaviour = (destination: Destination, events: readonly MemoryEvent[], attempt: number) => SendOutcome<MemoryEvent> | undefined;

/** A provider exporter that keeps requests in memory: checks each one against its limits like a strict service. */
export class MemoryExporter extends ConstraintAwareExporter<MemoryEvent> {
  readonly limits: ProviderLimits;
  readonly requests: { destination: Destination; events: readonly MemoryEvent[] }[] = [];
  /** Return an outcome to override the default 'accepted' for one call. */
  behaviour: Behaviour | undefined;
  sendDelayMillis = 0;
  inFlightNow = 0;
  maxInFlight = 0;

  constructor(limits: ProviderLimits, options: ConstraintAwareExporterOptions = {}) {
    super('memory', options);
    this.limits = limits;
    this.validate();
  }

  get destinationDefaults(): DestinationDefaults {
    return { logGroup: 'default-group', logStream: 'default-stream' };
  }

  checkDestination(destination: Destination): string | undefined {
    return destination.logStream.includes('*') ? `stream ${destination.logStream} contains '*'` : undefined;
  }

  encode(entry: LogEntry): MemoryEvent | InvalidEvent {
    const message = renderAnyValue(entry.body);
    if (!message) return { invalid: 'empty_message', message: 'empty body' };
    return { timeMillis: entry.timeMillis, size: utf8ByteLength(message), message };
  }

  truncate(event: MemoryEvent, maxSize: number): MemoryEvent | undefined {
    const message = truncateUtf8(event.message, maxSize);
    return { ...event, message, size: utf8ByteLength(message) };
  }

  async send(destination: Destination, events: readonly MemoryEvent[], context: SendContext): Promise<SendOutcome<MemoryEvent>> {
    this.inFlightNow++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlightNow);
    try {
      if (this.sendDelayMillis > 0) await new Promise((resolve) => setTimeout(resolve, this.sendDelayMillis));
      const override = this.behaviour?.(destination, events, context.attempt);
      if (override) return override;
      if (context.signal.aborted) return { status: 'retry', error: new Error('aborted') };
      this.assertValid(events);
      this.requests.push({ destination, events: [...events] });
      return { status: 'accepted' };
    } finally {
      this.inFlightNow--;
    }
  }

  messages(destination?: Partial<Destination>): string[] {
    return this.requests
      .filter((r) => !destination || (r.destination.logGroup === destination.logGroup && r.destination.logStream === destination.logStream))
      .flatMap((r) => r.events.map((e) => e.message));
  }

  private assertValid(events: readonly MemoryEvent[]): void {
    const limits = this.limits;
    if (events.length === 0 || events.length > limits.maxEventsPerRequest) throw new Error(`bad event count ${events.length}`);
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      bytes += events[i]!.size + limits.perEventOverheadBytes;
      if (events[i]!.size > limits.maxEventBytes) throw new Error('event too large');
      if (limits.chronological && i > 0 && events[i]!.timeMillis < events[i - 1]!.timeMillis) throw new Error('not chronological');
    }
    if (bytes > limits.maxRequestBytes) throw new Error(`request too large: ${bytes}`);
    if (limits.maxSpanMillis !== undefined) {
      const times = events.map((e) => e.timeMillis);
      if (Math.max(...times) - Math.min(...times) > limits.maxSpanMillis) throw new Error('span too long');
    }
  }
}

export const HOUR = 3_600_000;

export function smallLimits(overrides: Partial<ProviderLimits> = {}): ProviderLimits {
  return {
    maxRequestBytes: 10_000,
    perEventOverheadBytes: 26,
    maxEventsPerRequest: 100,
    maxEventBytes: 2_000,
    maxSpanMillis: 24 * HOUR,
    chronological: true,
    maxAgeMillis: 14 * 24 * HOUR,
    maxFutureMillis: 2 * HOUR,
    timeWindowMarginMillis: 60_000,
    ...overrides,
  };
}
