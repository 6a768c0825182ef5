import type { AddressInfo } from 'node:net';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import type { Backends } from '../shared/backends.ts';
import { metricReadersForLogsOnly, spanProcessorsForLogCorrelation } from '../shared/sdk-defaults.ts';
import { createShopApp, type ShopAppOptions } from '../shared/shop-app.ts';

export interface FanOutOptions extends ShopAppOptions {
  /** Default 3000; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Processors that see every record too (e.g. a counter). */
  readonly extraProcessors?: readonly LogRecordProcessor[];
  /** How long stopping waits for each provider's queue before counting what is left as dropped. Default 30 s. */
  readonly shutdownTimeoutMillis?: number;
}

export interface FanOutService {
  readonly url: string;
  /** Stops taking requests, then flushes every queued record to every provider. */
  stop(): Promise<void>;
}

/**
 * The order service with one LoggerProvider and one processor per provider: every record goes to every provider,
 * each to the destination its exporter is configured with (or that the record's routing attributes name).
 */
export async function startFanOutService(backends: Backends, options: FanOutOptions = {}): Promise<FanOutService> {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': 'fan-out' }),
    logRecordProcessors: [
      ...backends.list.map((backend) => new ConstraintAwareBatchProcessor({ exporter: backend.exporter, shutdownTimeoutMillis: options.shutdownTimeoutMillis })),
      ...(options.extraProcessors ?? []),
    ],
    spanProcessors: spanProcessorsForLogCorrelation(),
    metricReaders: metricReadersForLogsOnly(),
    instrumentations: [new PinoInstrumentation(), new HttpInstrumentation()],
  });
  sdk.start();
  const app = createShopApp(options);
  await app.listen({ port: options.port ?? 3000, host: options.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stop: async () => {
      await app.close();
      await sdk.shutdown();
    },
  };
}
