// The records every pipeline is sent: generated deterministically (seeded), all distinct (no body or attribute
// object is shared between records, so no pipeline profits from a cache), identical in every child process. Each
// is made right before it is emitted, as an application formats a log line: its strings are fresh, in the young
// generation and in cache, not read cold from a list made in advance (which no application keeps).
import type { WorkloadSpec } from './protocol.ts';
import { mulberry32 } from '../test/support/prng.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface BenchRecord {
  readonly body: string | { [key: string]: JsonValue };
  readonly severityNumber: number;
  readonly severityText: string;
  readonly attributes: Record<string, string | number>;
}

/** Log group and stream values are 36-character ids, so Huawei LTS routes by id without lookups. */
export const LOG_GROUP_ID = '5f0c7a3e-6b1d-4c2e-9a8f-0c1d2e3f4a5b';
export function logStreamId(index: number): string {
  return `7d3c1b2a-4e5f-4a6b-8c9d-${index.toString(16).padStart(12, '0')}`;
}


const ROUTES = ['/api/orders/:id', '/api/orders', '/api/cart', '/api/products/:sku', '/api/login'];

function severity(random: () => number): Pick<BenchRecord, 'severityNumber' | 'severityText'> {
  const r = random();
  if (r < 0.05) return { severityNumber: 17, severityText: 'ERROR' };
  if (r < 0.15) return { severityNumber: 13, severityText: 'WARN' };
  return { severityNumber: 9, severityText: 'INFO' };
}

/** A typical one-line application log, 30–70 bytes. */
function shortLine(i: number, random: () => number): string {
  const id = 100_000 + Math.floor(random() * 900_000);
  const ms = Math.floor(random() * 250);
  switch (i % 5) {
    case 0:
      return `GET /api/orders/${id} 200 ${ms}ms`;
    case 1:
      return `order ${id} created for customer c-${id % 9973} (${1 + (id % 7)} items, total ${(id % 50_000) / 100} EUR)`;
    case 2:
      return `cache miss key=product:${id} backend=redis latency=${ms}ms`;
    case 3:
      return `user u-${id % 5000} signed in from 10.${id % 256}.${ms}.${i % 256}`;
    default:
      return `retrying payment provider call attempt=${1 + (i % 3)} order=${id} after ${ms}ms`;
  }
}

/** An HTTP request summary, as a structured logger would emit it (~520 bytes as JSON). */
function requestSummary(i: number, random: () => number): { [key: string]: JsonValue } {
  const id = 100_000 + Math.floor(random() * 900_000);
  return {
    msg: 'request completed',
    method: i % 3 === 0 ? 'POST' : 'GET',
    path: `/api/orders/${id}`,
    status: random() < 0.95 ? 200 : 503,
    durationMs: Math.round(random() * 30_000) / 100,
    request: {
      id: `req-${i.toString(36)}-${id}`,
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', accept: 'application/json', 'x-forwarded-for': `203.0.113.${i % 256}` },
      query: { page: 1 + (i % 9), expand: ['items', 'customer'] },
    },
    response: { bytes: Math.floor(random() * 20_000), cache: random() < 0.3 ? 'hit' : 'miss' },
    user: { id: `u-${id % 5000}`, roles: ['customer', i % 4 === 0 ? 'beta' : 'standard'], tenant: `t-${id % 17}` },
    items: [
      { sku: `A-${id % 1000}`, qty: 1 + (i % 3), price: 9.99 },
      { sku: `B-${i % 500}`, qty: 1, price: 24.5 },
    ],
  };
}

const MULTIBYTE_TEXT = '注文を処理しました。在庫を確認しています 📦 配送予定日は明日です 🚚 お支払いが完了しました ✅ ありがとうございます 🙏 ';
/** Code points of a long multibyte text and their cumulative UTF-8 byte offsets, to cut lines at exact sizes. */
const multibyte = (() => {
  const points = Array.from(MULTIBYTE_TEXT.repeat(40));
  const bytes = [0];
  const units = [0];
  for (const point of points) {
    bytes.push(bytes[bytes.length - 1]! + Buffer.byteLength(point));
    units.push(units[units.length - 1]! + point.length);
  }
  return { text: points.join(''), bytes, units };
})();

/** A Japanese/emoji line of exactly `targetBytes` UTF-8 bytes or a few less (never a split code point). */
function multibyteLine(i: number, targetBytes: number): string {
  const prefix = `[${i}] `;
  const budget = targetBytes - prefix.length;
  const start = (i * 7) % 40;
  let low = start;
  let high = multibyte.bytes.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (multibyte.bytes[middle]! - multibyte.bytes[start]! <= budget) low = middle;
    else high = middle - 1;
  }
  return prefix + multibyte.text.slice(multibyte.units[start], multibyte.units[low]);
}

/** Lowercase words, for text lines of a given size that are not one repeated character. */
function asciiPool(bytes: number, random: () => number): string {
  const words: string[] = [];
  let length = 0;
  while (length < bytes) {
    const word = Array.from({ length: 2 + Math.floor(random() * 8) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

/** The workload's records in emit order, each made when asked for. */
export function* generateRecords(workload: WorkloadSpec): Generator<BenchRecord, void, undefined> {
  const random = mulberry32(0x0be7c4);
  if (workload.kind === 'sized') {
    const pool = asciiPool(workload.recordBytes + 65_536, random);
    for (let i = 0; i < workload.records; i++) {
      const prefix = `#${i} `;
      const offset = (i * 131) % (pool.length - workload.recordBytes);
      yield {
        body: prefix + pool.slice(offset, offset + workload.recordBytes - prefix.length),
        ...severity(random),
        attributes: { log_group_value: LOG_GROUP_ID, log_stream_value: logStreamId(i % workload.destinations), 'http.route': '/api/upload' },
      };
    }
    return;
  }
  for (let i = 0; i < workload.records; i++) {
    const kind = workload.kind === 'short' ? 0 : i % 10; // 0-5 short, 6-8 structured, 9 multibyte
    const stream = workload.kind === 'short' ? logStreamId(0) : logStreamId(Math.floor(random() * 4));
    const routing = { log_group_value: LOG_GROUP_ID, log_stream_value: stream };
    const level = severity(random);
    if (kind < 6) {
      yield { body: shortLine(i, random), ...level, attributes: { ...routing, 'http.route': ROUTES[i % ROUTES.length]!, 'user.id': `u-${i % 5000}` } };
    } else if (kind < 9) {
      yield { body: requestSummary(i, random), ...level, attributes: { ...routing, 'http.route': ROUTES[i % ROUTES.length]! } };
    } else {
      yield { body: multibyteLine(i, 2048), ...level, attributes: { ...routing, 'app.locale': 'ja-JP' } };
    }
  }
}
