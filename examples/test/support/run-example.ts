import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningExample {
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout + stderr, waiting for it up to `timeoutMillis`. */
  waitFor(pattern: RegExp, timeoutMillis?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (waits up to `timeoutMillis`, then kills the process and fails). */
  exited(timeoutMillis?: number): Promise<number | null>;
}

/**
 * Runs an example the way a user does (`node --conditions=@otel-cloud-logs/source <file>`, Node 24) with exactly
 * the given environment: no AWS_*, HUAWEICLOUD_* or SCP_* variables leak in from the machine running the tests.
 */
export function runExample(file: string, env: Record<string, string> = {}, args: readonly string[] = []): RunningExample {
  const child = spawn(process.execPath, ['--conditions=@otel-cloud-logs/source', file, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const listener of listeners) listener();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const describe = () => `\n--- stdout ---\n${out.slice(-3_000)}\n--- stderr ---\n${err.slice(-3_000)}`;

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMillis = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = (out + err).match(pattern);
          if (!match) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${file} did not print ${pattern} within ${timeoutMillis} ms${describe()}`));
        }, timeoutMillis);
        const onExit = () => {
          cleanup();
          reject(new Error(`${file} exited before printing ${pattern}${describe()}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async exited(timeoutMillis = 20_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${file} did not exit within ${timeoutMillis} ms${describe()}`));
        }, timeoutMillis);
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** pino's JSON lines from an example's stdout. */
export function pinoLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
