/**
 * `pnpm demo`: the fan-out order service under generated traffic, with all three providers emulated in-process.
 * Prints what each provider accepted and how full its requests were, then a few stored records. Exits with 1 if a
 * valid record was lost (emitted, but neither stored nor counted as invalid).
 */
import { Writable } from 'node:stream';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { DropReason } from '@otel-cloud-logs/core';
import { openBackends, type Backend } from './shared/backends.ts';
import { MULTIBYTE_MESSAGE } from './shared/shop-app.ts';
import { startFanOutService } from './fan-out/service.ts';

const TRAFFIC_MILLIS = Number(process.env.DEMO_TRAFFIC_MILLIS ?? 4_000);
const CONCURRENCY = 8;
/** Drops that mean the record itself could not be sent as it was; every other drop is a loss. */
const INVALID_RECORD_REASONS: ReadonlySet<string> = new Set<DropReason>(['oversize', 'empty_message', 'too_old', 'too_new', 'invalid_destination']);

let emitted = 0;
const countEmitted: LogRecordProcessor = {
  onEmit: () => void emitted++,
  forceFlush: async () => {},
  shutdown: async () => {},
};

// No variables are passed: every provider runs as an emulator, whatever the shell has set.
const backends = await openBackends({ logGroup: '/otel-cloud-logs/demo', logStream: 'fan-out' }, undefined, {});
const discardPinoLines = new Writable({ write: (_chunk, _encoding, done) => done() });
const service = await startFanOutService(backends, { port: 0, extraProcessors: [countEmitted], logDestination: discardPinoLines });
console.log(`otel-cloud-logs demo: order service on ${service.url}, logging to ${backends.list.map((b) => `${b.provider} (emulator ${b.endpoint})`).join(', ')}`);
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
console.log(`shut down in ${Date.now() - stopStarted} ms: every queue flushed\n`);

interface Verdict {
  readonly backend: Backend;
  readonly stored: number;
  readonly invalid: number;
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

const table = [
  ['provider', 'accepted', 'stored', 'requests', 'bytes', 'avg fill', 'truncated', 'not sent (reason)'],
  ...verdicts.map(({ backend, stored }) => {
    const metrics = backend.exporter.metrics.snapshot();
    const notSent = Object.entries({ ...metrics.dropped, ...metrics.rejected }).map(([reason, count]) => `${count} ${reason}`);
    const fill = metrics.requests === 0 ? 0 : metrics.requestBytes / metrics.requests / backend.exporter.limits.maxRequestBytes;
    return [
      backend.provider,
      String(metrics.exported),
      String(stored),
      String(metrics.requests),
      metrics.requestBytes.toLocaleString('en-US'),
      `${(fill * 100).toFixed(1)} %`,
      String(metrics.truncated),
      notSent.join(', ') || 'none',
    ];
  }),
];
const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
for (const row of table) console.log(row.map((cell, column) => (column === 0 || column === row.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
console.log('(avg fill = bytes / requests / the provider\'s request size limit; requests are sent when full or after 1 s)\n');

console.log('a few stored records, as each service shows them:');
const shorten = (text: string) => (text.length > 220 ? `${text.slice(0, 200)}… (${Buffer.byteLength(text)} bytes)` : text);
for (const { backend } of verdicts) {
  const stored = backend.stored()!;
  const samples = [
    stored.find((record) => record.traceId && record.text.includes('order looked up')),
    stored.find((record) => record.text.includes(MULTIBYTE_MESSAGE)),
    stored.find((record) => record.text.includes('payment backend unavailable')),
    stored.find((record) => record.text.includes('truncated by otel-cloud-logs') || record.text.includes('[truncated')),
  ].filter((record) => record !== undefined);
  console.log(`  ${backend.provider} (${backend.destination})`);
  for (const record of samples) console.log(`    ${new Date(record.timeMillis).toISOString()}  ${shorten(record.text)}`);
}

await backends.close();
const losses = verdicts.filter((verdict) => verdict.lost !== 0);
if (losses.length > 0) {
  for (const { backend, stored, invalid, lost } of losses) {
    console.error(`LOST: ${backend.provider}: ${emitted} emitted, ${stored} stored, ${invalid} invalid → ${lost} valid record(s) missing`);
  }
  process.exitCode = 1;
} else {
  const outcome = verdicts.map(({ backend, stored, invalid }) => `${backend.provider} ${stored} stored${invalid ? ` + ${invalid} counted invalid` : ''}`);
  console.log(`\nno valid record lost: ${emitted} emitted; ${outcome.join('; ')}`);
}
