import type { FaultRule } from '../common/faults.ts';
import { EmulatorHttpServer, type ListenOptions } from '../common/http-server.ts';
import type { ExchangeObserver } from '../common/observer.ts';
import { ServiceWatchHandler } from './handler.ts';
import type { ServiceWatchSettings } from './operations/context.ts';
import type { ServiceWatchEmulatorCredential } from './signature.ts';
import { keyOf, ServiceWatchState, type EmulatedLogGroup, type EmulatedLogStream, type ReceivedLogEventsRequest } from './state.ts';
import type { StoredDestination, StoredRecord } from './validate.ts';

export interface ServiceWatchEmulatorOptions {
  /** Access keys accepted. Default: one key, ServiceWatchEmulator.DEFAULT_CREDENTIAL, allowed on every account. */
  readonly credentials?: readonly ServiceWatchEmulatorCredential[];
  /** Account of log groups and streams created by keys without their own account. */
  readonly accountId?: string;
  /** Max request body in bytes; larger bodies get 413. Default 1,048,576. */
  readonly maxRequestBytes?: number;
  /** Default 10,000. */
  readonly maxEventsPerRequest?: number;
  /** Max bytes of one serialized log record. Default 1,000,000. */
  readonly maxEventBytes?: number;
  /** Records older than this are refused (400). Default: no rule. */
  readonly maxAgeMillis?: number;
  /** Records further in the future are refused (400). Default: no rule. */
  readonly maxFutureMillis?: number;
  /** Allowed distance between Scp-Timestamp and the emulator's clock. Default 300,000 ms. */
  readonly maxClockSkewMillis?: number;
  /** CreateCustomLogEvents requests per second per log stream (token bucket of that size); also what provisioning answers. Default 50; Infinity disables. */
  readonly requestsPerSecondPerStream?: number;
  /** Accepted `Scp-Api-Version` values (an absent header means the latest). Default ['servicewatch 1.2']. */
  readonly apiVersions?: readonly string[];
  /** The emulator's clock (tests). */
  readonly now?: () => number;
}

/**
 * A local SCP ServiceWatch: CreateCustomLogEvents, log groups and custom log streams, with the Scp-Signature
 * check, OTLP/JSON validation, configurable limits, a per-stream request rate, fault injection, and read-back
 * of what it stored. Error answers use the service's `{"errors":[{code, detail, status, title, request_id}]}`.
 */
export class ServiceWatchEmulator {
  static readonly DEFAULT_CREDENTIAL: ServiceWatchEmulatorCredential = { accessKey: 'emulator-access-key', secretKey: 'emulator-secret-key' };
  static readonly DEFAULT_ACCOUNT_ID = '5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e';

  readonly server: EmulatorHttpServer;
  /** Every CreateCustomLogEvents request that passed authentication, in order. */
  readonly logEventsRequests: ReceivedLogEventsRequest[];
  private readonly state = new ServiceWatchState();

  constructor(options: ServiceWatchEmulatorOptions = {}) {
    const settings: ServiceWatchSettings = {
      accountId: options.accountId ?? ServiceWatchEmulator.DEFAULT_ACCOUNT_ID,
      maxRequestBytes: options.maxRequestBytes ?? 1_048_576,
      maxEventsPerRequest: options.maxEventsPerRequest ?? 10_000,
      maxEventBytes: options.maxEventBytes ?? 1_000_000,
      maxAgeMillis: options.maxAgeMillis,
      maxFutureMillis: options.maxFutureMillis,
      maxClockSkewMillis: options.maxClockSkewMillis ?? 300_000,
      requestsPerSecondPerStream: options.requestsPerSecondPerStream ?? 50,
      apiVersions: options.apiVersions ?? ['servicewatch 1.2'],
      now: options.now ?? Date.now,
    };
    const credentials = new Map((options.credentials ?? [ServiceWatchEmulator.DEFAULT_CREDENTIAL]).map((c) => [c.accessKey, c]));
    this.server = new EmulatorHttpServer(new ServiceWatchHandler(this.state, settings, credentials));
    this.logEventsRequests = this.state.logEventsRequests;
  }

  /** Starts listening on loopback; resolves with the base URL to use as the exporter's endpoint. */
  start(listen?: ListenOptions): Promise<string> {
    return this.server.listen(listen);
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  get url(): string {
    return this.server.url;
  }

  /** Throttle (429), unavailable (503), internal (500), reset or delay; `operation` is e.g. 'CreateCustomLogEvents'. */
  injectFault(rule: FaultRule): void {
    this.server.faults.add(rule);
  }

  get faults() {
    return this.server.faults;
  }

  /** Told about every answered request (what the web console draws its charts from); `undefined` stops it. */
  observeRequests(observer: ExchangeObserver | undefined): void {
    this.server.observer = observer;
  }

  /** Stored records of one destination, or of all destinations, in arrival order. */
  records(destination?: StoredDestination): StoredRecord[] {
    if (destination) return [...(this.state.stored.get(keyOf(destination)) ?? [])];
    return [...this.state.stored.values()].flat();
  }

  /** Destinations that received records, with their counts. */
  destinations(): Array<StoredDestination & { records: number }> {
    return [...this.state.stored.values()].map((records) => ({
      accountId: records[0]!.accountId,
      logGroupValue: records[0]!.logGroupValue,
      logStreamValue: records[0]!.logStreamValue,
      records: records.length,
    }));
  }

  logGroups(): EmulatedLogGroup[] {
    return [...this.state.groups.values()];
  }

  logStreams(): EmulatedLogStream[] {
    return [...this.state.streams.values()];
  }

  /** Forgets records, requests, groups, streams and faults. */
  reset(): void {
    this.state.clear();
    this.server.faults.clear();
  }
}
