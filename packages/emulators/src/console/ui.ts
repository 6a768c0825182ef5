/**
 * The look shared by the emulators' web console and the gateway's status page: page layout and CSS, inline SVG
 * charts rendered on the server, and one small client script that refreshes server-rendered fragments. Plain
 * strings, no build step, and no imports, so the gateway can use it without loading any emulator.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

export interface PageOptions {
  /** The document title. */
  readonly title: string;
  /** Shown in the header bar, escaped. */
  readonly heading: string;
  /** Trusted HTML beside the heading (links, badges). */
  readonly headerExtra?: string;
  /** Trusted HTML of the page. */
  readonly body: string;
}

/** A whole HTML page with the shared CSS and live-refresh script. */
export function renderPage(options: PageOptions): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title><style>${CSS}</style></head>
<body><header><h1>${escapeHtml(options.heading)}</h1>${options.headerExtra ?? ''}<span class="status" id="live-status" title="refresh state">live</span></header>
<main>${options.body}</main><script>${LIVE_SCRIPT}</script></body></html>`;
}

export interface ChartSeries {
  readonly label: string;
  /** Oldest first, one value per step. */
  readonly values: readonly number[];
  /** A CSS color; the palette's next one when omitted. */
  readonly color?: string;
}

export interface ChartOptions {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  /** Formats the current values and the scale, e.g. `(v) => v.toFixed(1) + ' %'`. */
  readonly format?: (value: number) => string;
  /** Top of the scale; the largest value (at least 1) when omitted. */
  readonly max?: number;
  /** What the span covers, e.g. '5 min'. */
  readonly span?: string;
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#2563eb', '#dc2626', '#d97706', '#059669', '#7c3aed'];

/** A small line chart as inline SVG: one polyline per series, the first one filled, current values in the legend. */
export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 320;
  const height = options.height ?? 84;
  const top = 18;
  const bottom = height - 14;
  const format = options.format ?? formatNumber;
  const largest = Math.max(1, ...options.series.flatMap((series) => series.values));
  const max = options.max ?? largest;
  const plot = options.series.map((series, index) => {
    const color = series.color ?? PALETTE[index % PALETTE.length]!;
    const steps = Math.max(1, series.values.length - 1);
    const ys = series.values.map((value) => (bottom - (Math.min(value, max) / max) * (bottom - top)).toFixed(1));
    // A point between two of the same height adds nothing to the line: flat stretches cost two points, not 300.
    const points = ys.flatMap((y, i) => (i > 0 && i < ys.length - 1 && ys[i - 1] === y && ys[i + 1] === y ? [] : [`${((i / steps) * width).toFixed(1)},${y}`]));
    const line = `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.join(' ')}"/>`;
    const area = index === 0 && points.length > 1 ? `<polygon fill="${color}" fill-opacity="0.12" points="0,${bottom} ${points.join(' ')} ${width},${bottom}"/>` : '';
    return area + line;
  });
  const legend = options.series
    .map((series, index) => {
      const color = series.color ?? PALETTE[index % PALETTE.length]!;
      const current = series.values.length > 0 ? series.values[series.values.length - 1]! : 0;
      return `<span class="legend"><i style="background:${color}"></i>${escapeHtml(series.label)} <b data-series="${escapeHtml(series.label)}">${escapeHtml(format(current))}</b></span>`;
    })
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(options.title)}</figcaption><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">
<line x1="0" y1="${bottom}" x2="${width}" y2="${bottom}" class="axis"/><line x1="0" y1="${top}" x2="${width}" y2="${top}" class="grid"/>
<text x="2" y="${top - 4}" class="scale">${escapeHtml(format(max))}</text>${plot.join('')}
<text x="2" y="${height - 2}" class="scale">−${escapeHtml(options.span ?? '')}</text><text x="${width - 2}" y="${height - 2}" class="scale" text-anchor="end">now</text></svg>
<div>${legend}</div></figure>`;
}

/** Headed table; `rows` hold trusted HTML cells (escape values with escapeHtml). */
export function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[], empty = 'nothing yet'): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.length === 0 ? `<tr><td colspan="${headers.length}" class="muted">${escapeHtml(empty)}</td></tr>` : rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Big numbers in a row; `id`s let tests and scripts find one. */
export function tiles(items: readonly { readonly label: string; readonly value: string; readonly id?: string; readonly alert?: boolean }[]): string {
  return `<div class="tiles">${items
    .map((item) => `<div class="tile${item.alert ? ' alert' : ''}"${item.id ? ` id="${escapeHtml(item.id)}"` : ''}><span>${escapeHtml(item.label)}</span><b>${escapeHtml(item.value)}</b></div>`)
    .join('')}</div>`;
}

/** A titled box. */
export function panel(title: string, body: string, id?: string): string {
  return `<section class="panel"${id ? ` id="${escapeHtml(id)}"` : ''}><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** 1234567 → "1,234,567"; fractions keep at most 2 decimals. */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 0 });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** 0.4567 → "45.7 %"; below 1 % two decimals, so small requests do not read as empty. */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.01 ? 2 : 1)} %`;
}

const CSS = `
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--accent:#2563eb;--bad:#dc2626}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:16px;align-items:center;padding:10px 20px;background:#0f172a;color:#e2e8f0}
header h1{font-size:16px;margin:0;font-weight:600}header a{color:#93c5fd}header .status{margin-left:auto;font-size:12px;color:#86efac}
header .status.stale{color:#fca5a5}main{padding:16px 20px;max-width:1400px}
nav.tabs{display:flex;gap:4px;border-bottom:1px solid var(--line);margin-bottom:12px}
nav.tabs button{border:1px solid var(--line);border-bottom:none;background:#eef2f7;padding:6px 14px;border-radius:6px 6px 0 0;cursor:pointer;font:inherit}
nav.tabs button[aria-selected=true]{background:var(--card);font-weight:600}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin-bottom:14px}
.panel h2{font-size:14px;margin:0 0 8px;color:#334155}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:500}.msg{font-family:ui-monospace,Menlo,monospace;white-space:pre-wrap;word-break:break-all}
code,.mono{font-family:ui-monospace,Menlo,monospace;font-size:12px}.muted{color:var(--muted)}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:8px}.tile{border:1px solid var(--line);border-radius:6px;padding:6px 10px;min-width:120px}
.tile span{display:block;font-size:11px;color:var(--muted)}.tile b{font-size:18px}.tile.alert b{color:var(--bad)}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px}
.chart figcaption{font-size:12px;color:var(--muted)}.chart .axis{stroke:#94a3b8}.chart .grid{stroke:var(--line);stroke-dasharray:2 3}
.chart .scale{font-size:9px;fill:var(--muted)}.legend{font-size:11px;margin-right:10px}.legend i{display:inline-block;width:8px;height:8px;margin-right:3px;border-radius:2px}
form.inline{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:8px}form.inline label{display:flex;flex-direction:column;font-size:11px;color:var(--muted)}
input,select,button{font:inherit;padding:4px 6px;border:1px solid #cbd5e1;border-radius:4px;background:#fff}button{cursor:pointer}
button.on{background:#fee2e2;border-color:var(--bad);color:var(--bad)}input[type=search]{min-width:280px}
.chip{display:inline-block;background:#eef2ff;border-radius:10px;padding:0 6px;margin:1px;font-size:11px}
pre.config{background:#0f172a;color:#e2e8f0;padding:10px;border-radius:6px;overflow:auto;font-size:12px}
.error{color:var(--bad)}.scroll{max-height:480px;overflow:auto}
`;

/**
 * The client side, for both pages:
 * - `[data-live=URL]` regions are fetched again (URL plus the fields of the form named by `data-form`) every
 *   `data-every` ms (only while the checkbox named by `data-while` is checked), and when that form changes;
 * - `form[data-post=URL]` and `button[data-post=URL]` POST their fields (or `data-body` JSON) as JSON, then
 *   refresh every region;
 * - `nav.tabs button[data-tab=ID]` shows section ID and hides its siblings.
 */
const LIVE_SCRIPT = `
(() => {
  const status = document.getElementById('live-status');
  const regions = [...document.querySelectorAll('[data-live]')];
  const formOf = (region) => region.dataset.form ? document.getElementById(region.dataset.form) : null;
  const query = (form) => form ? '?' + new URLSearchParams(new FormData(form)).toString() : '';
  async function refresh(region) {
    const base = region.dataset.live;
    const url = base + (base.includes('?') ? query(formOf(region)).replace('?', '&') : query(formOf(region)));
    try {
      const response = await fetch(url, { headers: { accept: 'text/html' } });
      const html = await response.text();
      if (region.dataset.html !== html) { region.innerHTML = html; region.dataset.html = html; }
      region.dataset.refreshes = String(Number(region.dataset.refreshes || 0) + 1);
      status.textContent = 'live'; status.classList.remove('stale');
    } catch (error) { status.textContent = 'disconnected'; status.classList.add('stale'); }
  }
  const refreshAll = () => Promise.all(regions.map(refresh));
  for (const region of regions) {
    const every = Number(region.dataset.every || 0);
    const gate = region.dataset.while ? document.getElementById(region.dataset.while) : null;
    if (every > 0) setInterval(() => { if (!document.hidden && (!gate || gate.checked)) refresh(region); }, every);
    const form = formOf(region);
    if (form) {
      let timer;
      form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => refresh(region), 200); });
      form.addEventListener('submit', (event) => { event.preventDefault(); refresh(region); });
    }
  }
  async function post(url, body) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) alert(await response.text());
    await refreshAll();
  }
  document.addEventListener('submit', (event) => {
    const form = event.target.closest('form[data-post]');
    if (!form) return;
    event.preventDefault();
    post(form.dataset.post, Object.fromEntries(new FormData(form)));
  });
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-post]');
    if (button) { event.preventDefault(); post(button.dataset.post, JSON.parse(button.dataset.body || '{}')); return; }
    const tab = event.target.closest('nav.tabs button[data-tab]');
    if (!tab) return;
    for (const other of tab.parentElement.querySelectorAll('button[data-tab]')) {
      other.setAttribute('aria-selected', String(other === tab));
      document.getElementById(other.dataset.tab).hidden = other !== tab;
    }
    history.replaceState(null, '', '#' + tab.dataset.tab);
  });
  const wanted = location.hash && document.querySelector('nav.tabs button[data-tab="' + location.hash.slice(1) + '"]');
  if (wanted) wanted.click();
})();
`;
