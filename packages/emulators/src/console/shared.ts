/** `@otel-cloud-logs/emulators/console-ui`: the look and the per-second series the gateway's status page shares. */
export { escapeHtml, formatBytes, formatNumber, formatPercent, htmlTable, lineChart, panel, renderPage, tiles, type ChartOptions, type ChartSeries, type PageOptions } from './ui.ts';
export { RollingSeries } from './rolling.ts';
