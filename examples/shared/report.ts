import type { Backends } from './backends.ts';

/** What each backend did, from the exporters' self-metrics and, for emulators, what they stored. */
export function summarize(backends: Backends): string {
  return backends.list
    .map((backend) => {
      const metrics = backend.exporter.metrics.snapshot();
      const stored = backend.stored();
      const dropped = Object.entries({ ...metrics.dropped, ...metrics.rejected })
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ');
      return (
        `  ${backend.provider.padEnd(17)} accepted ${metrics.exported} in ${metrics.requests} request(s)` +
        (stored ? `, emulator stored ${stored.length}` : '') +
        (metrics.truncated ? `, truncated ${metrics.truncated}` : '') +
        (dropped ? `, not sent: ${dropped}` : '')
      );
    })
    .join('\n');
}
