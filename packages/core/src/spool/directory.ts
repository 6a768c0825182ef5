import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LOCK_FILE = 'LOCK';
const SEGMENT_PATTERN = /^segment-(\d{12})\.log$/;

/** Directories locked by this process (two processors of one process must not share a spool either). */
const lockedHere = new Set<string>();

/**
 * Exclusive use of a spool directory by one processor: a lock file holding the process id. A lock left behind by a
 * process that is gone (killed) is taken over; one held by a live process is a configuration error.
 */
export class SpoolLock {
  readonly directory: string;
  private released = false;

  private constructor(directory: string) {
    this.directory = directory;
  }

  /** Creates the directory if needed and locks it; throws a clear error when another processor uses it. */
  static acquire(directory: string): SpoolLock {
    const path = resolve(directory);
    try {
      mkdirSync(path, { recursive: true });
    } catch (error) {
      throw new Error(`spool: cannot create the spool directory ${path}: ${(error as Error).message}; set spool.directory to a writable directory`);
    }
    if (lockedHere.has(path)) {
      throw new Error(`spool: the spool directory ${path} is already used by another processor in this process; give each processor its own spool.directory`);
    }
    const lockPath = join(path, LOCK_FILE);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(lockPath, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          throw new Error(`spool: cannot lock the spool directory ${path}: ${(error as Error).message}`);
        }
        const owner = lockOwner(lockPath);
        if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
          throw new Error(
            `spool: the spool directory ${path} is in use by process ${owner} (lock file ${lockPath}); one process per directory: give this process its own spool.directory, or stop process ${owner}`,
          );
        }
        unlinkSync(lockPath); // left behind by a process that is gone
      }
    }
    lockedHere.add(path);
    return new SpoolLock(path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    lockedHere.delete(this.directory);
    try {
      unlinkSync(join(this.directory, LOCK_FILE));
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function lockOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The numbers of the segment files in `directory`, oldest first. */
export function listSegments(directory: string): number[] {
  const numbers: number[] = [];
  for (const name of readdirSync(directory)) {
    const match = SEGMENT_PATTERN.exec(name);
    if (match) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => a - b);
}

export function segmentPath(directory: string, segment: number): string {
  return join(directory, `segment-${String(segment).padStart(12, '0')}.log`);
}
