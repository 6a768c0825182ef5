import type { Backends } from './backends.ts';

/** What each backend did, from the exporters' self-metrics and, for emulators, what they stored. */
export function summarize(backends: Backends, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const lines = backends.list
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
  // The exporters say why through OpenTelemetry's diag logger, which is silent unless OTEL_LOG_LEVEL is set.
  return anyNotSent(backends) && !env.OTEL_LOG_LEVEL ? `${lines}\n  (run with OTEL_LOG_LEVEL=warn to see why records were not sent)` : lines;
}

/** Whether any record was dropped or refused: the examples then exit with 1. */
export function anyNotSent(backends: Backends): boolean {
  return backends.list.some((backend) => {
    const metrics = backend.exporter.metrics.snapshot();
    return metrics.droppedTotal + metrics.rejectedTotal > 0;
  });
}
