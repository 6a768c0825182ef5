import type { SelfMetricsSnapshot } from '@otel-cloud-logs/core';
import type { PipelineStats } from '../pipeline.ts';

/** The gateway's own counters. */
export interface GatewayCounters {
  /** HTTP responses to `/v1/logs`, by status code. */
  readonly responses: Readonly<Record<string, number>>;
  /** `/v1/logs` request bodies read, by encoding and compression: `json`, `json+gzip`, `protobuf+zstd`... */
  readonly requests: Readonly<Record<string, number>>;
  readonly receivedRecords: number;
  /** Records reported back to clients as rejected (partial success). */
  readonly rejectedRecords: number;
  /** Bytes requests hold now against `max_inflight_bytes` (bodies read, decompressed, decoded estimate). */
  readonly inflightBytes: number;
  /** The most they ever held at once. */
  readonly peakInflightBytes: number;
}

/** Everything `/metrics` serves (the JSON form). */
export interface GatewayMetrics {
  readonly exporters: Readonly<Record<string, SelfMetricsSnapshot>>;
  readonly pipelines: Readonly<Record<string, PipelineStats>>;
  readonly gateway: GatewayCounters;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  if (Object.keys(pairs).length === 0) return '';
  return `{${Object.entries(pairs)
    .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
    .join(',')}}`;
}

/** Renders the metrics in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(metrics: GatewayMetrics): string {
  const lines: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [pairs, value] of samples) lines.push(`${name}${labels(pairs)} ${value}`);
  };
  const exporters = Object.entries(metrics.exporters);
  const perExporter = (pick: (snapshot: SelfMetricsSnapshot) => number) => exporters.map(([exporter, s]): [Record<string, string>, number] => [{ exporter }, pick(s)]);
  const byReason = (pick: (snapshot: SelfMetricsSnapshot) => Readonly<Record<string, number>>) =>
    exporters.flatMap(([exporter, s]) => Object.entries(pick(s)).map(([reason, value]): [Record<string, string>, number] => [{ exporter, reason }, value]));

  family('otel_cloud_logs_exported_records_total', 'counter', 'Log records accepted by the service', perExporter((s) => s.exported));
  family('otel_cloud_logs_dropped_records_total', 'counter', 'Log records not sent, by reason', byReason((s) => s.dropped));
  family('otel_cloud_logs_rejected_records_total', 'counter', 'Log records refused by the service, by reason', byReason((s) => s.rejected));
  family('otel_cloud_logs_truncated_records_total', 'counter', 'Log records shortened to the event size limit', perExporter((s) => s.truncated));
  family('otel_cloud_logs_requests_total', 'counter', 'Successful export requests', perExporter((s) => s.requests));
  family('otel_cloud_logs_request_bytes_total', 'counter', 'Bytes of successful export requests, counted the service way', perExporter((s) => s.requestBytes));
  family('otel_cloud_logs_retried_requests_total', 'counter', 'Export requests retried', perExporter((s) => s.retriedRequests));
  family('otel_cloud_logs_throttled_requests_total', 'counter', 'Export requests throttled by the service', perExporter((s) => s.throttledRequests));
  family('otel_cloud_logs_queue_bytes', 'gauge', 'Bytes of log records queued or in flight', perExporter((s) => s.queueBytes));
  family('otel_cloud_logs_queue_records', 'gauge', 'Log records queued or in flight', perExporter((s) => s.queueRecords));

  const pipelines = Object.values(metrics.pipelines);
  family('otel_cloud_logs_pipeline_received_records_total', 'counter', 'Log records that entered a pipeline', pipelines.map((p) => [{ pipeline: p.name }, p.received]));
  family('otel_cloud_logs_pipeline_forwarded_records_total', 'counter', 'Log records queued to at least one exporter', pipelines.map((p) => [{ pipeline: p.name }, p.forwarded]));
  family(
    'otel_cloud_logs_pipeline_dropped_records_total',
    'counter',
    'Log records dropped by a processor (reason = processor name) or matching no route',
    pipelines.flatMap((p) => Object.entries(p.dropped).map(([reason, value]): [Record<string, string>, number] => [{ pipeline: p.name, reason }, value])),
  );
  family('otel_cloud_logs_pipeline_refused_records_total', 'counter', 'Log records every target exporter refused', pipelines.map((p) => [{ pipeline: p.name }, p.refused]));

  const gateway = metrics.gateway;
  family('otel_cloud_logs_gateway_responses_total', 'counter', 'Responses to POST /v1/logs, by HTTP status', Object.entries(gateway.responses).map(([code, value]) => [{ code }, value]));
  family(
    'otel_cloud_logs_gateway_requests_total',
    'counter',
    'Request bodies read on /v1/logs, by encoding and compression',
    Object.entries(gateway.requests).map(([key, value]) => {
      const [encoding = key, compression = 'none'] = key.split('+');
      return [{ encoding, compression }, value];
    }),
  );
  family('otel_cloud_logs_gateway_received_records_total', 'counter', 'Log records received over OTLP', [[{}, gateway.receivedRecords]]);
  family('otel_cloud_logs_gateway_rejected_records_total', 'counter', 'Log records reported to clients as rejected', [[{}, gateway.rejectedRecords]]);
  family('otel_cloud_logs_gateway_inflight_bytes', 'gauge', 'Bytes requests hold against max_inflight_bytes (read, decompressed, decoded estimate)', [[{}, gateway.inflightBytes]]);
  family('otel_cloud_logs_gateway_inflight_bytes_peak', 'gauge', 'The most bytes requests ever held at once', [[{}, gateway.peakInflightBytes]]);
  return `${lines.join('\n')}\n`;
}
