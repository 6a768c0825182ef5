/**
 * `pnpm emulators`: runs the three emulators on fixed ports for use with other tools (the AWS CLI, curl, an app
 * under development) until Ctrl-C, prints for each the `export` lines of the variables our exporters read, and
 * serves the web console on loopback.
 *
 *   pnpm emulators [--host 127.0.0.1] [--cloudwatch-port 4510] [--huawei-lts-port 4520] [--servicewatch-port 4530] [--console-port 4500]
 *
 * Environment: EMULATORS_HOST, CLOUDWATCH_EMULATOR_PORT, HUAWEI_LTS_EMULATOR_PORT, SERVICEWATCH_EMULATOR_PORT,
 * EMULATORS_CONSOLE_PORT (flags win). Port 0 picks a free port.
 */
import { parseArgs } from 'node:util';
import { CloudWatchLogsEmulator, EmulatorConsole, HUAWEI_LTS_EMULATOR_DEFAULTS, HuaweiLtsEmulator, ServiceWatchEmulator } from './index.ts';

const DEFAULT_PORTS = { cloudwatch: 4510, huaweiLts: 4520, serviceWatch: 4530, console: 4500 } as const;

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new RangeError(`${name} must be a port number 0-65535 (0 picks a free port), got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function options(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      'cloudwatch-port': { type: 'string' },
      'huawei-lts-port': { type: 'string' },
      'servicewatch-port': { type: 'string' },
      'console-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return {
    help: values.help === true,
    host: values.host ?? env.EMULATORS_HOST ?? '127.0.0.1',
    cloudwatch: port('--cloudwatch-port', values['cloudwatch-port'] ?? env.CLOUDWATCH_EMULATOR_PORT, DEFAULT_PORTS.cloudwatch),
    huaweiLts: port('--huawei-lts-port', values['huawei-lts-port'] ?? env.HUAWEI_LTS_EMULATOR_PORT, DEFAULT_PORTS.huaweiLts),
    serviceWatch: port('--servicewatch-port', values['servicewatch-port'] ?? env.SERVICEWATCH_EMULATOR_PORT, DEFAULT_PORTS.serviceWatch),
    console: port('--console-port', values['console-port'] ?? env.EMULATORS_CONSOLE_PORT, DEFAULT_PORTS.console),
  };
}

const USAGE = `usage: pnpm emulators [--host 127.0.0.1] [--cloudwatch-port ${DEFAULT_PORTS.cloudwatch}] [--huawei-lts-port ${DEFAULT_PORTS.huaweiLts}] [--servicewatch-port ${DEFAULT_PORTS.serviceWatch}] [--console-port ${DEFAULT_PORTS.console}]
environment: EMULATORS_HOST, CLOUDWATCH_EMULATOR_PORT, HUAWEI_LTS_EMULATOR_PORT, SERVICEWATCH_EMULATOR_PORT, EMULATORS_CONSOLE_PORT (flags win; 0 picks a free port)
the web console listens on loopback only (127.0.0.1 unless --host is another loopback address)`;

async function main(): Promise<void> {
  let config: ReturnType<typeof options>;
  try {
    config = options(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (config.help) {
    console.log(USAGE);
    return;
  }

  const cloudWatch = new CloudWatchLogsEmulator();
  const huaweiLts = new HuaweiLtsEmulator();
  const serviceWatch = new ServiceWatchEmulator();
  const running: Array<{ stop(): Promise<void> }> = [];
  const stopAll = () => Promise.all(running.map((emulator) => emulator.stop()));
  const webConsole = new EmulatorConsole({ cloudWatch, huaweiLts, serviceWatch });
  let urls: { cloudWatch: string; huaweiLts: string; serviceWatch: string; console: string };
  try {
    const start = async (emulator: { start(options: { host: string; port: number }): Promise<string>; stop(): Promise<void> }, port: number, what: string) => {
      try {
        const url = await emulator.start({ host: config.host, port });
        running.push(emulator);
        return url;
      } catch (error) {
        throw new Error(`could not start the ${what} emulator on ${config.host}:${port}: ${(error as Error).message} (choose another port with the flag or variable below)`);
      }
    };
    urls = {
      cloudWatch: await start(cloudWatch, config.cloudwatch, 'CloudWatch Logs'),
      huaweiLts: (await start(huaweiLts, config.huaweiLts, 'Huawei LTS')).replace(/\/$/, ''),
      serviceWatch: await start(serviceWatch, config.serviceWatch, 'SCP ServiceWatch'),
      console: await startConsole(webConsole, isLoopbackHost(config.host) ? config.host : '127.0.0.1', config.console, running),
    };
  } catch (error) {
    await stopAll();
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 1;
    return;
  }

  const aws = cloudWatch.defaultCredentials;
  // An API key for the OTLP endpoint, printed commented out: once exported, our OTLP exporter sends it instead of signing.
  const apiKey = cloudWatch.createApiKey();
  const huawei = HUAWEI_LTS_EMULATOR_DEFAULTS;
  const scp = ServiceWatchEmulator.DEFAULT_CREDENTIAL;
  const variables = (entries: Record<string, string>) =>
    Object.entries(entries)
      .map(([name, value]) => `  export ${name}=${value}`)
      .join('\n');
  console.log(`Web console              ${urls.console}   (loopback only: records, charts, faults)

Emulators running. Paste a block into a shell to point our exporters, the examples or another tool at one
(test credentials, accepted by these emulators and nowhere else):

Amazon CloudWatch Logs   ${urls.cloudWatch}
${variables({
  AWS_REGION: cloudWatch.region,
  AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: urls.cloudWatch,
  AWS_ACCESS_KEY_ID: aws.accessKeyId,
  AWS_SECRET_ACCESS_KEY: aws.secretAccessKey,
})}
  # The OTLP endpoint (/v1/logs) with an API key instead of SigV4: allow bearer tokens on the group, e.g.
  #   aws logs put-bearer-token-authentication --log-group-identifier <group> --bearer-token-authentication-enabled
  # then: export AWS_BEARER_TOKEN_LOGS=${apiKey}

Huawei Cloud LTS         ${urls.huaweiLts}   (LTS, ingestion, IAM and GA endpoints are all this URL)
${variables({
  HUAWEICLOUD_REGION: huawei.region,
  HUAWEICLOUD_LTS_ENDPOINT: urls.huaweiLts,
  HUAWEICLOUD_LTS_INGEST_ENDPOINT: urls.huaweiLts,
  HUAWEICLOUD_IAM_ENDPOINT: urls.huaweiLts,
  HUAWEICLOUD_GA_ENDPOINT: urls.huaweiLts,
  HUAWEICLOUD_SDK_PROJECT_ID: huawei.projectId,
  HUAWEICLOUD_SDK_DOMAIN_ID: huawei.domainId,
  HUAWEICLOUD_SDK_AK: huawei.accessKeyId,
  HUAWEICLOUD_SDK_SK: huawei.secretAccessKey,
})}
  # IAM user for password auth (domain / user / password): ${huawei.user.domainName} / ${huawei.user.userName} / ${huawei.user.password}

SCP ServiceWatch         ${urls.serviceWatch}
${variables({
  SCP_SERVICEWATCH_ENDPOINT: urls.serviceWatch,
  SCP_ACCESS_KEY: scp.accessKey,
  SCP_SECRET_KEY: scp.secretKey,
  // Not read by the exporter (provisioning answers the account); the gateway example's account_id reads it.
  SCP_ACCOUNT_ID: ServiceWatchEmulator.DEFAULT_ACCOUNT_ID,
})}

Stop with Ctrl-C.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the emulators`);
    await stopAll();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function startConsole(webConsole: EmulatorConsole, host: string, port: number, running: Array<{ stop(): Promise<void> }>): Promise<string> {
  try {
    const url = await webConsole.start({ host, port });
    running.push(webConsole);
    return url;
  } catch (error) {
    throw new Error(`could not start the web console on ${host}:${port}: ${(error as Error).message} (choose another port with --console-port or EMULATORS_CONSOLE_PORT)`);
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

await main();
