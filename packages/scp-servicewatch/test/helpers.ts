import { planRequests, type LogEntry } from '@otel-cloud-logs/core';
import { ServiceWatchEmulator, type ServiceWatchEmulatorOptions } from '@otel-cloud-logs/emulators';
import { ServiceWatchLogsExporter, type ServiceWatchLogsExporterOptions } from '@otel-cloud-logs/scp-servicewatch';

export const ACCOUNT = 'c1e2f3045678901a2b3c4d5e6f7a8b81';
export const GROUP = 'b1e2f3045678901a2b3c4d5e6f7a8b81';
export const FAST_RETRY = { initialDelayMillis: 10, maxDelayMillis: 100 } as const;
export const DESTINATION = { accountId: 'acc', logGroup: 'group', logStream: 'stream' };

/** An emulator on loopback and the connection options that reach it with its default key. */
export async function startEmulator(options?: ServiceWatchEmulatorOptions) {
  const emulator = new ServiceWatchEmulator(options);
  const endpoint = await emulator.start();
  const connection = { endpoint, ...ServiceWatchEmulator.DEFAULT_CREDENTIAL };
  return { emulator, endpoint, connection };
}

/** An exporter against `endpoint`; environment variables are ignored so that tests never reach a real service. */
export function exporterFor(endpoint: string, options: Partial<ServiceWatchLogsExporterOptions> = {}): ServiceWatchLogsExporter {
  return new ServiceWatchLogsExporter({ endpoint, ...ServiceWatchEmulator.DEFAULT_CREDENTIAL, retry: FAST_RETRY, ...options }, {});
}

/** A log entry to DESTINATION (its resource also names a stream, which the destination overrides). */
export function entry(overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    timeUnixNano: 1_795_357_570_872_000_001n,
    timeMillis: 1_795_357_570_872,
    body: 'hello',
    attributes: {},
    resource: { 'service.name': 'svc', log_stream_value: 'from-resource' },
    destination: DESTINATION,
    ...overrides,
  };
}

/** The request bodies the exporter would send for `entries` (planned as `export()` does), and what it left out. */
export function planBodies(exporter: ServiceWatchLogsExporter, entries: readonly LogEntry[], nowMillis = Date.now()) {
  const plan = planRequests(exporter, entries, nowMillis, exporter.mode, (logEntry, out) => exporter.encodeEntry(logEntry, out));
  return { bodies: plan.requests.map(({ batch }) => batch.body().toString('utf8')), dropped: plan.dropped, truncated: plan.truncated };
}
