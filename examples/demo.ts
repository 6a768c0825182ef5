/**
 * `pnpm demo`: the fan-out order service under generated traffic, with all three providers emulated in-process.
 * Prints what each provider accepted and how full its requests were, then a few stored records. Exits with 1 if a
 * valid record was lost (emitted, but neither stored nor counted as invalid).
 *
 *   DEMO_TRAFFIC_MILLIS  how long traffic is generated (default 4000)
 *   DEMO_OUTAGE          a provider (cloudwatch-logs, huawei-lts, scp-servicewatch) whose emulator answers every
 *                        request with 503: shows how records that cannot be delivered are reported
 */
import { Writable } from 'node:stream';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { DropReason } from '@otel-cloud-logs/core';
import { PROVIDERS, openBackends, type Backend, type ProviderName } from './shared/backends.ts';
import { MULTIBYTE_MESSAGE } from './shared/shop-app.ts';
import { startFanOutService } from './fan-out/service.ts';

const CONCURRENCY = 8;
/** Stopping waits this long for each provider's queue; what is still undelivered then is counted and lost. */
const SHUTDOWN_TIMEOUT_MILLIS = 5_000;
/**
 * Drops that mean the record itself could not be sent as it was. Every other drop is a loss, including
 * `invalid_destination`: the demo configures every destination, so a refused one is its own fault.
 */
const INVALID_RECORD_REASONS: ReadonlySet<string> = new Set<DropReason>(['oversize', 'empty_message', 'invalid_record', 'too_old', 'too_new']);

function settings(env: NodeJS.ProcessEnv): { trafficMillis: number; outage: ProviderName | undefined } {
  const trafficMillis = Number(env.DEMO_TRAFFIC_MILLIS ?? 4_000);
  if (!Number.isSafeInteger(trafficMillis) || trafficMillis < 0) throw new RangeError(`DEMO_TRAFFIC_MILLIS must be a whole number of milliseconds, got ${JSON.stringify(env.DEMO_TRAFFIC_MILLIS)}`);
  const outage = env.DEMO_OUTAGE?.trim() || undefined;
  if (outage !== undefined && !(PROVIDERS as readonly string[]).includes(outage)) {
    throw new TypeError(`DEMO_OUTAGE must be one of ${PROVIDERS.join(', ')}; got ${JSON.stringify(outage)}`);
  }
  return { trafficMillis, outage: outage as ProviderName | undefined };
}

let config: ReturnType<typeof settings>;
try {
  config = settings(process.env);
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(2);
}
const TRAFFIC_MILLIS = config.trafficMillis;

let emitted = 0;
const countEmitted: LogRecordProcessor = {
  onEmit: () => void emitted++,
  forceFlush: async () => {},
  shutdown: async () => {},
};

// No variables are passed: every provider runs as an emulator, whatever the shell has set.
const backends = await openBackends({ logGroup: '/otel-cloud-logs/demo', logStream: 'fan-out' }, undefined, {});
const discardPinoLines = new Writable({ write: (_chunk, _encoding, done) => done() });
const service = await startFanOutService(backends, {
  port: 0,
  extraProcessors: [countEmitted],
  logDestination: discardPinoLines,
  shutdownTimeoutMillis: SHUTDOWN_TIMEOUT_MILLIS,
});
console.log(`otel-cloud-logs demo: order service on ${service.url}, logging to ${backends.list.map((b) => `${b.provider} (emulator ${b.endpoint})`).join(', ')}`);
if (config.outage) {
  backends.list.find((backend) => backend.provider === config.outage)!.faults!.add({ kind: 'unavailable' });
  console.log(`simulated outage: the ${config.outage} emulator answers every request with 503 (the demo gives up on it after ${SHUTDOWN_TIMEOUT_MILLIS / 1000} s)`);
}
console.log(`generating traffic for ${TRAFFIC_MILLIS / 1000} s: orders, bad requests, errors, multibyte text and one oversized record…`);

const statuses = new Map<number, number>();
async function call(path: string, init?: RequestInit): Promise<void> {
  const response = await fetch(service.url + path, init);
  await response.arrayBuffer();
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
}
const postOrder = (body: object) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function worker(id: number, until: number): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    const pick = i % 10;
    if (pick < 5) await call(`/orders/${id * 10_000 + i}`);
    else if (pick < 8) await call('/orders', postOrder({ item: `ラーメン #${i}`, note: `${MULTIBYTE_MESSAGE} (${i})` }));
    else if (pick === 8) await call(`/orders/not-a-number-${i}`);
    else await call('/fail');
  }
}

const started = Date.now();
await call('/orders', postOrder({ item: 'catalogue', note: 'x'.repeat(1_200_000) })); // larger than every provider's event limit
await Promise.all(Array.from({ length: CONCURRENCY }, (_, id) => worker(id, started + TRAFFIC_MILLIS)));
const requestsMade = [...statuses.values()].reduce((a, b) => a + b, 0);
console.log(
  `${requestsMade} HTTP requests (${[...statuses].map(([status, count]) => `${count}× ${status}`).join(', ')}), ${emitted} log records emitted; shutting down…`,
);
const stopStarted = Date.now();
await service.stop();
const undelivered = backends.list.filter((backend) => (backend.exporter.metrics.snapshot().dropped.shutdown ?? 0) > 0).map((backend) => backend.provider);
console.log(`shut down in ${Date.now() - stopStarted} ms: ${undelivered.length === 0 ? 'every queue flushed' : `gave up on what ${undelivered.join(', ')} had not delivered`}\n`);

interface Verdict {
  readonly backend: Backend;
  readonly stored: number;
  readonly invalid: number;
  /** Valid records emitted but not stored; negative when more were stored than emitted (duplicates). */
  readonly lost: number;
}

const verdicts: Verdict[] = backends.list.map((backend) => {
  const metrics = backend.exporter.metrics.snapshot();
  const stored = backend.stored()!.length;
  const invalid = Object.entries(metrics.dropped)
    .filter(([reason]) => INVALID_RECORD_REASONS.has(reason))
    .reduce((sum, [, count]) => sum + count, 0);
  return { backend, stored, invalid, lost: emitted - stored - invalid };
});

/** "3 shutdown, 1 oversize": records not sent (dropped before sending, or refused by the service) by reason. */
function notSent(backend: Backend): string {
  const metrics = backend.exporter.metrics.snapshot();
  return Object.entries({ ...metrics.dropped, ...metrics.rejected }).map(([reason, count]) => `${count} ${reason}`).join(', ') || 'none';
}

const table = [
  ['provider', 'accepted', 'stored', 'requests', 'bytes', 'avg fill', 'truncated', 'not sent (reason)'],
  ...verdicts.map(({ backend, stored }) => {
    const metrics = backend.exporter.metrics.snapshot();
    const fill = metrics.requests === 0 ? 0 : metrics.requestBytes / metrics.requests / backend.exporter.limits.maxRequestBytes;
    return [
      backend.provider,
      String(metrics.exported),
      String(stored),
      String(metrics.requests),
      metrics.requestBytes.toLocaleString('en-US'),
      `${(fill * 100).toFixed(1)} %`,
      String(metrics.truncated),
      notSent(backend),
    ];
  }),
];
const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
for (const row of table) console.log(row.map((cell, column) => (column === 0 || column === row.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
console.log('(avg fill = bytes / requests / the provider\'s request size limit; requests are sent when full or after 1 s)\n');

console.log('a few stored records, as each service shows them:');
const TRUNCATION_MARKER = '[truncated by otel-cloud-logs';
/** A long record shows its start, the truncation marker if it has one, and its size in bytes. */
function shorten(text: string): string {
  if (text.length <= 240) return text;
  const marker = text.indexOf(TRUNCATION_MARKER);
  const around = marker > 200 ? ` … ${text.slice(marker - 12, marker + 60)}` : '';
  return `${text.slice(0, 200)}${around} …  (${Buffer.byteLength(text).toLocaleString('en-US')} bytes)`;
}
for (const { backend } of verdicts) {
  const stored = backend.stored()!;
  const samples = [
    stored.find((record) => record.traceId && record.text.includes('order looked up')),
    stored.find((record) => record.text.includes(MULTIBYTE_MESSAGE)),
    stored.find((record) => record.text.includes('payment backend unavailable')),
    stored.find((record) => record.text.includes(TRUNCATION_MARKER)),
  ].filter((record) => record !== undefined);
  console.log(`  ${backend.provider} (${backend.destination})`);
  for (const record of samples) console.log(`    ${new Date(record.timeMillis).toISOString()}  ${shorten(record.text)}`);
}

await backends.close();
const losses = verdicts.filter((verdict) => verdict.lost !== 0);
if (losses.length > 0) {
  for (const { backend, stored, invalid, lost } of losses) {
    const counts = `${emitted} emitted, ${stored} stored, ${invalid} counted invalid`;
    console.error(
      lost > 0
        ? `LOST: ${backend.provider}: ${counts} → ${lost} valid record(s) not delivered (not sent: ${notSent(backend)})`
        : `DUPLICATED: ${backend.provider}: ${counts} → ${-lost} record(s) stored more than once`,
    );
  }
  process.exitCode = 1;
} else {
  const outcome = verdicts.map(({ backend, stored, invalid }) => `${backend.provider} ${stored} stored${invalid ? ` + ${invalid} counted invalid` : ''}`);
  console.log(`\nno valid record lost: ${emitted} emitted; ${outcome.join('; ')}`);
}
