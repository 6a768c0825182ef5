import { StreamRateLimiter } from '@otel-cloud-logs/scp-servicewatch';
import { describe, expect, it } from 'vitest';

describe('StreamRateLimiter', () => {
  it('spaces requests of one stream 1/rate apart, in order, without slowing other streams', async () => {
    const limiter = new StreamRateLimiter();
    const started = Date.now();
    const startedAt: Record<string, number[]> = { a: [], b: [] };
    const acquire = (stream: 'a' | 'b', rate: number) => limiter.acquire(stream, rate).then(() => startedAt[stream].push(Date.now() - started));
    await Promise.all([acquire('a', 10), acquire('a', 10), acquire('a', 10), acquire('b', 5)]);
    expect(startedAt.b[0]).toBeLessThan(50);
    expect(startedAt.a).toHaveLength(3);
    expect(startedAt.a[0]).toBeLessThan(50);
    expect(startedAt.a[1]).toBeGreaterThanOrEqual(95);
    expect(startedAt.a[2]).toBeGreaterThanOrEqual(195);
    // The next request of b waits for its own slot (1/5 s after its first), not behind a.
    await acquire('b', 5);
    expect(startedAt.b[1]).toBeGreaterThanOrEqual(195);
  });

  it('stops waiting when the signal aborts (shutdown)', async () => {
    const limiter = new StreamRateLimiter();
    await limiter.acquire('s', 1);
    const controller = new AbortController();
    const waiting = limiter.acquire('s', 1, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });
});
