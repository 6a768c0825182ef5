import { randomBytes } from 'node:crypto';
import type { FaultInjector } from '../common/faults.ts';
import { EmulatorHttpServer, type ListenOptions } from '../common/http-server.ts';
import type { ExchangeObserver } from '../common/observer.ts';
import { CloudWatchLogsHandler } from './handler.ts';
import type { OperationContext } from './operations/context.ts';
import { PUT_LOG_EVENTS_LIMITS, RETENTION_DAYS } from './operations/limits.ts';
import { CloudWatchLogsState, type LogGroupRecord, type CloudWatchStoredLogEvent } from './state.ts';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, SignatureVerifier, type CloudWatchEmulatorCredentials } from './sigv4-verifier.ts';

export interface CloudWatchLogsEmulatorOptions {
  /** Region the endpoint serves; requests must be signed for it. Default 'us-east-1'. */
  readonly region?: string;
  /** Account id used in ARNs. Default '123456789012'. */
  readonly accountId?: string;
  /** Key pairs accepted. Default: [CLOUDWATCH_EMULATOR_CREDENTIALS]. */
  readonly credentials?: readonly CloudWatchEmulatorCredentials[];
  /** Max size of one event (UTF-8 bytes + 26). Default 1,048,576 (current doc); 262,144 emulates the older doc. */
  readonly maxEventBytes?: number;
  /** Clock of the event time window (+2 h / −14 d / retention) and of ingestion times. Default Date.now. */
  readonly now?: () => number;
  /** Allowed distance between X-Amz-Date and the real clock. Default 5 minutes. */
  readonly signatureMaxSkewMillis?: number;
  /**
   * Whether `/v1/logs` keeps events over 1 MB as large log objects (else refuses them). Default: whether the
   * region is one the service lists for it.
   */
  readonly largeLogObjects?: boolean;
}

/** Regions CloudWatch-OTLPEndpoint lists as supporting events over 1 MB and large log objects (2026). */
export const LARGE_LOG_OBJECT_REGIONS: ReadonlySet<string> = new Set(['us-east-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2', 'ap-south-1', 'us-east-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-1']);

export interface CloudWatchLogGroupSnapshot {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly retentionInDays?: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly logGroupClass: string;
  readonly kmsKeyId?: string;
  readonly logStreamNames: readonly string[];
}

export interface CloudWatchLogStreamSnapshot {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly eventCount: number;
  readonly lastIngestionTime?: number;
}

const DEFAULT_SIGNATURE_SKEW_MILLIS = 5 * 60 * 1000;

/**
 * A local Amazon CloudWatch Logs endpoint for tests: AWS JSON 1.1 over real HTTP, SigV4-verified, enforcing the
 * documented PutLogEvents limits, and the OTLP endpoint `/v1/logs` (SigV4 or API-key bearer tokens), with fault
 * injection and read-back of what was stored.
 */
export class CloudWatchLogsEmulator {
  readonly region: string;
  readonly accountId: string;
  readonly credentials: readonly CloudWatchEmulatorCredentials[];
  private readonly store = new CloudWatchLogsState();
  private readonly server: EmulatorHttpServer;
  private readonly now: () => number;

  constructor(options: CloudWatchLogsEmulatorOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.credentials = options.credentials ?? [CLOUDWATCH_EMULATOR_CREDENTIALS];
    this.now = options.now ?? Date.now;
    const maxEventBytes = options.maxEventBytes ?? PUT_LOG_EVENTS_LIMITS.maxEventBytes;
    if (!Number.isSafeInteger(maxEventBytes) || maxEventBytes <= PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes || maxEventBytes > PUT_LOG_EVENTS_LIMITS.maxBatchBytes) {
      throw new RangeError(`CloudWatchLogsEmulator: maxEventBytes must be an integer in 27..${PUT_LOG_EVENTS_LIMITS.maxBatchBytes}, got ${String(maxEventBytes)}`);
    }
    if (this.credentials.length === 0) throw new RangeError('CloudWatchLogsEmulator: credentials must list at least one access key pair');
    const verifier = new SignatureVerifier({
      credentials: this.credentials,
      region: this.region,
      service: 'logs',
      maxSkewMillis: options.signatureMaxSkewMillis ?? DEFAULT_SIGNATURE_SKEW_MILLIS,
      now: Date.now,
    });
    const context: OperationContext = {
      store: this.store,
      now: this.now,
      region: this.region,
      accountId: this.accountId,
      maxEventBytes,
      largeLogObjects: options.largeLogObjects ?? LARGE_LOG_OBJECT_REGIONS.has(this.region),
    };
    this.server = new EmulatorHttpServer(new CloudWatchLogsHandler(verifier, context));
  }

  /** Starts listening (127.0.0.1, a free port by default) and returns the endpoint URL for the SDK's `endpoint`. */
  start(options: ListenOptions = {}): Promise<string> {
    return this.server.listen(options);
  }

  /** Stops listening and drops open connections. The stored state is kept. */
  stop(): Promise<void> {
    return this.server.close();
  }

  get url(): string {
    return this.server.url;
  }

  /** Fault rules; `operation` is the X-Amz-Target operation name, e.g. 'PutLogEvents'. */
  get faults(): FaultInjector {
    return this.server.faults;
  }

  /** Told about every answered request (what the web console draws its charts from); `undefined` stops it. */
  observeRequests(observer: ExchangeObserver | undefined): void {
    this.server.observer = observer;
  }

  /** A copy of the first accepted key pair, for an SDK client's `credentials`. */
  get defaultCredentials(): CloudWatchEmulatorCredentials {
    return { ...this.credentials[0]! };
  }

  /** Events of one stream in the order they were stored; empty when the group or stream does not exist. */
  events(logGroupName: string, logStreamName: string): CloudWatchStoredLogEvent[] {
    return [...(this.store.group(logGroupName)?.streams.get(logStreamName)?.events ?? [])];
  }

  /** Every stored event of a group, stream by stream. */
  groupEvents(logGroupName: string): CloudWatchStoredLogEvent[] {
    return [...(this.store.group(logGroupName)?.streams.values() ?? [])].flatMap((stream) => stream.events);
  }

  logGroups(): CloudWatchLogGroupSnapshot[] {
    return this.store.sortedGroups().map(snapshotGroup);
  }

  logGroup(logGroupName: string): CloudWatchLogGroupSnapshot | undefined {
    const group = this.store.group(logGroupName);
    return group && snapshotGroup(group);
  }

  /** Streams of a group sorted by name; empty when the group does not exist. */
  logStreams(logGroupName: string): CloudWatchLogStreamSnapshot[] {
    return [...(this.store.group(logGroupName)?.streams.values() ?? [])]
      .map((stream) => ({
        logStreamName: stream.logStreamName,
        creationTime: stream.creationTime,
        eventCount: stream.events.length,
        ...(stream.lastIngestionTime !== undefined && { lastIngestionTime: stream.lastIngestionTime }),
      }))
      .sort((a, b) => (a.logStreamName < b.logStreamName ? -1 : a.logStreamName > b.logStreamName ? 1 : 0));
  }

  /** Requests received for one operation (faulted and refused ones included). */
  requestCount(operation: string): number {
    return this.server.requestCounts.get(operation) ?? 0;
  }

  /** Requests received, by operation. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.server.requestCounts);
  }

  /** Creates a group directly (test setup without a client); no-op when it exists. */
  seedLogGroup(logGroupName: string, options: { retentionInDays?: number; tags?: Record<string, string>; logGroupClass?: string } = {}): void {
    if (options.retentionInDays !== undefined && !RETENTION_DAYS.has(options.retentionInDays)) {
      throw new RangeError(`seedLogGroup: retentionInDays ${options.retentionInDays} is not one of ${[...RETENTION_DAYS].join(', ')}`);
    }
    this.store.addGroup({ logGroupName, creationTime: this.now(), logGroupClass: options.logGroupClass ?? 'STANDARD', tags: { ...options.tags } });
    if (options.retentionInDays !== undefined) this.store.group(logGroupName)!.retentionInDays = options.retentionInDays;
  }

  /** Creates a stream directly (and its group when missing); no-op when it exists. */
  seedLogStream(logGroupName: string, logStreamName: string): void {
    this.seedLogGroup(logGroupName);
    this.store.addStream(this.store.group(logGroupName)!, logStreamName, this.now());
  }

  /**
   * A CloudWatch Logs API key (as `aws iam create-service-specific-credential --service-name logs.amazonaws.com`
   * makes): the bearer token to send. `logGroupNames` narrows what it may write to, as an IAM policy would. The
   * groups it writes to must also have bearer token authentication enabled (`setBearerTokenAuthentication`).
   */
  createApiKey(options: { logGroupNames?: readonly string[] } = {}): string {
    const token = `ACWL${randomBytes(30).toString('base64url')}`;
    this.store.apiKeys.set(token, options.logGroupNames ? { logGroupNames: new Set(options.logGroupNames) } : {});
    return token;
  }

  /** Makes an API key invalid (as deleting or deactivating the credential does). */
  revokeApiKey(token: string): void {
    this.store.apiKeys.delete(token);
  }

  /** PutBearerTokenAuthentication: whether API keys may write to the group (created when missing). */
  setBearerTokenAuthentication(logGroupName: string, enabled: boolean): void {
    this.seedLogGroup(logGroupName);
    this.store.group(logGroupName)!.bearerTokenAuthenticationEnabled = enabled;
  }

  /** A large log object's whole value (what GetLogObject returns), or undefined. */
  logObject(pointer: string): { logGroupName: string; logStreamName: string; value: string } | undefined {
    const object = this.store.logObjects.get(pointer);
    return object && { ...object };
  }

  /** Forgets all groups, streams, events, API keys, large log objects, request counts and fault rules. */
  reset(): void {
    this.store.clear();
    this.server.requestCounts.clear();
    this.server.faults.clear();
  }
}

function snapshotGroup(group: LogGroupRecord): CloudWatchLogGroupSnapshot {
  return {
    logGroupName: group.logGroupName,
    creationTime: group.creationTime,
    ...(group.retentionInDays !== undefined && { retentionInDays: group.retentionInDays }),
    tags: { ...group.tags },
    logGroupClass: group.logGroupClass,
    ...(group.kmsKeyId !== undefined && { kmsKeyId: group.kmsKeyId }),
    logStreamNames: [...group.streams.keys()].sort(),
  };
}
