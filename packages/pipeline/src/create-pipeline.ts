import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { logEntryFromReadableLogRecord, type LogEntry, type SelfMetricsSnapshot } from '@otel-cloud-logs/core';
import type { LogCondition } from './condition.ts';
import { LogPipeline, type PipelineStats, type PipelineVerdict } from './pipeline.ts';
import type { LogProcessor } from './processors/types.ts';
import { ExporterSink, type AnyExporter, type BatchingOptions } from './sink.ts';

export interface ExporterRoute {
  /** Records matching this condition go to `exporters`; no condition matches every record. */
  readonly when?: LogCondition;
  readonly exporters: readonly AnyExporter[];
}

export interface PipelineOptions extends BatchingOptions {
  /** Run in order before batching. */
  readonly processors?: readonly LogProcessor[];
  /** Every record goes to these exporters, unless a route took it. */
  readonly exporters?: readonly AnyExporter[];
  /** Tried in order; the first route whose condition matches takes the record instead of `exporters`. */
  readonly routes?: readonly ExporterRoute[];
}

/**
 * The `LogRecordProcessor` returned by `createPipeline`: processors, routing, and one constraint-aware
 * batch processor per exporter.
 */
export class PipelineLogRecordProcessor implements LogRecordProcessor {
  readonly pipeline: LogPipeline;
  readonly sinks: readonly ExporterSink[];
  private readonly shutdownTimeoutMillis: number;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: PipelineOptions) {
    const { processors, exporters = [], routes = [], ...batching } = options;
    const sinkOf = new Map<AnyExporter, ExporterSink>();
    const taken = new Set<string>();
    const sinksFor = (list: readonly AnyExporter[]) =>
      list.map((exporter) => {
        let sink = sinkOf.get(exporter);
        if (!sink) {
          let name = exporter.name;
          for (let n = 2; taken.has(name); n++) name = `${exporter.name}#${n}`;
          taken.add(name);
          sink = new ExporterSink(name, exporter, batching);
          sinkOf.set(exporter, sink);
        }
        return sink;
      });
    this.pipeline = new LogPipeline({
      name: 'pipeline',
      processors,
      routes: routes.map((route) => ({ when: route.when, sinks: sinksFor(route.exporters) })),
      defaultSinks: sinksFor(exporters),
    });
    this.sinks = [...sinkOf.values()];
    this.shutdownTimeoutMillis = batching.shutdownTimeoutMillis ?? 30_000;
  }

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    this.process(logEntryFromReadableLogRecord(record));
  }

  /** Runs an entry that did not come from the SDK (e.g. decoded OTLP) through the pipeline. */
  process(entry: LogEntry): PipelineVerdict {
    if (this.shutdownPromise) {
      for (const sink of this.sinks) sink.exporter.metrics.recordDropped('shutdown');
      return { status: 'dropped', reason: 'shutdown' };
    }
    return this.pipeline.process(entry);
  }

  async forceFlush(options?: { timeoutMillis?: number }): Promise<void> {
    const timeoutMillis = options?.timeoutMillis ?? this.shutdownTimeoutMillis;
    await Promise.all(this.sinks.map((sink) => sink.flush(timeoutMillis)));
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= Promise.all(this.sinks.map((sink) => sink.shutdown())).then(() => undefined);
    return this.shutdownPromise;
  }

  /** The pipeline's counters (received, dropped by processor, refused). */
  stats(): PipelineStats {
    return this.pipeline.stats();
  }

  /** Each exporter's self-metrics, by exporter name. */
  exporterMetrics(): Record<string, SelfMetricsSnapshot> {
    return Object.fromEntries(this.sinks.map((sink) => [sink.name, sink.metrics()]));
  }
}

/**
 * Builds a pipeline (processors → one or several exporters, each with its own constraint-aware batching)
 * for `new NodeSDK({ logRecordProcessors: [createPipeline(...)] })` or `new LoggerProvider({ processors: [...] })`.
 */
export function createPipeline(options: PipelineOptions): PipelineLogRecordProcessor {
  return new PipelineLogRecordProcessor(options);
}
