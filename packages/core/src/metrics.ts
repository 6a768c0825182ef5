import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import { secretScrubber } from './scrub.ts';

/** Why a record was not sent. Records rejected by the service are counted separately, by the service's reason. */
export type DropReason =
  | 'too_old'
  | 'too_new'
  | 'oversize'
  | 'empty_message'
  | 'invalid_record'
  | 'invalid_destination'
  | 'queue_full'
  | 'retry_deadline_exceeded'
  | 'shutdown'
  /** The delivery worker thread (`thread: 'worker'`) failed while it held the records. */
  | 'worker_failed'
  /** A record in the spool could not be read back (torn by a kill mid-write, or damaged on disk). */
  | 'spool_corrupt';

export interface SelfMetricsSnapshot {
  /** Records the service accepted. */
  readonly exported: number;
  /** Records not sent, by reason. */
  readonly dropped: Readonly<Record<string, number>>;
  readonly droppedTotal: number;
  /** Records sent but refused by the service, by the service's reason. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
  /** Records shortened to the event size limit (they are still delivered). */
  readonly truncated: number;
  readonly requests: number;
  /** Bytes of the requests that succeeded, counted the provider's way (event sizes + per-event overhead). */
  readonly requestBytes: number;
  readonly retriedRequests: number;
  readonly throttledRequests: number;
  readonly queueBytes: number;
  readonly queueRecords: number;
}

/** The counters alone (no queue gauges): what a worker thread hands back to the application's thread. */
export interface SelfMetricsCounts {
  readonly exported: number;
  readonly truncated: number;
  readonly requests: number;
  readonly requestBytes: number;
  readonly retriedRequests: number;
  readonly throttledRequests: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly rejected: Readonly<Record<string, number>>;
}

function increment(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** A service's reason becomes a metric attribute: scrubbed once, when it is first counted. */
function countRejected(map: Map<string, number>, reason: string, by: number): void {
  increment(map, map.has(reason) ? reason : secretScrubber.scrub(reason), by);
}

function total(map: Map<string, number>): number {
  let sum = 0;
  for (const value of map.values()) sum += value;
  return sum;
}

/**
 * The pipeline's own counters, readable in code (`snapshot()`) and, when a MeterProvider is bound,
 * exported as `otel_cloud_logs.*` instruments with `exporter` and `reason` attributes.
 */
export class SelfMetrics {
  readonly exporterName: string;
  private exported = 0;
  private truncated = 0;
  private requests = 0;
  private requestBytes = 0;
  private retriedRequests = 0;
  private throttledRequests = 0;
  private readonly dropped = new Map<string, number>();
  private readonly rejected = new Map<string, number>();
  private readonly queueSources = new Set<() => { bytes: number; records: number }>();
  private readonly boundMeterProviders = new Set<MeterProvider>();

  constructor(exporterName: string) {
    this.exporterName = exporterName;
  }

  recordExported(count: number, bytes: number): void {
    this.exported += count;
    this.requests++;
    this.requestBytes += bytes;
  }
  recordDropped(reason: DropReason, count = 1): void {
    if (count > 0) increment(this.dropped, reason, count);
  }
  recordRejected(reason: string, count: number): void {
    if (count > 0) countRejected(this.rejected, reason, count);
  }
  recordTruncated(count = 1): void {
    this.truncated += count;
  }
  recordRetry(throttled: boolean): void {
    this.retriedRequests++;
    if (throttled) this.throttledRequests++;
  }
  /** A processor registers where its queue size can be read. */
  addQueueSource(source: () => { bytes: number; records: number }): () => void {
    this.queueSources.add(source);
    return () => this.queueSources.delete(source);
  }

  /** The counters now. */
  counts(): SelfMetricsCounts {
    return {
      exported: this.exported,
      truncated: this.truncated,
      requests: this.requests,
      requestBytes: this.requestBytes,
      retriedRequests: this.retriedRequests,
      throttledRequests: this.throttledRequests,
      dropped: Object.fromEntries(this.dropped),
      rejected: Object.fromEntries(this.rejected),
    };
  }

  /** What was counted between two `counts()`. */
  static difference(now: SelfMetricsCounts, before: SelfMetricsCounts): SelfMetricsCounts {
    const byReason = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
      const out: Record<string, number> = {};
      for (const [reason, value] of Object.entries(a)) if (value !== (b[reason] ?? 0)) out[reason] = value - (b[reason] ?? 0);
      return out;
    };
    return {
      exported: now.exported - before.exported,
      truncated: now.truncated - before.truncated,
      requests: now.requests - before.requests,
      requestBytes: now.requestBytes - before.requestBytes,
      retriedRequests: now.retriedRequests - before.retriedRequests,
      throttledRequests: now.throttledRequests - before.throttledRequests,
      dropped: byReason(now.dropped, before.dropped),
      rejected: byReason(now.rejected, before.rejected),
    };
  }

  /** Adds counts made elsewhere (by the exporter's twin in a worker thread). */
  add(counts: SelfMetricsCounts): void {
    this.exported += counts.exported;
    this.truncated += counts.truncated;
    this.requests += counts.requests;
    this.requestBytes += counts.requestBytes;
    this.retriedRequests += counts.retriedRequests;
    this.throttledRequests += counts.throttledRequests;
    for (const [reason, value] of Object.entries(counts.dropped)) increment(this.dropped, reason, value);
    for (const [reason, value] of Object.entries(counts.rejected)) countRejected(this.rejected, reason, value);
  }

  snapshot(): SelfMetricsSnapshot {
    let queueBytes = 0;
    let queueRecords = 0;
    for (const source of this.queueSources) {
      const queue = source();
      queueBytes += queue.bytes;
      queueRecords += queue.records;
    }
    return {
      exported: this.exported,
      dropped: Object.fromEntries(this.dropped),
      droppedTotal: total(this.dropped),
      rejected: Object.fromEntries(this.rejected),
      rejectedTotal: total(this.rejected),
      truncated: this.truncated,
      requests: this.requests,
      requestBytes: this.requestBytes,
      retriedRequests: this.retriedRequests,
      throttledRequests: this.throttledRequests,
      queueBytes,
      queueRecords,
    };
  }

  /** Publishes the counters through an OpenTelemetry MeterProvider (observable instruments, read at collection). */
  bindMeterProvider(meterProvider: MeterProvider): void {
    // Given to both the exporter and the processor, one provider must not observe every counter twice.
    if (this.boundMeterProviders.has(meterProvider)) return;
    this.boundMeterProviders.add(meterProvider);
    const meter = meterProvider.getMeter('@otel-cloud-logs/core');
    const base: Attributes = { exporter: this.exporterName };
    const byReason = (map: Map<string, number>) => (result: ObservableResult) => {
      for (const [reason, value] of map) result.observe(value, { ...base, reason });
    };
    meter
      .createObservableCounter('otel_cloud_logs.records.exported', { description: 'Log records accepted by the service', unit: '{record}' })
      .addCallback((result) => result.observe(this.exported, base));
    meter
      .createObservableCounter('otel_cloud_logs.records.dropped', { description: 'Log records not sent, by reason', unit: '{record}' })
      .addCallback(byReason(this.dropped));
    meter
      .createObservableCounter('otel_cloud_logs.records.rejected', { description: 'Log records refused by the service, by reason', unit: '{record}' })
      .addCallback(byReason(this.rejected));
    meter
      .createObservableCounter('otel_cloud_logs.records.truncated', { description: 'Log records shortened to the event size limit', unit: '{record}' })
      .addCallback((result) => result.observe(this.truncated, base));
    meter
      .createObservableCounter('otel_cloud_logs.requests', { description: 'Successful export requests', unit: '{request}' })
      .addCallback((result) => result.observe(this.requests, base));
    meter
      .createObservableCounter('otel_cloud_logs.requests.retried', { description: 'Export requests retried', unit: '{request}' })
      .addCallback((result) => result.observe(this.retriedRequests, base));
    meter
      .createObservableCounter('otel_cloud_logs.requests.throttled', { description: 'Export requests throttled by the service', unit: '{request}' })
      .addCallback((result) => result.observe(this.throttledRequests, base));
    meter
      .createObservableGauge('otel_cloud_logs.queue.size', { description: 'Bytes of log records waiting to be sent', unit: 'By' })
      .addCallback((result) => result.observe(this.snapshot().queueBytes, base));
  }
}
