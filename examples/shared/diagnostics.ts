import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';

/**
 * Applies OTEL_LOG_LEVEL (e.g. `warn`) to OpenTelemetry's diag logger, where the exporters report each kind of
 * problem once (refused credentials, throttling, dropped records). NodeSDK does this itself; an app built on a
 * plain LoggerProvider calls this to follow the same convention.
 */
export function applyOtelLogLevel(env: Readonly<Record<string, string | undefined>> = process.env): void {
  const requested = env.OTEL_LOG_LEVEL?.trim().toUpperCase();
  if (!requested) return;
  if (!(requested in DiagLogLevel)) {
    console.error(`OTEL_LOG_LEVEL must be one of ${Object.keys(DiagLogLevel).filter((key) => Number.isNaN(Number(key))).join(', ')} (any case); got ${JSON.stringify(env.OTEL_LOG_LEVEL)}`);
    return;
  }
  diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel[requested as keyof typeof DiagLogLevel] });
}
