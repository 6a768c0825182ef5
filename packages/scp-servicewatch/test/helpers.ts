import { ServiceWatchEmulator, type ServiceWatchEmulatorOptions } from '@otel-cloud-logs/emulators';
import { ServiceWatchLogsExporter, type ServiceWatchLogsExporterOptions } from '@otel-cloud-logs/scp-servicewatch';

export const ACCOUNT = 'c1e2f3045678901a2b3c4d5e6f7a8b81';
export const GROUP = 'b1e2f3045678901a2b3c4d5e6f7a8b81';
export const FAST_RETRY = { initialDelayMillis: 10, maxDelayMillis: 100 } as const;

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
