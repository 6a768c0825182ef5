import { describe, expect, test } from 'vitest';
import { runExample } from './support/run-example.ts';

const PROVIDERS = ['cloudwatch-logs', 'huawei-lts', 'scp-servicewatch'];

/** provider, accepted, stored, requests, bytes, avg fill, truncated, not sent: one row of the demo's table. */
function tableRow(out: string, provider: string) {
  const row = out.match(new RegExp(`^${provider}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+([\\d,]+)\\s+([\\d.]+) %\\s+(\\d+)\\s+(.+)$`, 'm'));
  if (!row) throw new Error(`no table row for ${provider} in\n${out}`);
  return { accepted: row[1], stored: row[2], requests: Number(row[3]), truncated: row[6], notSent: row[7].trim() };
}

describe('examples/demo.ts (pnpm demo)', () => {
  test('runs the fan-out service under traffic against the in-process emulators and loses no valid record', async () => {
    const demo = runExample('examples/demo.ts', { DEMO_TRAFFIC_MILLIS: '1000' });
    expect(await demo.exited(40_000)).toBe(0);
    const out = demo.stdout();
    const [, emitted] = out.match(/, (\d+) log records emitted/)!;
    for (const provider of PROVIDERS) {
      const row = tableRow(out, provider);
      expect(row.accepted, `${provider} accepted`).toBe(emitted);
      expect(row.stored, `${provider} stored`).toBe(emitted);
      expect(row.truncated, `${provider} truncated (the one oversized record)`).toBe('1');
      expect(row.notSent, `${provider} not sent`).toBe('none');
    }
    expect(out).toContain('shut down in');
    expect(out).toContain('every queue flushed');
    expect(out).toContain('注文を受け付けました 🚀 Größe: ½ — заказ принят');
    // The oversized record is shown where it was cut, with the marker each provider writes.
    expect(out.match(/…\[truncated by otel-cloud-logs: \d+ bytes\]/g)).toHaveLength(3);
    expect(out).toMatch(/no valid record lost/);
    expect(demo.stderr()).toBe('');
  });

  test('exits 1 and names the provider, the count and the reason when valid records are lost (DEMO_OUTAGE)', async () => {
    const demo = runExample('examples/demo.ts', { DEMO_TRAFFIC_MILLIS: '300', DEMO_OUTAGE: 'huawei-lts' });
    expect(await demo.exited(40_000)).toBe(1);
    const out = demo.stdout();
    const [, emitted] = out.match(/, (\d+) log records emitted/)!;
    expect(out).toContain('gave up on what huawei-lts had not delivered');
    const lts = tableRow(out, 'huawei-lts');
    expect(lts).toMatchObject({ accepted: '0', stored: '0', requests: 0, notSent: `${emitted} shutdown` });
    // The other providers were unaffected: everything they were given arrived.
    for (const provider of ['cloudwatch-logs', 'scp-servicewatch']) expect(tableRow(out, provider)).toMatchObject({ accepted: emitted, stored: emitted, notSent: 'none' });
    expect(demo.stderr()).toContain(
      `LOST: huawei-lts: ${emitted} emitted, 0 stored, 0 counted invalid → ${emitted} valid record(s) not delivered (not sent: ${emitted} shutdown)`,
    );
    expect(demo.stderr()).not.toMatch(/LOST: (cloudwatch-logs|scp-servicewatch)/);
    expect(out).not.toMatch(/no valid record lost/);
  });

  test('explains a bad setting', async () => {
    const demo = runExample('examples/demo.ts', { DEMO_OUTAGE: 'aws' });
    expect(await demo.exited()).toBe(2);
    expect(demo.stderr()).toBe('demo: DEMO_OUTAGE must be one of cloudwatch-logs, huawei-lts, scp-servicewatch; got "aws"\n');
  });
});
