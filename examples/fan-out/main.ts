/**
 * The order service sending the same logs to Amazon CloudWatch Logs, Huawei Cloud LTS and SCP ServiceWatch at once,
 * each to its own destination. Providers whose variables are not set run as in-process emulators.
 *
 *   pnpm exec node --conditions=@otel-cloud-logs/source examples/fan-out/main.ts
 */
import { describeBackends, openBackends } from '../shared/backends.ts';
import { anyNotSent, summarize } from '../shared/report.ts';
import { startFanOutService } from './service.ts';

const backends = await openBackends({ logGroup: '/otel-cloud-logs/examples', logStream: 'fan-out' });
const service = await startFanOutService(backends, { port: Number(process.env.PORT ?? 3000), host: process.env.HOST });
console.error(`fan-out: listening on ${service.url}; logs go to\n${describeBackends(backends)}\nstop with Ctrl-C`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.error(`fan-out: ${signal}, shutting down`);
  await service.stop();
  console.error(summarize(backends));
  if (anyNotSent(backends)) process.exitCode = 1;
  await backends.close();
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
