/**
 * CloudWatch Logs through its OTLP endpoint (`/v1/logs`), both ways in, to one group and stream:
 *   SigV4        AWS credentials (the default chain); the group and stream are created on first use;
 *   bearer token a CloudWatch Logs API key (AWS_BEARER_TOKEN_LOGS), for workloads without AWS credentials; it may
 *                only put log events, so the group must exist with bearer authentication enabled.
 * Without AWS_REGION: an in-process emulator, with an API key made and bearer authentication enabled on the group.
 * With AWS_REGION (and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS for another endpoint): that service; the bearer part runs
 * when AWS_BEARER_TOKEN_LOGS is set (aws logs put-bearer-token-authentication on the group first).
 *
 *   pnpm exec node --conditions=@otel-cloud-logs/source examples/cloudwatch-otlp.ts
 */
import { SeverityNumber } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { BEARER_TOKEN_ENV, CloudWatchLogsOtlpExporter, type CloudWatchLogsOtlpExporterOptions } from '@otel-cloud-logs/cloudwatch-logs';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { applyOtelLogLevel } from './shared/diagnostics.ts';

applyOtelLogLevel();
const logGroupName = '/otel-cloud-logs/examples';
const logStreamName = 'cloudwatch-otlp';

// Where to send, and with which credentials: the environment's, or an emulator set up as an operator would.
let emulator: CloudWatchLogsEmulator | undefined;
let connection: Pick<CloudWatchLogsOtlpExporterOptions, 'region' | 'endpoint' | 'credentials'> = {};
let apiKey = process.env[BEARER_TOKEN_ENV] || undefined;
if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) {
  emulator = new CloudWatchLogsEmulator();
  connection = { region: emulator.region, endpoint: await emulator.start(), credentials: emulator.defaultCredentials };
  emulator.setBearerTokenAuthentication(logGroupName, true); // aws logs put-bearer-token-authentication …
  apiKey = emulator.createApiKey({ logGroupNames: [logGroupName] }); // aws iam create-service-specific-credential …
}

const runs: Array<{ name: string; options: CloudWatchLogsOtlpExporterOptions }> = [
  // Signed first: it creates the group and the stream the API key then writes to.
  { name: 'sigv4', options: { ...connection, auth: { type: 'sigv4' }, createLogGroup: true } },
];
if (apiKey) runs.push({ name: 'bearer', options: { region: connection.region, endpoint: connection.endpoint, auth: { type: 'bearer', token: apiKey }, encoding: 'json' } });

let notSent = 0;
for (const [index, { name, options }] of runs.entries()) {
  const exporter = new CloudWatchLogsOtlpExporter({ ...options, logGroupName, logStreamName });
  if (index === 0) console.error(`cloudwatch-otlp: logs go to ${exporter.endpoint.href} (${emulator ? 'in-process emulator' : 'set by environment'}), log group ${logGroupName}, stream ${logStreamName}`);
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'cloudwatch-otlp' }),
    processors: [new ConstraintAwareBatchProcessor({ exporter, scheduledDelayMillis: 500 })],
  });
  const logger = provider.getLogger('orders', '1.0.0');
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order accepted', attributes: { 'order.id': 42, auth: name } });
  logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: { event: 'payment retried', attempt: 2 }, attributes: { auth: name } });
  await provider.shutdown(); // flushes
  const metrics = exporter.metrics.snapshot();
  const refused = Object.entries({ ...metrics.dropped, ...metrics.rejected }).map(([reason, count]) => `${reason} ${count}`);
  console.error(`  ${name.padEnd(7)} ${exporter.encoding.padEnd(8)} accepted ${metrics.exported} in ${metrics.requests} request(s)${refused.length ? `, not sent: ${refused.join(', ')}` : ''}`);
  notSent += metrics.droppedTotal + metrics.rejectedTotal;
}
if (!apiKey) console.error(`  bearer  skipped: set ${BEARER_TOKEN_ENV} to a CloudWatch Logs API key to send with it too`);

if (emulator) {
  // What the service keeps of each record: one event, the record's OTLP fields as flattened JSON.
  for (const event of emulator.events(logGroupName, logStreamName)) console.error(`  stored: ${event.message}`);
  await emulator.stop();
}
if (notSent > 0) {
  console.error(process.env.OTEL_LOG_LEVEL ? 'some records were not sent' : 'some records were not sent (run with OTEL_LOG_LEVEL=warn to see why)');
  process.exitCode = 1;
}
