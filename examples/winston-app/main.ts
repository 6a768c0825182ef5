/**
 * A winston app. `@opentelemetry/winston-transport` emits through `@opentelemetry/api-logs`, whose global is not
 * the one NodeSDK registers its LoggerProvider with (`@opentelemetry/api`): `bridgeApiLogs(logs)` connects the two.
 *
 *   pnpm exec node --conditions=@otel-cloud-logs/source examples/winston-app/main.ts
 */
import { once } from 'node:events';
import { logs } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OpenTelemetryTransportV3 } from '@opentelemetry/winston-transport';
import { ConstraintAwareBatchProcessor, bridgeApiLogs } from '@otel-cloud-logs/core';
import winston from 'winston';
import { describeBackends, openBackends } from '../shared/backends.ts';
import { chosenProvider } from '../shared/provider-choice.ts';
import { anyNotSent, summarize } from '../shared/report.ts';
import { metricReadersForLogsOnly, spanProcessorsForLogCorrelation } from '../shared/sdk-defaults.ts';
import { MULTIBYTE_MESSAGE } from '../shared/shop-app.ts';

const backends = await openBackends({ logGroup: '/otel-cloud-logs/examples', logStream: 'winston-app' }, [chosenProvider()]);
console.error(`winston-app: logs go to\n${describeBackends(backends)}`);

const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'winston-app' }),
  logRecordProcessors: backends.list.map((backend) => new ConstraintAwareBatchProcessor({ exporter: backend.exporter })),
  spanProcessors: spanProcessorsForLogCorrelation(),
  metricReaders: metricReadersForLogsOnly(),
});
sdk.start();
bridgeApiLogs(logs); // records of @opentelemetry/api-logs now reach the SDK's LoggerProvider

const logger = winston.createLogger({
  level: 'info',
  format: winston.format.json(),
  transports: [new winston.transports.Console(), new OpenTelemetryTransportV3()],
});

logger.info('nightly import started', { job: 'nightly-import', rows: 3 });
logger.warn('row 2 has no e-mail address', { row: 2 });
logger.error('row 3 could not be parsed', { row: 3, reason: 'invalid date "2024-02-30"' });
logger.info(MULTIBYTE_MESSAGE, { job: 'nightly-import' });
logger.info('nightly import finished', { job: 'nightly-import', imported: 2, failed: 1 });

// winston hands records to its transports asynchronously: let it finish before the SDK flushes.
logger.end();
await once(logger, 'finish');
await sdk.shutdown();
console.error(summarize(backends));
if (anyNotSent(backends)) process.exitCode = 1;
await backends.close();
