import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];

/** Keeps spans in memory only long enough to give log records their trace and span ids. */
const correlationOnly: SpanProcessor = {
  onStart: () => {},
  onEnd: () => {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

/**
 * The `spanProcessors` to give NodeSDK when the app exports logs only. NodeSDK creates a TracerProvider only when
 * it has span processors, and without one there are no spans, so no trace ids in the logs; with none configured it
 * would export traces over OTLP to localhost:4318. When OTEL_TRACES_EXPORTER is set, the SDK's own choice is kept.
 */
export function spanProcessorsForLogCorrelation(env: Readonly<Record<string, string | undefined>> = process.env): SpanProcessor[] | undefined {
  return env.OTEL_TRACES_EXPORTER ? undefined : [correlationOnly];
}

/**
 * The `metricReaders` to give NodeSDK when the app exports logs only: none, unless OTEL_METRICS_EXPORTER asks for
 * some. Left to its defaults, NodeSDK would export metrics over OTLP to localhost:4318 and its shutdown would wait
 * for that export to fail.
 */
export function metricReadersForLogsOnly(env: Readonly<Record<string, string | undefined>> = process.env): [] | undefined {
  return env.OTEL_METRICS_EXPORTER ? undefined : [];
}
