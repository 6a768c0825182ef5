import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../src/index.ts';

/** Which of `requests` requests got an answering fault. */
function picks(faults: FaultInjector, requests: number): boolean[] {
  return Array.from({ length: requests }, () => faults.next('PutLogEvents').fault !== undefined);
}

describe('FaultInjector', () => {
  it('draws probability rules from a seeded generator when seeded: the same faults in every run', () => {
    const seeded = (seed: number) => {
      const faults = new FaultInjector();
      faults.seed(seed);
      faults.add({ kind: 'throttle', operation: 'PutLogEvents', probability: 0.3 });
      return picks(faults, 1_000);
    };
    const first = seeded(42);
    expect(seeded(42)).toEqual(first);
    expect(seeded(43)).not.toEqual(first);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThan(240);
    expect(hits).toBeLessThan(360);
  });
});
