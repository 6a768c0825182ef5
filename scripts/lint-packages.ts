// `pnpm lint:packages`: builds, packs every package as it would be published, and lints each tarball with publint
// and arethetypeswrong. Exits non-zero if any finds a problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintTarball, packPackages } from './packages.ts';

execFileSync('pnpm', ['build'], { cwd: new URL('..', import.meta.url).pathname, stdio: 'inherit' });
const destination = mkdtempSync(join(tmpdir(), 'otel-cloud-logs-lint-'));
try {
  const results = await Promise.all((await packPackages(destination)).map(lintTarball));
  for (const result of results) {
    console.log(`${result.ok ? 'ok    ' : 'FAILED'} ${result.name}`);
    if (!result.ok) console.log(result.output);
  }
  process.exitCode = results.every((result) => result.ok) ? 0 : 1;
} finally {
  rmSync(destination, { recursive: true, force: true });
}
