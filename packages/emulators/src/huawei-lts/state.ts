import { randomUUID } from 'node:crypto';

/** What the emulated LTS, IAM and GA hold. */

export interface StoredLine {
  /** `log_time_ns` exactly as sent (int64 as a decimal string). */
  readonly timeNs: string;
  readonly line: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface LogStream {
  readonly id: string;
  readonly name: string;
  readonly ttlInDays: number | undefined;
  readonly createdAt: number;
  readonly lines: StoredLine[];
}

export interface LogGroup {
  readonly id: string;
  readonly name: string;
  readonly ttlInDays: number;
  readonly createdAt: number;
  readonly streams: Map<string, LogStream>;
}

export interface Project {
  readonly id: string;
  /** IAM project name, normally the region id. */
  readonly name: string;
  readonly groups: Map<string, LogGroup>;
}

export interface IssuedToken {
  readonly scope: { readonly projectId: string } | { readonly domain: true };
  readonly expiresAt: number;
  readonly userName: string;
}

export type LogtankStatus = 'ACTIVE' | 'PENDING' | 'ERROR' | 'DELETING';

export interface StoredLogtank {
  readonly id: string;
  readonly projectId: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly logGroupId: string;
  readonly logStreamId: string;
  status: LogtankStatus;
  /** When a PENDING logtank settles, or a DELETING one disappears. */
  settlesAt: number;
  readonly failing: boolean;
  readonly createdAt: string;
  updatedAt: string;
}

export class HuaweiLtsState {
  readonly projects = new Map<string, Project>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly logtanks = new Map<string, StoredLogtank>();

  project(id: string): Project | undefined {
    return this.projects.get(id);
  }

  addProject(id: string, name: string): Project {
    const existing = this.projects.get(id);
    if (existing) return existing;
    const project: Project = { id, name, groups: new Map() };
    this.projects.set(id, project);
    return project;
  }

  addGroup(project: Project, name: string, ttlInDays: number): LogGroup {
    const group: LogGroup = { id: randomUUID(), name, ttlInDays, createdAt: Date.now(), streams: new Map() };
    project.groups.set(group.id, group);
    return group;
  }

  addStream(group: LogGroup, name: string, ttlInDays: number | undefined): LogStream {
    const stream: LogStream = { id: randomUUID(), name, ttlInDays, createdAt: Date.now(), lines: [] };
    group.streams.set(stream.id, stream);
    return stream;
  }

  findGroup(project: Project, idOrName: string): LogGroup | undefined {
    return project.groups.get(idOrName) ?? [...project.groups.values()].find((g) => g.name === idOrName);
  }

  findStream(group: LogGroup, idOrName: string): LogStream | undefined {
    return group.streams.get(idOrName) ?? [...group.streams.values()].find((s) => s.name === idOrName);
  }

  /** Finds a group and stream by id in any project (GA checks the ids of the account). */
  findByIds(logGroupId: string, logStreamId: string): { project: Project; group: LogGroup; stream: LogStream } | undefined {
    for (const project of this.projects.values()) {
      const group = project.groups.get(logGroupId);
      const stream = group?.streams.get(logStreamId);
      if (group && stream) return { project, group, stream };
    }
    return undefined;
  }
}
