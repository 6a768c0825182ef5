// Packs the published packages as `pnpm publish` would (publishConfig applied, workspace: ranges replaced) and lints
// the tarballs with publint and arethetypeswrong. Used by `pnpm lint:packages` and test/pack-install.test.ts.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

export interface PackedPackage {
  readonly name: string;
  /** Absolute path of the .tgz. */
  readonly tarball: string;
}

/** Newest modification time under a directory, in ms (0 if it does not exist). */
function newestMtime(dir: string): number {
  let newest = 0;
  try {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  } catch {
    return 0;
  }
  return newest;
}

/** Packages whose dist/ is missing or older than their src/: packing them would ship stale code. */
export function staleBuilds(): string[] {
  const stale: string[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const dist = newestMtime(join(root, 'packages', dir, 'dist'));
    if (dist === 0 || newestMtime(join(root, 'packages', dir, 'src')) > dist) stale.push(`packages/${dir}`);
  }
  return stale;
}

/** Packs every package under packages/ into `destination`, from the dist/ last built (`pnpm build`). */
export async function packPackages(destination: string): Promise<PackedPackage[]> {
  // The packages' prepack (a rebuild) is skipped: the caller decides when to build, and a test must not rewrite dist/.
  const { stdout } = await run('pnpm', ['-r', '--config.ignore-scripts=true', '--filter', './packages/**', 'pack', '--pack-destination', destination, '--json'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout) as Array<{ name: string; filename: string }>;
  return packed.map(({ name, filename }) => ({ name, tarball: filename }));
}

export interface LintResult {
  readonly name: string;
  readonly ok: boolean;
  /** What publint and attw printed (the problems, when not ok). */
  readonly output: string;
}

/**
 * publint (strict: warnings fail too) and arethetypeswrong on one tarball. The packages are ESM only, so attw's
 * "CJS resolves to ESM" is expected and ignored: `require()` of them works on the Node versions they support
 * (≥ 22.15 has require(esm)), and TypeScript models that under `module: nodenext`/`node20`. For the same reason
 * the node10 resolution (no `exports` subpaths, e.g. `@otel-cloud-logs/emulators/console-ui`) is not checked
 * (attw's node16 profile).
 */
export async function lintTarball(packed: PackedPackage): Promise<LintResult> {
  const checks = [
    [bin('publint'), ['run', packed.tarball, '--strict']],
    [bin('attw'), [packed.tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--no-definitely-typed', '--format', 'ascii', '--no-emoji', '--no-color']],
  ] as const;
  let ok = true;
  let output = '';
  for (const [command, args] of checks) {
    try {
      const { stdout, stderr } = await run(command, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      output += stdout + stderr;
    } catch (error) {
      ok = false;
      const failed = error as { stdout?: string; stderr?: string; message: string };
      output += `${command.split('/').pop()} failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}${failed.stdout || failed.stderr ? '' : failed.message}\n`;
    }
  }
  return { name: packed.name, ok, output };
}
