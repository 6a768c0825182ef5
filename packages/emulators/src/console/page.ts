import { compileFilterPattern } from '../cloudwatch/filter-pattern.ts';
import type { FaultKind } from '../common/faults.ts';
import type { ConsoleProvider } from './providers.ts';
import { ConsoleStats } from './stats.ts';
import { escapeHtml, formatNumber, formatPercent, htmlTable, lineChart, panel, renderPage, tiles } from './ui.ts';

/** Newest records shown at once. */
export const RECORDS_SHOWN = 200;
const RANGES: readonly [seconds: number, label: string][] = [
  [300, 'last 5 minutes'],
  [900, 'last 15 minutes'],
  [3600, 'last hour'],
  [86_400, 'last 24 hours'],
  [0, 'all time'],
];
const QUICK_FAULTS: readonly FaultKind[] = ['throttle', 'unavailable', 'internal', 'reset'];

/** The console's page: one tab per provider, each with live fragments. */
export function consolePage(providers: readonly ConsoleProvider[]): string {
  const tabs = providers.map((provider, index) => `<button data-tab="${provider.id}" aria-selected="${index === 0}">${escapeHtml(provider.title)}</button>`).join('');
  const sections = providers.map((provider, index) => providerSection(provider, index > 0)).join('');
  return renderPage({
    title: 'otel-cloud-logs emulators',
    heading: 'otel-cloud-logs emulators',
    headerExtra: providers.map((provider) => `<span class="mono">${escapeHtml(provider.id)} ${escapeHtml(provider.url())}</span>`).join(' '),
    body: `<nav class="tabs">${tabs}</nav>${sections}`,
  });
}

function providerSection(provider: ConsoleProvider, hidden: boolean): string {
  const id = provider.id;
  const fragment = (part: string) => `/fragment/${id}/${part}`;
  const ranges = RANGES.map(([seconds, label]) => `<option value="${seconds}"${seconds === 900 ? ' selected' : ''}>${label}</option>`).join('');
  const operations = provider.operations.map((operation) => `<option>${escapeHtml(operation)}</option>`).join('');
  const recordsForm = `<form class="inline" id="${id}-records-form">
<label>log group / stream<input name="scope" list="${id}-scopes" placeholder="all (or a group/stream prefix)"></label>
<label>filter pattern<input type="search" name="filter" placeholder='ERROR, "a phrase", ?WARN, { $.level = "ERROR" }'></label>
<label>time range<select name="range">${ranges}</select></label>
<label>from<input type="datetime-local" name="from" step="1"></label><label>to<input type="datetime-local" name="to" step="1"></label>
<label><span><input type="checkbox" id="${id}-tail" checked> live tail</span></label></form>
<div data-live="${fragment('scopes')}" data-every="3000"></div>`;
  const faultForm = `<form class="inline" data-post="/api/${id}/faults">
<label>kind<select name="kind"><option>throttle</option><option>unavailable</option><option>internal</option><option>reset</option><option>delay</option></select></label>
<label>operation<select name="operation"><option value="">any</option>${operations}</select></label>
<label>times<input name="times" size="5" placeholder="∞"></label><label>probability<input name="probability" size="5" placeholder="1"></label>
<label>Retry-After s<input name="retryAfterSeconds" size="4"></label><label>delay ms<input name="delayMillis" size="6"></label><button>add fault</button></form>`;
  return `<section id="${id}"${hidden ? ' hidden' : ''}>
${panel(`${provider.title} at ${provider.url()}`, `<div data-live="${fragment('summary')}" data-every="1000">${summaryFragment(provider)}</div>`)}
${panel('Destinations: records/s, requests/s and request fill over the last 5 minutes', `<div data-live="${fragment('destinations')}" data-every="1000"></div>`, `${id}-destinations`)}
${panel('Injected faults', `<div data-live="${fragment('faults')}" data-every="1000">${faultsFragment(provider)}</div>${faultForm}`, `${id}-faults`)}
${panel('Log groups and streams', `<div data-live="${fragment('resources')}" data-every="2000">${provider.resources()}</div>`)}
${panel('Records', `${recordsForm}<div class="scroll" id="${id}-records" data-live="${fragment('records')}" data-form="${id}-records-form" data-every="1000" data-while="${id}-tail"></div>`)}
</section>`;
}

export function summaryFragment(provider: ConsoleProvider): string {
  const counts = Object.entries(provider.requestCounts()).sort(([a], [b]) => (a < b ? -1 : 1));
  const injected = Object.entries(provider.faults.injected).filter(([, count]) => count > 0);
  return tiles([
    { label: 'requests', value: formatNumber(counts.reduce((sum, [, count]) => sum + count, 0)), id: `${provider.id}-requests-total` },
    ...counts.map(([operation, count]) => ({ label: operation, value: formatNumber(count) })),
    ...injected.map(([kind, count]) => ({ label: `injected ${kind}`, value: formatNumber(count), alert: true })),
  ]);
}

export function destinationsFragment(provider: ConsoleProvider, stats: ConsoleStats): string {
  const destinations = stats.of(provider.id);
  if (destinations.length === 0) return `<p class="muted">No ${escapeHtml(provider.operations[0]!)} request yet.</p>`;
  return destinations
    .map((destination) => {
      const slug = `${provider.id}-${destination.destination}`.replace(/[^A-Za-z0-9_-]/g, '_');
      return `<div class="destination" data-destination="${escapeHtml(destination.destination)}"><h2 class="mono">${escapeHtml(destination.destination)}</h2>
${tiles([
  { label: 'records stored', value: formatNumber(destination.records), id: `${slug}-records` },
  { label: 'requests', value: formatNumber(destination.requests), id: `${slug}-requests` },
  { label: 'throttled requests', value: formatNumber(destination.throttled), id: `${slug}-throttled`, alert: destination.throttled > 0 },
  { label: 'other failed requests', value: formatNumber(destination.failed), id: `${slug}-failed`, alert: destination.failed > 0 },
])}<div class="charts">
${lineChart({ title: 'records/s', series: [{ label: 'stored', values: destination.series.series('records') }], span: '5 min' })}
${lineChart({
  title: 'requests/s',
  series: [
    { label: 'all', values: destination.series.series('requests') },
    { label: 'throttled', values: destination.series.series('throttled'), color: '#dc2626' },
    { label: 'failed', values: destination.series.series('failed'), color: '#d97706' },
  ],
  span: '5 min',
})}
${lineChart({ title: 'request fill (of the service limit)', series: [{ label: 'average', values: ConsoleStats.fillSeries(destination), color: '#059669' }], max: 1, format: formatPercent, span: '5 min' })}
</div></div>`;
    })
    .join('');
}

export function faultsFragment(provider: ConsoleProvider): string {
  const ingest = provider.operations[0]!;
  const rules = provider.faults.list();
  const quick = QUICK_FAULTS.map((kind) => {
    const on = rules.some((rule) => rule.kind === kind && rule.operation === ingest && rule.times === undefined && rule.probability === undefined);
    return `<button data-post="/api/${provider.id}/faults/toggle" data-body="${escapeHtml(JSON.stringify({ kind, operation: ingest }))}" class="${on ? 'on' : ''}" aria-pressed="${on}" id="${provider.id}-toggle-${kind}">${escapeHtml(kind)} ${escapeHtml(ingest)}: ${on ? 'on' : 'off'}</button>`;
  }).join(' ');
  const rows = rules.map((rule, index) => [
    escapeHtml(rule.kind),
    escapeHtml(rule.operation ?? 'any'),
    rule.times === undefined ? 'until removed' : `${rule.times} more`,
    rule.probability === undefined ? '1' : escapeHtml(rule.probability),
    escapeHtml([rule.retryAfterSeconds !== undefined ? `Retry-After ${rule.retryAfterSeconds} s` : '', rule.delayMillis !== undefined ? `${rule.delayMillis} ms` : ''].filter(Boolean).join(', ')),
    `<button data-post="/api/${provider.id}/faults/remove" data-body='${escapeHtml(JSON.stringify({ index }))}'>remove</button>`,
  ]);
  const clear = rules.length > 0 ? `<button data-post="/api/${provider.id}/faults/clear">remove all</button>` : '';
  return `<p>${quick}</p>${htmlTable(['kind', 'operation', 'applies', 'probability', 'details', ''], rows, 'no fault rules: every request is answered normally')}${clear}`;
}

export function scopesFragment(provider: ConsoleProvider): string {
  return `<datalist id="${provider.id}-scopes">${provider.scopes().map((scope) => `<option value="${escapeHtml(scope)}">`).join('')}</datalist>`;
}

/** The newest matching records, newest first. */
export function recordsFragment(provider: ConsoleProvider, query: URLSearchParams, now = Date.now()): string {
  let matches: (text: string) => boolean;
  try {
    matches = compileFilterPattern(query.get('filter') ?? '');
  } catch (error) {
    return `<p class="error" id="${provider.id}-filter-error">${escapeHtml((error as Error).message)}</p>`;
  }
  const scope = query.get('scope')?.trim() ?? '';
  const range = Number(query.get('range') ?? 900);
  const from = parseTime(query.get('from')) ?? (range > 0 ? now - range * 1000 : -Infinity);
  const to = parseTime(query.get('to')) ?? Infinity;
  // Reversed first, so that records of the same millisecond also come newest first (the sort is stable).
  const found = provider
    .records()
    .filter((record) => record.timeMillis >= from && record.timeMillis <= to && (scope === '' || record.scope.startsWith(scope)) && matches(record.text))
    .reverse()
    .sort((a, b) => b.timeMillis - a.timeMillis);
  const shown = found.slice(0, RECORDS_SHOWN);
  const caption = `<p class="muted" id="${provider.id}-records-count" data-count="${found.length}">${formatNumber(found.length)} matching record(s)${found.length > shown.length ? `, newest ${shown.length} shown` : ''}</p>`;
  return caption + htmlTable(provider.recordColumns, shown.map((record) => record.cells()), 'no record matches');
}

/** `datetime-local` values (local time of this machine, which is the browser's: the console is loopback only). */
function parseTime(value: string | null): number | undefined {
  if (!value) return undefined;
  const millis = new Date(value).getTime();
  return Number.isNaN(millis) ? undefined : millis;
}
