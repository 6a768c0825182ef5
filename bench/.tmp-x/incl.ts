import { readFileSync } from 'node:fs';
const [file, ...names] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file!, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const incl = new Map<string, number>();
let total = 0;
for (const [id, t] of self) {
  total += t;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur).callFrame;
    const key = `${f.functionName || '(anon)'} ${(f.url.split('/').pop() ?? '')}:${f.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + t);
  }
}
const rows = [...incl].filter(([k]) => names.length === 0 || names.some((n) => k.startsWith(n + ' '))).sort((a, b) => b[1] - a[1]).slice(0, 60);
console.log('total ms', (total / 1000).toFixed(0));
for (const [k, t] of rows) console.log((t / 1000).toFixed(1).padStart(8), k);
