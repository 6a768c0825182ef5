/**
 * The OpenTelemetry logs SDK without NodeSDK: a LoggerProvider with our processor, records emitted directly.
 * One record is routed to another stream by its `log_stream_value` attribute.
 *
 *   pnpm exec node --conditions=@otel-cloud-logs/source examples/plain-logger-provider.ts
 */
import { SeverityNumber } from '@opentelemetry/api';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { describeBackends, openBackends } from './shared/backends.ts';
import { applyOtelLogLevel } from './shared/diagnostics.ts';
import { chosenProvider } from './shared/provider-choice.ts';
import { anyNotSent, summarize } from './shared/report.ts';

applyOtelLogLevel(); // NodeSDK would do this; here it is done by hand
const backends = await openBackends({ logGroup: '/otel-cloud-logs/examples', logStream: 'plain-logger-provider' }, [chosenProvider()]);
const [backend] = backends.list;
console.error(`plain-logger-provider: logs go to\n${describeBackends(backends)}`);

const loggerProvider = new LoggerProvider({
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults given here.
  resource: resourceFromAttributes({ 'service.name': 'plain-logger-provider' }).merge(detectResources({ detectors: [envDetector] })),
  processors: [new ConstraintAwareBatchProcessor({ exporter: backend.exporter, scheduledDelayMillis: 500 })],
});
const logger = loggerProvider.getLogger('billing', '1.0.0');

logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'invoice created', attributes: { 'invoice.id': 'INV-1001', amount: 129.5 } });
logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: { event: 'retrying charge', attempt: 2, card: 'visa' } });
// Routed by record attribute: this one goes to the "audit" stream, the others to the default one. For CloudWatch
// Logs and LTS that is `{ log_stream_value: 'audit' }`; ServiceWatch routes by the values provisioning returned.
const audit = await backend.routeToStream('audit');
logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'refund approved by finance', attributes: { ...audit, approver: 'kim' } });

await loggerProvider.shutdown(); // flushes and stops the processors
console.error(summarize(backends));
if (anyNotSent(backends)) process.exitCode = 1;
await backends.close();
