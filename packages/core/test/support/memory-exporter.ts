import {
  ConstraintAwareExporter,
  renderAnyValue,
  truncateUtf8,
  utf8ByteLength,
  type ConstraintAwareExporterOptions,
  type Destination,
  type DestinationDefaults,
  type EncodedBatch,
  type EncodedRecord,
  type InvalidEvent,
  type LogEntry,
  type ProviderLimits,
  type RequestFrame,
  type SendContext,
  type SendOutcome,
} from '@otel-cloud-logs/core';

/** One record as the memory service received it (decoded from the request body). */
export interface MemoryEvent {
  readonly timeMillis: number;
  readonly size: number;
  readonly message: string;
}

type Behaviour = (destination: Destination, events: readonly MemoryEvent[], attempt: number) => SendOutcome | undefined;

function writeRecord(message: string, timeMillis: number, out: EncodedRecord): void {
  out.fragment = JSON.stringify({ t: timeMillis, m: message });
  out.fragmentBytes = utf8ByteLength(out.fragment);
  out.size = utf8ByteLength(message);
  out.timeMillis = timeMillis;
  out.frameKey = '';
}

/**
 * A provider exporter that keeps requests in memory. Its wire format is a JSON array of `{"t","m"}` records; each
 * request is decoded from the body that was sent and checked against the limits like a strict service.
 */
export class MemoryExporter extends ConstraintAwareExporter {
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

  encode(entry: LogEntry, out: EncodedRecord): InvalidEvent | undefined {
    const message = renderAnyValue(entry.body);
    if (!message) return { invalid: 'empty_message', message: 'empty body' };
    writeRecord(message, entry.timeMillis, out);
    return undefined;
  }

  truncate(entry: LogEntry, maxSize: number, out: EncodedRecord): boolean {
    writeRecord(truncateUtf8(renderAnyValue(entry.body), maxSize), entry.timeMillis, out);
    return true;
  }

  frame(): RequestFrame {
    return { head: Buffer.from('['), separator: Buffer.from(','), tail: Buffer.from(']'), maxRequestBytes: this.limits.maxRequestBytes };
  }

  async send(destination: Destination, batch: EncodedBatch, context: SendContext): Promise<SendOutcome> {
    this.inFlightNow++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlightNow);
    try {
      if (this.sendDelayMillis > 0) await new Promise((resolve) => setTimeout(resolve, this.sendDelayMillis));
      const events = decode(batch.body());
      const override = this.behaviour?.(destination, events, context.attempt);
      if (override) return override;
      if (context.signal.aborted) return { status: 'retry', error: new Error('aborted') };
      this.assertValid(events);
      this.requests.push({ destination, events });
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
    if (bytes > limits.maxRequestBytes && events.length > 1) throw new Error(`request too large: ${bytes}`);
    if (limits.maxSpanMillis !== undefined) {
      const times = events.map((e) => e.timeMillis);
      if (Math.max(...times) - Math.min(...times) > limits.maxSpanMillis) throw new Error('span too long');
    }
  }
}

/** The records of a memory request body, in the order sent. */
export function decode(body: Buffer): MemoryEvent[] {
  return (JSON.parse(body.toString('utf8')) as { t: number; m: string }[]).map(({ t, m }) => ({ timeMillis: t, size: utf8ByteLength(m), message: m }));
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
