import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { parseArgs } from 'node:util';
import { gatewayOptionsFromFile } from './config/load.ts';
import { ConfigError } from './config/node.ts';
import { Gateway } from './gateway/server.ts';

const USAGE = `Usage:
  otel-cloud-logs serve --config <pipeline.yaml>      run the OTLP/HTTP gateway until SIGTERM/SIGINT
  otel-cloud-logs validate --config <pipeline.yaml>   check a configuration and exit (0 when valid)

Options:
  -c, --config <file>    the Collector-style YAML configuration (\${env:VAR} and \${env:VAR:-default} are substituted)
      --log-level <lvl>  diagnostics on stderr: error, warn (default), info, debug, none
  -h, --help             show this help`;

const LOG_LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
};

function log(message: string): void {
  process.stderr.write(`otel-cloud-logs: ${message}\n`);
}

/** Runs the command line; resolves with the process exit code (after shutdown, for `serve`). */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    log(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command !== 'serve' && command !== 'validate') {
    log(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  if (!values.config) {
    log(`--config <file> is required\n${USAGE}`);
    return 2;
  }
  const level = LOG_LEVELS[values['log-level'] ?? 'warn'];
  if (level === undefined) {
    log(`--log-level must be one of ${Object.keys(LOG_LEVELS).join(', ')}`);
    return 2;
  }
  diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });

  let options;
  try {
    options = await gatewayOptionsFromFile(values.config);
  } catch (error) {
    log(error instanceof ConfigError ? error.message : `cannot load ${values.config}: ${(error as Error).message}`);
    return 1;
  }
  const gateway = new Gateway(options);
  if (command === 'validate') {
    await gateway.stop();
    process.stdout.write(`${values.config} is valid: ${options.receivers.length} receiver(s), ${options.sinks.length} exporter(s)\n`);
    return 0;
  }
  return serve(gateway, options.shutdownTimeoutMillis ?? 30_000);
}

async function serve(gateway: Gateway, shutdownTimeoutMillis: number): Promise<number> {
  try {
    const urls = await gateway.start();
    log(`listening on ${urls.map((url) => `${url}/v1/logs`).join(', ')} (status page: /, health: /healthz, metrics: /metrics)`);
  } catch (error) {
    log(`cannot listen: ${(error as Error).message}`);
    await gateway.stop();
    return 1;
  }
  // One handler for the whole run: swapping handlers between the first and the second signal would leave a
  // moment with none, in which a quick second signal would kill the process outright.
  let stopNow: (code: number) => void = () => {};
  const forced = new Promise<number>((resolve) => (stopNow = resolve));
  let firstSignal: (signal: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => (firstSignal = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => (++signals === 1 ? firstSignal(signal) : stopNow(130));
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const signal = await signalled;
  log(`${signal}: no longer accepting requests; draining the exporters (at most ${shutdownTimeoutMillis} ms, send the signal again to stop now)`);
  const drained = gateway.stop().then((report) => {
    const metrics = gateway.metrics();
    const exported = Object.entries(metrics.exporters).map(([name, snapshot]) => `${name}: ${snapshot.exported} exported, ${snapshot.droppedTotal} dropped, ${snapshot.rejectedTotal} rejected`);
    if (report.complete) {
      log(`drained (${exported.join('; ') || 'no exporters'})`);
      return 0;
    }
    log(`shutdown deadline passed with ${report.undeliveredRecords} log record(s) undelivered (${exported.join('; ')})`);
    return 1;
  });
  const code = await Promise.race([drained, forced]);
  if (code === 130) log('stopped without draining');
  return code;
}
