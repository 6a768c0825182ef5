/**
 * Where the examples send their logs. Each provider goes to the real service when its usual environment
 * variables are set, and to an in-process emulator when they are not, so every example runs on a fresh clone.
 *
 *   Amazon CloudWatch Logs  AWS_REGION (or AWS_DEFAULT_REGION); credentials from the AWS default chain
 *                           (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, …); AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
 *   Huawei Cloud LTS        HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_REGION
 *   SCP ServiceWatch        SCP_ACCESS_KEY, SCP_SECRET_KEY, and SCP_REGION + SCP_ENVIRONMENT (or SCP_SERVICEWATCH_ENDPOINT)
 */
import { CloudWatchLogsExporter } from '@otel-cloud-logs/cloudwatch-logs';
import type { ConstraintAwareExporter } from '@otel-cloud-logs/core';
import { CloudWatchLogsEmulator, HUAWEI_LTS_EMULATOR_DEFAULTS, HuaweiLtsEmulator, ServiceWatchEmulator, type FaultInjector } from '@otel-cloud-logs/emulators';
import { HuaweiLtsExporter } from '@otel-cloud-logs/huawei-lts';
import { ServiceWatchLogsExporter, provisionCustomLogStream } from '@otel-cloud-logs/scp-servicewatch';

export type ProviderName = 'cloudwatch-logs' | 'huawei-lts' | 'scp-servicewatch';

export const PROVIDERS: readonly ProviderName[] = ['cloudwatch-logs', 'huawei-lts', 'scp-servicewatch'];

/** A stored record as the service's console would list it. */
export interface StoredRecord {
  readonly timeMillis: number;
  readonly text: string;
  readonly traceId?: string;
  /** Its destination, e.g. "group / stream". */
  readonly where: string;
}

/** Record attributes that route a record (`log_group_value`, `log_stream_value`, `account_id`). */
export type RoutingAttributes = Readonly<Record<string, string>>;

export interface Backend {
  readonly provider: ProviderName;
  /**
   * 'environment' when the provider's environment variables are set (a real service, or `pnpm emulators`),
   * 'emulator' when the example runs its own in-process emulator.
   */
  readonly target: 'environment' | 'emulator';
  /** Base URL records are sent to. */
  readonly endpoint: string;
  readonly exporter: ConstraintAwareExporter;
  /** Where records without routing attributes go, in the provider's terms. */
  readonly destination: string;
  /** What the emulator stored (every destination); undefined for a real service, which the example cannot read back. */
  stored(): StoredRecord[] | undefined;
  /** Fault injection of the in-process emulator; undefined otherwise. */
  readonly faults: FaultInjector | undefined;
  /**
   * The attributes that send a record to another stream of the default group. A stream name for CloudWatch Logs and
   * LTS (created on first use); for ServiceWatch, which routes by value, the values provisioning the stream returns.
   */
  routeToStream(logStreamName: string): Promise<RoutingAttributes>;
}

export interface Backends {
  readonly list: readonly Backend[];
  /** Stops the emulators; call it after the SDK or LoggerProvider has shut down, so that everything was delivered. */
  close(): Promise<void>;
}

/** Names every example uses unless told otherwise: one group, one stream per example. */
export interface DestinationNames {
  readonly logGroup: string;
  readonly logStream: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function isSet(env: Env, ...names: string[]): boolean {
  return names.some((name) => (env[name] ?? '').trim() !== '');
}

/** The providers that can run here: configured in the environment, or with an emulator in this repository. */
export function availableProviders(env: Env = process.env): ProviderName[] {
  return PROVIDERS.filter((provider) => providerTarget(provider, env) !== undefined);
}

function providerTarget(provider: ProviderName, env: Env): Backend['target'] | undefined {
  switch (provider) {
    case 'cloudwatch-logs':
      return isSet(env, 'AWS_REGION', 'AWS_DEFAULT_REGION') ? 'environment' : 'emulator';
    case 'huawei-lts':
      return isSet(env, 'HUAWEICLOUD_SDK_AK') ? 'environment' : 'emulator';
    case 'scp-servicewatch':
      return isSet(env, 'SCP_ACCESS_KEY') ? 'environment' : 'emulator';
  }
}

/**
 * Opens one backend per provider (all available ones by default). Throws when a provider is asked for that can
 * neither reach its service nor run an emulator.
 */
export async function openBackends(names: DestinationNames, providers: readonly ProviderName[] = availableProviders(), env: Env = process.env): Promise<Backends> {
  const list: Backend[] = [];
  const emulators: Array<{ stop(): Promise<void> }> = [];
  try {
    for (const provider of providers) {
      const target = providerTarget(provider, env);
      if (!target) throw new Error(`${provider}: no credentials in the environment and no emulator available; see examples/README.md for the variables to set`);
      list.push(await open(provider, target, names, env, emulators));
    }
  } catch (error) {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
    throw error;
  }
  return {
    list,
    close: async () => {
      await Promise.all(emulators.map((emulator) => emulator.stop()));
    },
  };
}

async function open(provider: ProviderName, target: Backend['target'], names: DestinationNames, env: Env, emulators: Array<{ stop(): Promise<void> }>): Promise<Backend> {
  switch (provider) {
    case 'cloudwatch-logs':
      return target === 'environment' ? cloudWatch(names) : cloudWatchEmulated(names, emulators);
    case 'huawei-lts':
      return huaweiLts(names, target, emulators);
    case 'scp-servicewatch':
      return serviceWatch(names, target, env, emulators);
  }
}

/** CloudWatch Logs and LTS route by name: a stream named in `log_stream_value` is created on first use. */
const routeByName = async (logStreamName: string): Promise<RoutingAttributes> => ({ log_stream_value: logStreamName });

function cloudWatch(names: DestinationNames): Backend {
  // Region, endpoint and credentials: AWS_REGION, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and the AWS default chain.
  const exporter = new CloudWatchLogsExporter({ logGroupName: names.logGroup, logStreamName: names.logStream, createLogGroup: true, retentionInDays: 7 });
  return {
    provider: 'cloudwatch-logs',
    target: 'environment',
    endpoint: withoutTrailingSlash(exporter.endpoint.href),
    exporter,
    destination: `log group ${names.logGroup}, stream ${names.logStream}`,
    stored: () => undefined,
    faults: undefined,
    routeToStream: routeByName,
  };
}

async function cloudWatchEmulated(names: DestinationNames, emulators: Array<{ stop(): Promise<void> }>): Promise<Backend> {
  const emulator = new CloudWatchLogsEmulator();
  const endpoint = await emulator.start();
  emulators.push(emulator);
  const exporter = new CloudWatchLogsExporter({
    region: emulator.region,
    endpoint,
    credentials: emulator.defaultCredentials,
    logGroupName: names.logGroup,
    logStreamName: names.logStream,
    createLogGroup: true,
  });
  return {
    provider: 'cloudwatch-logs',
    target: 'emulator',
    endpoint,
    exporter,
    destination: `log group ${names.logGroup}, stream ${names.logStream}`,
    faults: emulator.faults,
    routeToStream: routeByName,
    stored: () =>
      emulator.logGroups().flatMap((group) =>
        group.logStreamNames.flatMap((stream) =>
          emulator.events(group.logGroupName, stream).map((event) => ({
            timeMillis: event.timestamp,
            text: event.message,
            traceId: traceIdOf(event.message),
            where: `${group.logGroupName} / ${stream}`,
          })),
        ),
      ),
  };
}

async function huaweiLts(names: DestinationNames, target: Backend['target'], emulators: Array<{ stop(): Promise<void> }>): Promise<Backend> {
  // LTS names allow letters, digits, '-', '_' and '.', so the CloudWatch-style '/' of the group name is replaced.
  const logGroup = names.logGroup.replace(/^\/+/, '').replace(/\//g, '-');
  let emulator: HuaweiLtsEmulator | undefined;
  let connection = {};
  if (target === 'emulator') {
    emulator = new HuaweiLtsEmulator();
    const url = await emulator.start();
    emulators.push(emulator);
    const defaults = HUAWEI_LTS_EMULATOR_DEFAULTS;
    connection = {
      region: defaults.region,
      projectId: defaults.projectId,
      auth: { type: 'aksk', accessKeyId: defaults.accessKeyId, secretAccessKey: defaults.secretAccessKey },
      endpoint: url,
      ingestEndpoint: url,
      iamEndpoint: url,
      gaEndpoint: url,
    } as const;
  }
  // Otherwise region, project and AK/SK come from HUAWEICLOUD_REGION, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_AK/SK.
  const exporter = new HuaweiLtsExporter({ ...connection, logGroup, logStream: names.logStream, createMissing: true });
  const shown = emulator;
  return {
    provider: 'huawei-lts',
    target,
    endpoint: withoutTrailingSlash(exporter.client.connection.ingestEndpoint.href),
    exporter,
    destination: `project ${exporter.destinationDefaults.accountId ?? '(unset)'}, log group ${logGroup}, stream ${names.logStream}`,
    faults: emulator?.faults,
    routeToStream: routeByName,
    stored: () =>
      shown?.allLines().map((line) => ({
        timeMillis: Number(BigInt(line.timeNs) / 1_000_000n),
        text: line.line,
        traceId: traceIdOf(line.line),
        where: `${line.projectId} / ${line.logGroupName} / ${line.logStreamName}`,
      })),
  };
}

async function serviceWatch(names: DestinationNames, target: Backend['target'], env: Env, emulators: Array<{ stop(): Promise<void> }>): Promise<Backend> {
  let connection: { endpoint?: string; accessKey?: string; secretKey?: string } = {};
  let emulator: ServiceWatchEmulator | undefined;
  if (target === 'emulator') {
    emulator = new ServiceWatchEmulator();
    const endpoint = await emulator.start();
    emulators.push(emulator);
    connection = { endpoint, ...ServiceWatchEmulator.DEFAULT_CREDENTIAL };
  }
  // ServiceWatch routes by the values provisioning returns (not by names): provision the stream (idempotent) first.
  const logGroupName = names.logGroup.replace(/^\/+/, '');
  const stream = await provisionCustomLogStream({ ...connection, logGroupName, logStreamName: names.logStream }, env);
  const exporter = new ServiceWatchLogsExporter({ ...connection, ...stream }, env);
  const shown = emulator;
  return {
    provider: 'scp-servicewatch',
    target,
    endpoint: exporter.endpoint,
    exporter,
    destination: `account ${stream.accountId}, log group value ${stream.logGroupValue}, stream value ${stream.logStreamValue}`,
    faults: emulator?.faults,
    routeToStream: async (logStreamName) => {
      const other = await provisionCustomLogStream({ ...connection, logGroupName, logStreamName }, env);
      if (other.requestsPerSecond !== undefined) exporter.setRequestsPerSecond(other.logStreamValue, other.requestsPerSecond);
      return { account_id: other.accountId, log_group_value: other.logGroupValue, log_stream_value: other.logStreamValue };
    },
    stored: () =>
      shown?.records().map((record) => ({
        timeMillis: Number(BigInt(record.timeUnixNano) / 1_000_000n),
        text: JSON.stringify({ severityText: record.severityText, body: record.body, attributes: record.attributes, traceId: record.traceId, spanId: record.spanId }),
        traceId: record.traceId,
        where: `${record.accountId} / ${record.logGroupValue} / ${record.logStreamValue}`,
      })),
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/$/, '');
}

function traceIdOf(message: string): string | undefined {
  try {
    const parsed = JSON.parse(message) as { traceId?: unknown };
    const traceId = parsed.traceId;
    return typeof traceId === 'string' ? traceId : undefined;
  } catch {
    return undefined;
  }
}

/** One line per backend: where its records go, and whether the environment or an in-process emulator chose that. */
export function describeBackends(backends: Backends): string {
  return backends.list
    .map((backend) => {
      const how = backend.target === 'emulator' ? 'in-process emulator' : 'set by environment';
      return `  ${backend.provider.padEnd(17)} ${how.padEnd(19)} ${backend.endpoint}  (${backend.destination})`;
    })
    .join('\n');
}
