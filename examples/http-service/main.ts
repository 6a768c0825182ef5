/**
 * A fastify service started through the OpenTelemetry NodeSDK, logging through pino. PinoInstrumentation puts
 * the active trace and span ids into every record and sends the records to the SDK's LoggerProvider, whose
 * processor is ours instead of the default OTLP one.
 *
 *   pnpm exec node --conditions=@otel-cloud-logs/source examples/http-service/main.ts
 *   curl localhost:3000/orders/42
 */
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { describeBackends, openBackends } from '../shared/backends.ts';
import { chosenProvider } from '../shared/provider-choice.ts';
import { anyNotSent, summarize } from '../shared/report.ts';
import { createShopApp } from '../shared/shop-app.ts';
import { metricReadersForLogsOnly, spanProcessorsForLogCorrelation } from '../shared/sdk-defaults.ts';

const backends = await openBackends({ logGroup: '/otel-cloud-logs/examples', logStream: 'http-service' }, [chosenProvider()]);

const sdk = new NodeSDK({
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (e.g. log_group_value=…) override this.
  resource: resourceFromAttributes({ 'service.name': 'http-service' }),
  logRecordProcessors: backends.list.map((backend) => new ConstraintAwareBatchProcessor({ exporter: backend.exporter })),
  spanProcessors: spanProcessorsForLogCorrelation(),
  metricReaders: metricReadersForLogsOnly(),
  instrumentations: [new PinoInstrumentation(), new HttpInstrumentation()],
});
sdk.start();

const app = createShopApp();
await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
console.error(`http-service: logs go to\n${describeBackends(backends)}\nstop with Ctrl-C`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`http-service: ${signal}, shutting down`);
  await app.close();
  await sdk.shutdown(); // flushes every queued record
  console.error(summarize(backends));
  if (anyNotSent(backends)) process.exitCode = 1;
  await backends.close();
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
