import type { ServerResponse } from 'node:http';
import { escapeHtml, formatBytes, formatNumber, formatPercent, htmlTable, lineChart, panel, renderPage, tiles } from '@otel-cloud-logs/emulators/console-ui';
import { stringify } from 'yaml';
import type { SelfMetricsSnapshot } from '@otel-cloud-logs/core';
import type { PipelineStats } from '../pipeline.ts';
import type { ExporterSink } from '../sink.ts';
import { maskConfig } from './mask-config.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { GatewayOptions } from './options.ts';
import { StatusHistory, type ExporterSeries } from './status-history.ts';

/** What the status page reads of a running gateway. */
export interface StatusSource {
  readonly options: GatewayOptions;
  readonly metrics: () => GatewayMetrics;
  readonly urls: () => readonly string[];
}

const histories = new WeakMap<GatewayOptions, StatusHistory>();
const SPAN = '5 min';

/**
 * `GET /` and `/status`: the gateway's pipelines (receivers, processors, routes, exporters), live counters and
 * charts from its metrics, and the effective configuration with secrets masked; `/status/live` is the part that
 * refreshes. Returns false for any other path.
 */
export function serveStatusPage(url: URL, response: ServerResponse, source: StatusSource): boolean {
  if (url.pathname === '/favicon.ico') {
    response.writeHead(204).end();
    return true;
  }
  if (url.pathname !== '/' && url.pathname !== '/status' && url.pathname !== '/status/live') return false;
  let history = histories.get(source.options);
  if (!history) {
    const sinks = new Map(source.options.sinks.map((sink) => [sink.name, sink]));
    history = new StatusHistory(source.metrics, (name) => sinks.get(name)?.queueFill() ?? 0);
    histories.set(source.options, history);
  }
  history.touch();
  const html = url.pathname === '/status/live' ? liveFragment(source, history) : statusPage(source, history);
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(html);
  return true;
}

function statusPage(source: StatusSource, history: StatusHistory): string {
  const { options } = source;
  const receivers = new Map<string, string[]>();
  options.receivers.forEach((receiver, index) => {
    for (const pipeline of receiver.pipelines) receivers.set(pipeline.name, [...(receivers.get(pipeline.name) ?? []), `${receiver.name} ${source.urls()[index] ?? ''}/v1/logs`]);
  });
  const pipelines = [...new Set(options.receivers.flatMap((receiver) => receiver.pipelines))].map((pipeline) => {
    const parts = pipeline.describe();
    const list = (items: readonly string[], empty: string) => (items.length === 0 ? `<span class="muted">${empty}</span>` : items.map((item) => `<code>${escapeHtml(item)}</code>`).join(' → '));
    const routes = parts.routes.map((route) => `when <code>${escapeHtml(JSON.stringify(route.when ?? 'always'))}</code> → ${list(route.exporters, 'none')}`).join('<br>');
    return [`<b>${escapeHtml(parts.name)}</b>`, (receivers.get(parts.name) ?? []).map((item) => `<code>${escapeHtml(item)}</code>`).join('<br>'), list(parts.processors, 'none'), routes || '<span class="muted">none</span>', list(parts.exporters, 'none')];
  });
  const exporters = options.sinks.map((sink) => [`<code>${escapeHtml(sink.name)}</code>`, escapeHtml(sink.exporter.constructor.name), formatBytes(sink.exporter.limits.maxRequestBytes), formatNumber(sink.exporter.limits.maxEventsPerRequest)]);
  const config =
    options.effectiveConfig === undefined
      ? '<p class="muted">This gateway was built in code: there is no configuration file to show.</p>'
      : `<pre class="config" id="effective-config">${escapeHtml(stringify(maskConfig(options.effectiveConfig)))}</pre>`;
  return renderPage({
    title: 'otel-cloud-logs gateway',
    heading: 'otel-cloud-logs gateway',
    headerExtra: '<a href="/metrics">/metrics</a> <a href="/metrics?format=json">/metrics?format=json</a> <a href="/healthz">/healthz</a>',
    body: [
      panel('Pipelines', htmlTable(['pipeline', 'receivers', 'processors', 'routes (first match wins)', 'exporters (records no route took)'], pipelines)),
      panel('Exporters', htmlTable(['exporter', 'type', 'request limit', 'records per request'], exporters)),
      `<div data-live="/status/live" data-every="1000">${liveFragment(source, history)}</div>`,
      panel('Effective configuration (secrets masked)', config),
    ].join(''),
  });
}

/** A name as an HTML id: `logs/audit` → `logs_audit`. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function byReason(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, count]) => count > 0);
  return entries.length === 0 ? '<span class="muted">none</span>' : entries.map(([reason, count]) => `<span class="chip">${escapeHtml(reason)} ${formatNumber(count)}</span>`).join(' ');
}

function liveFragment(source: StatusSource, history: StatusHistory): string {
  const metrics = source.metrics();
  const gateway = metrics.gateway;
  const refused = Object.entries(gateway.responses).filter(([code]) => code !== '200');
  const gatewayPanel = panel(
    'Gateway',
    tiles([
      { label: 'records received', value: formatNumber(gateway.receivedRecords), id: 'gateway-received' },
      { label: 'records rejected (partial success)', value: formatNumber(gateway.rejectedRecords), id: 'gateway-rejected', alert: gateway.rejectedRecords > 0 },
      ...Object.entries(gateway.responses).map(([code, count]) => ({ label: `HTTP ${code} answers`, value: formatNumber(count), id: `gateway-responses-${code}`, alert: code !== '200' })),
      ...Object.entries(gateway.requests).map(([encoding, count]) => ({ label: `${encoding} requests`, value: formatNumber(count) })),
    ]) +
      `<div class="charts">${lineChart({ title: 'records in /s', series: [{ label: 'received', values: history.gateway.series('received') }, { label: 'rejected', values: history.gateway.series('rejected'), color: '#dc2626' }], span: SPAN })}${lineChart({
        title: 'refused requests /s (not 200)',
        series: [{ label: refused.map(([code]) => code).join(', ') || 'none', values: history.gateway.series('refusedRequests'), color: '#dc2626' }],
        span: SPAN,
      })}</div>`,
  );
  const pipelines = Object.values(metrics.pipelines).map((stats: PipelineStats) =>
    panel(
      `Pipeline ${stats.name}`,
      tiles([
        { label: 'received', value: formatNumber(stats.received), id: `pipeline-${slug(stats.name)}-received` },
        { label: 'forwarded', value: formatNumber(stats.forwarded) },
        { label: 'refused by every exporter', value: formatNumber(stats.refused), alert: stats.refused > 0 },
      ]) + `<p>dropped by processor or route: ${byReason(stats.dropped)}</p>`,
      `pipeline-${slug(stats.name)}`,
    ),
  );
  const exporters = source.options.sinks.map((sink) => exporterPanel(sink, metrics.exporters[sink.name]!, history.exporter(sink.name)));
  return [gatewayPanel, ...pipelines, ...exporters].join('');
}

function exporterPanel(sink: ExporterSink, snapshot: SelfMetricsSnapshot, series: ExporterSeries): string {
  const requests = series.series('requests');
  const bytes = series.series('requestBytes');
  const limit = sink.exporter.limits.maxRequestBytes;
  const requestFill = bytes.map((sum, i) => (requests[i]! > 0 ? sum / requests[i]! / limit : 0));
  return panel(
    `Exporter ${sink.name}`,
    tiles([
      { label: 'records exported', value: formatNumber(snapshot.exported), id: `exporter-${slug(sink.name)}-exported` },
      { label: 'dropped', value: formatNumber(snapshot.droppedTotal), alert: snapshot.droppedTotal > 0 },
      { label: 'rejected by the service', value: formatNumber(snapshot.rejectedTotal), alert: snapshot.rejectedTotal > 0 },
      { label: 'truncated', value: formatNumber(snapshot.truncated) },
      { label: 'requests', value: formatNumber(snapshot.requests), id: `exporter-${slug(sink.name)}-requests` },
      { label: 'retried requests', value: formatNumber(snapshot.retriedRequests), id: `exporter-${slug(sink.name)}-retried` },
      { label: 'throttled requests', value: formatNumber(snapshot.throttledRequests), id: `exporter-${slug(sink.name)}-throttled`, alert: snapshot.throttledRequests > 0 },
      { label: 'queue', value: `${formatNumber(snapshot.queueRecords)} · ${formatBytes(snapshot.queueBytes)} · ${formatPercent(sink.queueFill())}` },
    ]) +
      `<p>dropped: ${byReason(snapshot.dropped)} · rejected: ${byReason(snapshot.rejected)}</p><div class="charts">
${lineChart({ title: 'records out /s', series: [{ label: 'exported', values: series.series('exported') }, { label: 'dropped', values: series.series('dropped'), color: '#d97706' }, { label: 'rejected', values: series.series('rejected'), color: '#dc2626' }], span: SPAN })}
${lineChart({ title: 'requests /s', series: [{ label: 'sent', values: requests }, { label: 'retried', values: series.series('retried'), color: '#d97706' }, { label: 'throttled', values: series.series('throttled'), color: '#dc2626' }], span: SPAN })}
${lineChart({ title: 'queue fill', series: [{ label: 'queue', values: series.series('queueFill'), color: '#7c3aed' }], max: 1, format: formatPercent, span: SPAN })}
${lineChart({ title: `request fill (of ${formatBytes(limit)})`, series: [{ label: 'average', values: requestFill, color: '#059669' }], max: 1, format: formatPercent, span: SPAN })}
</div>`,
  );
}
