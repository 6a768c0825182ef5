import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/** Records held while their resource's async attributes settle (usually milliseconds after start-up). */
export const MAX_HELD_RECORDS = 10_000;

type Resource = ReadWriteLogRecord['resource'];

/**
 * Keeps records whose resource still has async attributes pending (the NodeSDK's host, process and cloud
 * detectors) until those settle, once per resource, then hands them on: reading the attributes earlier would lose
 * them. As the stock BatchLogRecordProcessor waits before it exports. Bounded in number of records.
 */
export class ResourceSettling {
  private readonly held = new Map<Resource, ReadWriteLogRecord[]>();
  private heldRecords = 0;
  private readonly settling = new Set<Promise<void>>();
  private readonly release: (record: ReadWriteLogRecord) => void;

  constructor(release: (record: ReadWriteLogRecord) => void) {
    this.release = release;
  }

  /** Whether `record` must wait for its resource. */
  static mustWait(record: ReadWriteLogRecord): boolean {
    return record.resource.asyncAttributesPending === true && record.resource.waitForAsyncAttributes !== undefined;
  }

  /** Records held now. */
  get count(): number {
    return this.heldRecords;
  }

  /** Holds a record; false when the bound is reached (the caller counts it as queue_full). */
  hold(record: ReadWriteLogRecord): boolean {
    if (this.heldRecords >= MAX_HELD_RECORDS) return false;
    const resource = record.resource;
    let records = this.held.get(resource);
    if (!records) {
      const waiting: ReadWriteLogRecord[] = (records = []);
      this.held.set(resource, waiting);
      const settled = Promise.resolve(resource.waitForAsyncAttributes!())
        .catch(() => undefined) // a failed detector leaves the attributes it has: still send the records
        .then(() => {
          if (this.held.get(resource) !== waiting) return; // given up on at shutdown
          this.held.delete(resource);
          this.heldRecords -= waiting.length;
          for (const held of waiting) this.release(held);
        });
      this.settling.add(settled);
      void settled.finally(() => this.settling.delete(settled));
    }
    records.push(record);
    this.heldRecords++;
    return true;
  }

  /** Waits until every pending resource settled, or `timeoutMillis` passed. */
  async wait(timeoutMillis: number): Promise<void> {
    if (this.settling.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMillis)));
    await Promise.race([Promise.all([...this.settling]), timeout]);
    clearTimeout(timer);
  }

  /** Forgets every held record (shutdown gave up on them); returns how many there were. */
  abandon(): number {
    const count = this.heldRecords;
    this.held.clear();
    this.heldRecords = 0;
    return count;
  }
}
