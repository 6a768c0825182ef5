import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

// The shape of the source tree (ARCHITECTURE.md): no import circles between source files, and no file so long
// that it holds more than one concern.
const root = resolve(import.meta.dirname, '..');
const MAX_LINES = 400;

const sourceFiles = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => readdirSync(join(root, 'packages', pkg, 'src'), { recursive: true, withFileTypes: true }).map((entry) => ({ pkg, entry })))
  .filter(({ entry }) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
  .map(({ entry }) => join(entry.parentPath, entry.name));

// Static imports and re-exports of relative paths, type-only ones included (a type circle is still a tangle).
const RELATIVE_IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm;

export function relativeImports(file: string, text: string): string[] {
  return [...text.matchAll(RELATIVE_IMPORT)].map((match) => resolve(dirname(file), match[1] ?? match[2]!));
}

/** Every circle in `graph`, each as the files along it (the first repeated at the end). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the circle finder', () => {
  test('finds a circle through type-only imports and re-exports, and none in a tree', () => {
    const text = ["import type { A } from './a.ts';", "export { B } from '../b.ts';", "import './side-effect.ts';", "import { x } from 'package';"].join('\n');
    expect(relativeImports('/p/src/sub/c.ts', text)).toEqual(['/p/src/sub/a.ts', '/p/src/b.ts', '/p/src/sub/side-effect.ts']);
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(circles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});

// Circles allowed: none (the last ones were untangled in issue 14). A new one fails, and says where it runs.
const KNOWN_CIRCLES = new Set<string>([]);

describe('packages/*/src', () => {
  test('has no import circles but the known ones', () => {
    const graph = new Map(sourceFiles.map((file) => [file, relativeImports(file, readFileSync(file, 'utf8'))]));
    const found = circles(graph).map((circle) => circle.map((file) => relative(root, file)).join(' → '));
    expect(found.filter((circle) => !KNOWN_CIRCLES.has(circle))).toEqual([]);
    expect([...KNOWN_CIRCLES].filter((circle) => !found.includes(circle))).toEqual([]);
  });

  test(`has no file over ${MAX_LINES} lines`, () => {
    const long = sourceFiles
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
