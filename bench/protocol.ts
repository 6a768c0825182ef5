// What the benchmark's processes tell each other: the orchestrator (pipeline.ts) hands one RunSpec to a child
// (run.ts) per measurement and gets one RunOutcome back; the sink (sink.ts) answers SinkStats per API.

/** The pipelines measured, in table order. */
export const PIPELINE_IDS = [
  'floor',
  'otlp-json',
  'otlp-proto',
  'cloudwatch',
  'cloudwatch-otlp',
  'cloudwatch-worker',
  'cloudwatch-spool',
  'lts',
  'lts-worker',
  'servicewatch',
  'servicewatch-worker',
] as const;
export type PipelineId = (typeof PIPELINE_IDS)[number];

export const PIPELINE_LABELS: Readonly<Record<PipelineId, string>> = {
  floor: 'SDK emit floor (processor does nothing)',
  'otlp-json': 'stock Batch + OTLP http/json',
  'otlp-proto': 'stock Batch + OTLP http/protobuf',
  cloudwatch: 'ours CloudWatchLogsExporter',
  'cloudwatch-otlp': 'ours CloudWatchLogsOtlpExporter (protobuf+gzip)',
  'cloudwatch-worker': "ours CloudWatchLogsExporter, thread 'worker'",
  'cloudwatch-spool': 'ours CloudWatchLogsExporter, spool on disk',
  lts: 'ours HuaweiLtsExporter',
  'lts-worker': "ours HuaweiLtsExporter, thread 'worker'",
  servicewatch: 'ours ServiceWatchLogsExporter',
  'servicewatch-worker': "ours ServiceWatchLogsExporter, thread 'worker'",
};

/** The sink's name for the API each pipeline sends to ('cloudwatch-otlp': CloudWatch's OTLP endpoint, `/v1/logs` with x-aws-log-group). */
export type SinkApi = 'cloudwatch' | 'cloudwatch-otlp' | 'huawei-lts' | 'servicewatch' | 'otlp-json' | 'otlp-proto' | 'other';

export const PIPELINE_API: Readonly<Record<PipelineId, SinkApi | undefined>> = {
  floor: undefined,
  'otlp-json': 'otlp-json',
  'otlp-proto': 'otlp-proto',
  cloudwatch: 'cloudwatch',
  'cloudwatch-otlp': 'cloudwatch-otlp',
  'cloudwatch-worker': 'cloudwatch',
  'cloudwatch-spool': 'cloudwatch',
  lts: 'huawei-lts',
  'lts-worker': 'huawei-lts',
  servicewatch: 'servicewatch',
  'servicewatch-worker': 'servicewatch',
};

export type WorkloadSpec =
  /** 60 % short lines, 30 % structured bodies, 10 % 2 KB multibyte lines, over 4 streams. */
  | { readonly kind: 'mix'; readonly records: number }
  /** Short text lines only, one stream. */
  | { readonly kind: 'short'; readonly records: number }
  /** Text lines of `recordBytes` UTF-8 bytes, round-robin over `destinations` streams. */
  | { readonly kind: 'sized'; readonly records: number; readonly recordBytes: number; readonly destinations: number };

export interface RunSpec {
  readonly pipeline: PipelineId;
  readonly workload: WorkloadSpec;
  /** `throughput`: emit as fast as the app can, in chunks; `paced`: a steady rate from a timer. */
  readonly mode: 'throughput' | 'paced';
  readonly origin: string;
  /** Records emitted per event-loop turn (throughput mode). */
  readonly chunk: number;
  /** Records per second (paced mode). */
  readonly pacedRate: number;
  /** The first this many of `workload.records` are emitted and flushed before the clock starts (a warm-up). */
  readonly warmUp: number;
}

export interface ExporterCounts {
  readonly exported: number;
  readonly requests: number;
  readonly requestBytes: number;
  readonly droppedTotal: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly rejectedTotal: number;
}

export interface RunMeasurement {
  readonly status: 'ok';
  readonly emitted: number;
  /** Records emitted (and delivered) before the measured phase: the warm-up. */
  readonly warmedUp: number;
  /** Building the pipeline until it answers a first flush (a worker thread's start-up), before the clock starts. */
  readonly startMs: number;
  /** First emit to provider.shutdown() resolved. */
  readonly wallMs: number;
  /** Paced mode: first to last emit. */
  readonly emitMs: number;
  /** The whole process (all threads), µs. */
  readonly processCpuMicros: number;
  /** The application's thread alone, µs; undefined where process.threadCpuUsage is missing. */
  readonly appThreadCpuMicros: number | undefined;
  readonly peakRssBytes: number;
  readonly rssBeforeBytes: number;
  /** Over the run (throughput) or the paced emission (paced), ms. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Samples of the delay histogram (about one per loop turn, at most one per ms): few means long turns. */
  readonly eventLoopDelaySamples: number;
  /** Our exporters' self-metrics after shutdown: exported and requests of the measured phase, drops of the whole run. */
  readonly exporter: ExporterCounts | undefined;
}

export type RunOutcome =
  | RunMeasurement
  | { readonly status: 'failed' | 'n/a'; readonly error: string };

/**
 * Between the warm-up and the measured phase the child says `warmed-up` and waits for `measure`: meanwhile the
 * orchestrator takes the sink's stats (read and reset in one step), so that requests, fill and the sink's CPU are
 * the measured phase's.
 */
export type FromRun = RunOutcome | { readonly status: 'warmed-up' };
export type ToRun = { readonly type: 'measure' };

export interface ApiStats {
  requests: number;
  /** Request body bytes as they came over the wire (compressed where the client gzips; headers not counted). */
  bytes: number;
  records: number;
  /** CloudWatch's request size: Σ(message UTF-8 bytes + 26). */
  cloudWatchBytes: number;
  /** Bodies that could not be parsed (their records are not counted). */
  parseErrors: number;
}

export type SinkStats = Partial<Record<SinkApi, ApiStats>>;

export type ToSink = { readonly type: 'reset' } | { readonly type: 'stats' } | { readonly type: 'take' };
/** `cpuMicros`: the sink process's CPU time (user + system) since the last reset. */
export type FromSink = { readonly type: 'ready'; readonly port: number } | { readonly type: 'stats'; readonly stats: SinkStats; readonly cpuMicros: number };
