import { randomBytes } from 'node:crypto';
import { EmulatorHttpServer, type ListenOptions } from '../common/http-server.ts';
import type { ExchangeObserver } from '../common/observer.ts';
import type { FaultInjector } from '../common/faults.ts';
import { HuaweiLtsHandler } from './handler.ts';
import type { EmulatorUser, HuaweiLtsEmulatorSettings, HuaweiLtsSwitches } from './operations/context.ts';
import type { EmulatorAkSk } from './signature.ts';
import { HuaweiLtsState, type StoredLine } from './state.ts';

/** Credentials and ids the emulator knows when none are configured (for demos and tests). */
export const HUAWEI_LTS_EMULATOR_DEFAULTS = {
  projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  region: 'ap-southeast-1',
  domainId: 'f9e8d7c6b5a4938271605f4e3d2c1b0a',
  accessKeyId: 'EMULATORAK0000000001',
  secretAccessKey: 'emulator-secret-access-key',
  user: { domainName: 'emulator-account', userName: 'emulator-user', password: 'emulator-password' },
} as const;

export interface HuaweiLtsEmulatorOptions {
  /** Projects (id → IAM project name, usually the region). Default: one, HUAWEI_LTS_EMULATOR_DEFAULTS.projectId. */
  readonly projects?: Readonly<Record<string, string>>;
  /** Accepted AK/SK pairs. Default: the one in HUAWEI_LTS_EMULATOR_DEFAULTS. */
  readonly credentials?: readonly EmulatorAkSk[];
  /** IAM users that can get tokens. Default: the one in HUAWEI_LTS_EMULATOR_DEFAULTS. */
  readonly users?: readonly EmulatorUser[];
  readonly domainId?: string;
  /** Lifetime of issued tokens. Default 24 h. */
  readonly tokenLifetimeMillis?: number;
  /** Accepted distance between X-Sdk-Date and the server clock. Default 15 min. */
  readonly maxClockSkewMillis?: number;
  /** Default 1,000,000 (1 MB per line). */
  readonly maxLineBytes?: number;
  /** Default 100. */
  readonly maxLabels?: number;
  /** Default 24 h. */
  readonly maxAgeMillis?: number;
  /** Default 24 h. */
  readonly maxFutureMillis?: number;
  /** Whole report body limit; none by default (LTS documents none). */
  readonly maxRequestBytes?: number;
  /** Default 100. */
  readonly maxGroupsPerProject?: number;
  /** Default 100. */
  readonly maxStreamsPerGroup?: number;
  /** How long a logtank stays PENDING (or DELETING). Default 200 ms. */
  readonly logtankSettleMillis?: number;
}

/** A line as stored, with where it was stored. */
export interface HuaweiLtsStoredLine extends StoredLine {
  readonly projectId: string;
  readonly logGroupId: string;
  readonly logGroupName: string;
  readonly logStreamId: string;
  readonly logStreamName: string;
}

/**
 * Huawei Cloud LTS on loopback: log groups and streams (control plane), both reporting APIs, IAM token issuing
 * and Global Accelerator logtanks, all on one server (point every endpoint option at `url`). Checks
 * X-Auth-Token or the AK/SK signature, enforces the line, label and time-window limits, injects faults,
 * and lets tests read back what it stored.
 */
export class HuaweiLtsEmulator {
  readonly state = new HuaweiLtsState();
  readonly settings: HuaweiLtsEmulatorSettings;
  private readonly switches: HuaweiLtsSwitches = { quotaFull: false, reportAnswers: [], failingLogtankResources: new Set() };
  private readonly server: EmulatorHttpServer;

  constructor(options: HuaweiLtsEmulatorOptions = {}) {
    const defaults = HUAWEI_LTS_EMULATOR_DEFAULTS;
    const credentials = options.credentials ?? [{ accessKeyId: defaults.accessKeyId, secretAccessKey: defaults.secretAccessKey }];
    this.settings = {
      credentials: new Map(credentials.map((c) => [c.accessKeyId, c])),
      users: options.users ?? [defaults.user],
      domainId: options.domainId ?? defaults.domainId,
      tokenLifetimeMillis: options.tokenLifetimeMillis ?? 24 * 3_600_000,
      maxClockSkewMillis: options.maxClockSkewMillis ?? 15 * 60_000,
      maxLineBytes: options.maxLineBytes ?? 1_000_000,
      maxLabels: options.maxLabels ?? 100,
      maxAgeMillis: options.maxAgeMillis ?? 24 * 3_600_000,
      maxFutureMillis: options.maxFutureMillis ?? 24 * 3_600_000,
      maxRequestBytes: options.maxRequestBytes,
      maxGroupsPerProject: options.maxGroupsPerProject ?? 100,
      maxStreamsPerGroup: options.maxStreamsPerGroup ?? 100,
      logtankSettleMillis: options.logtankSettleMillis ?? 200,
    };
    for (const [id, name] of Object.entries(options.projects ?? { [defaults.projectId]: defaults.region })) this.state.addProject(id, name);
    this.server = new EmulatorHttpServer(new HuaweiLtsHandler(this.state, this.settings, this.switches));
  }

  /** Starts listening; returns the base URL to use as endpoint, ingestEndpoint, iamEndpoint and gaEndpoint. */
  start(options?: ListenOptions): Promise<string> {
    return this.server.listen(options);
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  get url(): string {
    return this.server.url;
  }

  /** Fault injection; operations: CreateToken, ListLogGroups, CreateLogGroup, ListLogStreams, CreateLogStream, ReportHighAccuracyLogs, ReportLogs, CreateLogtank, ShowLogtank, DeleteLogtank… */
  get faults(): FaultInjector {
    return this.server.faults;
  }

  /** Told about every answered request (what the web console draws its charts from); `undefined` stops it. */
  observeRequests(observer: ExchangeObserver | undefined): void {
    this.server.observer = observer;
  }

  /** Requests received, by operation. */
  get requestCounts(): ReadonlyMap<string, number> {
    return this.server.requestCounts;
  }

  /** Creates a log group directly (test setup); returns its id. */
  createLogGroup(projectId: string, name: string, ttlInDays = 7): string {
    return this.state.addGroup(this.requireProject(projectId), name, ttlInDays).id;
  }

  /** Creates a log stream directly (test setup); returns its id. */
  createLogStream(projectId: string, logGroup: string, name: string, ttlInDays?: number): string {
    const project = this.requireProject(projectId);
    const group = this.state.findGroup(project, logGroup);
    if (!group) throw new Error(`emulator: no log group ${logGroup} in project ${projectId}`);
    return this.state.addStream(group, name, ttlInDays).id;
  }

  /** Issues a token directly (for the static-token mode in tests), valid for `lifetimeMillis`. */
  issueToken(scope: { projectId: string } | { domain: true } = { projectId: HUAWEI_LTS_EMULATOR_DEFAULTS.projectId }, lifetimeMillis = this.settings.tokenLifetimeMillis): string {
    const token = `MII${randomBytes(800).toString('base64url')}`;
    this.state.tokens.set(token, { scope, expiresAt: Date.now() + lifetimeMillis, userName: 'issued-by-test' });
    return token;
  }

  /** Lines stored in one stream (group and stream by id or name), in arrival order. */
  lines(projectId: string, logGroup: string, logStream: string): StoredLine[] {
    const group = this.state.findGroup(this.requireProject(projectId), logGroup);
    const stream = group && this.state.findStream(group, logStream);
    return stream ? [...stream.lines] : [];
  }

  /** Every stored line of every project. */
  allLines(): HuaweiLtsStoredLine[] {
    const out: HuaweiLtsStoredLine[] = [];
    for (const project of this.state.projects.values()) {
      for (const group of project.groups.values()) {
        for (const stream of group.streams.values()) {
          for (const line of stream.lines) {
            out.push({ ...line, projectId: project.id, logGroupId: group.id, logGroupName: group.name, logStreamId: stream.id, logStreamName: stream.name });
          }
        }
      }
    }
    return out;
  }

  /** While true, reports are refused with SVCSTG.ALS.200.210 (quota full). */
  setQuotaFull(full: boolean): void {
    this.switches.quotaFull = full;
  }

  /** The next `times` reports get this answer instead (e.g. HTTP 200 with a body code other than success). */
  injectReportAnswer(answer: { status?: number; code: string; message?: string; times?: number }): void {
    this.switches.reportAnswers.push({ status: answer.status ?? 200, code: answer.code, message: answer.message ?? 'injected by the test', times: answer.times ?? 1 });
  }

  /** Logtanks created for this GA listener go PENDING → ERROR instead of ACTIVE. */
  failLogtanksFor(resourceId: string): void {
    this.switches.failingLogtankResources.add(resourceId);
  }

  private requireProject(projectId: string) {
    const project = this.state.project(projectId);
    if (!project) throw new Error(`emulator: unknown project ${projectId}; pass it in options.projects`);
    return project;
  }
}
