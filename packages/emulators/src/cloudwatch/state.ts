/** One event as the emulator stored it. */
export interface CloudWatchStoredLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

export interface LogStreamRecord {
  readonly logStreamName: string;
  readonly creationTime: number;
  /** In the order they were stored. */
  readonly events: CloudWatchStoredLogEvent[];
  lastIngestionTime?: number;
}

export interface LogGroupRecord {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly logGroupClass: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly kmsKeyId?: string;
  retentionInDays?: number;
  /** Whether API keys (bearer tokens) may write to the group (PutBearerTokenAuthentication). */
  bearerTokenAuthenticationEnabled?: boolean;
  readonly streams: Map<string, LogStreamRecord>;
}

/** A CloudWatch Logs API key (an IAM service-specific credential); `logGroupNames` narrows it like an IAM policy would. */
export interface ApiKeyRecord {
  readonly logGroupNames?: ReadonlySet<string>;
}

/** A field of an event over 1 MB, kept whole (GetLogObject returns it). */
export interface LargeLogObjectRecord {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly value: string;
}

/** The emulator's state: log groups, their streams, and each stream's events. */
export class CloudWatchLogsState {
  private readonly groups = new Map<string, LogGroupRecord>();
  /** Bearer token → API key. */
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  /** Pointer → large log object. */
  readonly logObjects = new Map<string, LargeLogObjectRecord>();

  group(name: string): LogGroupRecord | undefined {
    return this.groups.get(name);
  }

  /** Groups sorted by name, the order DescribeLogGroups returns them in. */
  sortedGroups(): LogGroupRecord[] {
    return [...this.groups.values()].sort((a, b) => compareNames(a.logGroupName, b.logGroupName));
  }

  /** Returns false when the group already exists. */
  addGroup(group: Omit<LogGroupRecord, 'streams'>): boolean {
    if (this.groups.has(group.logGroupName)) return false;
    this.groups.set(group.logGroupName, { ...group, streams: new Map() });
    return true;
  }

  /** Returns false when the stream already exists in the group. */
  addStream(group: LogGroupRecord, logStreamName: string, creationTime: number): boolean {
    if (group.streams.has(logStreamName)) return false;
    group.streams.set(logStreamName, { logStreamName, creationTime, events: [] });
    return true;
  }

  clear(): void {
    this.groups.clear();
    this.apiKeys.clear();
    this.logObjects.clear();
  }
}

/** Code-unit order, as the service sorts names. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
