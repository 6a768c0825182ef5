import { describe, expect, test } from 'vitest';
import { runExample } from './support/run-example.ts';

describe('examples/demo.ts (pnpm demo)', () => {
  test('runs the fan-out service under traffic against the in-process emulators and loses no valid record', async () => {
    const demo = runExample('examples/demo.ts', { DEMO_TRAFFIC_MILLIS: '1000' });
    expect(await demo.exited(40_000)).toBe(0);
    const out = demo.stdout();
    const [, emitted] = out.match(/, (\d+) log records emitted/)!;
    for (const provider of ['cloudwatch-logs', 'huawei-lts', 'scp-servicewatch']) {
      // provider, accepted, stored, requests, bytes, avg fill, truncated (the one oversized record), not sent
      const row = out.match(new RegExp(`^${provider}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+([\\d,]+)\\s+([\\d.]+) %\\s+(\\d+)\\s+(.+)$`, 'm'));
      expect(row, provider).not.toBeNull();
      expect(row![1], `${provider} accepted`).toBe(emitted);
      expect(row![2], `${provider} stored`).toBe(emitted);
      expect(row![6], `${provider} truncated`).toBe('1');
      expect(row![7].trim(), `${provider} not sent`).toBe('none');
    }
    expect(out).toContain('注文を受け付けました');
    expect(out).toMatch(/no valid record lost/);
    expect(demo.stderr()).toBe('');
  });
});
