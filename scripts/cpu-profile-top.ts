// Prints the functions that took the most self time in V8 CPU profiles (`node --cpu-prof`, or
// `BENCH_CPU_PROF=dir pnpm bench`), one table per profile: self ms, share of the profile, function and place.
// Usage: node scripts/cpu-profile-top.ts <file.cpuprofile | directory> [rows=25]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [target, rowsArgument] = process.argv.slice(2);
if (!target) {
  console.error('usage: node scripts/cpu-profile-top.ts <file.cpuprofile | directory> [rows]');
  process.exit(2);
}
const rows = Number(rowsArgument ?? 25);
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((name) => name.endsWith('.cpuprofile')).sort().map((name) => join(target, name))
  : [target];

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = byNode.get(id)!.callFrame;
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    const delta = profile.timeDeltas[index] ?? 0;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    total += delta;
  });
  console.log(`\n${basename(file)}: ${(total / 1000).toFixed(0)} ms sampled`);
  const top = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, rows);
  for (const [key, micros] of top) console.log(`${(micros / 1000).toFixed(1).padStart(9)} ms ${((micros / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
