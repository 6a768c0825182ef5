import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

// Each published package must declare exactly the packages its shipped code imports: an undeclared one works in
// the workspace (hoisting) and breaks for a user; an unused one costs every user install size, or a second copy.

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');

/** Static `import … from`, `export … from` and side-effect imports at a line start, and literal `import('…')`. */
const STATIC_IMPORT = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*)/;

interface Manifest {
  name: string;
  private?: boolean;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`; undefined for relative paths and Node builtins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The packages a module's text imports (comments skipped for dynamic imports; static ones must start a line). */
function importedPackages(text: string): Set<string> {
  const found = new Set<string>();
  const add = (specifier: string | undefined) => {
    const name = specifier === undefined ? undefined : packageOf(specifier);
    if (name) found.add(name);
  };
  for (const match of text.matchAll(STATIC_IMPORT)) add(match[1] ?? match[2]);
  for (const line of text.split('\n')) {
    if (COMMENT_LINE.test(line)) continue;
    for (const match of line.matchAll(DYNAMIC_IMPORT)) add(match[1]);
  }
  return found;
}

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(?:[cm]?[jt]s)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const packages = readdirSync(packagesDir).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as Manifest;
  // What ships and runs: src (compiled to dist) and any other code directory listed in "files" (the pipeline's bin).
  const codeDirs = ['src', ...(manifest.files ?? []).filter((entry) => entry === 'bin')];
  const imports = new Set<string>();
  for (const codeDir of codeDirs) {
    for (const file of codeFiles(join(packagesDir, dir, codeDir))) {
      for (const name of importedPackages(readFileSync(file, 'utf8'))) imports.add(name);
    }
  }
  imports.delete(manifest.name);
  return { dir, manifest, imports };
});

describe('the import scanner', () => {
  test('finds static, multi-line, type-only, re-export and dynamic imports; skips comments, builtins and relative paths', () => {
    const text = [
      "import { a } from '@scope/one';",
      'import {',
      '  b,',
      '  type C,',
      "} from 'two/sub/path';",
      "import type { D } from '@scope/three/deep';",
      "export { e } from 'four';",
      "import 'five';",
      "const lazy = await import('@scope/six');",
      " * import { logs } from '@scope/in-a-comment';",
      "// const x = await import('in-a-line-comment');",
      "throw new Error(\"pass the export of '@scope/in-a-string' (import { logs } from '@scope/in-a-string')\");",
      "import { readFile } from 'node:fs/promises';",
      "import { EventEmitter } from 'events';",
      "import { local } from './local.ts';",
    ].join('\n');
    expect([...importedPackages(text)].sort()).toEqual(['@scope/one', '@scope/six', '@scope/three', 'five', 'four', 'two']);
  });
});

/** Optional peer dependencies of the workspace packages, by package name. */
const optionalPeers = new Map(
  packages.map(({ manifest }) => [
    manifest.name,
    Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional).map(([name]) => name),
  ]),
);

describe.each(packages)('packages/$dir declares exactly what it imports', ({ manifest, imports }) => {
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  // A package may supply an optional peer of a workspace package it depends on without importing it itself: the
  // gateway (pipeline) brings the AWS credential chain that cloudwatch-logs leaves to the application.
  const supplied = new Set(Object.keys(manifest.dependencies ?? {}).flatMap((name) => optionalPeers.get(name) ?? []));

  test('no undeclared dependency (imported, but not in dependencies or peerDependencies)', () => {
    expect([...imports].filter((name) => !declared.has(name)).sort()).toEqual([]);
  });

  test('no unused dependency (declared, but imported nowhere in the shipped code)', () => {
    expect([...declared].filter((name) => !imports.has(name) && !supplied.has(name)).sort()).toEqual([]);
  });

  test('every peer dependency is also a devDependency, so the workspace builds and tests against a fixed version', () => {
    const dev = manifest.devDependencies ?? {};
    expect(Object.keys(manifest.peerDependencies ?? {}).filter((name) => !(name in dev))).toEqual([]);
  });

  test('a package is never both a dependency and a peer dependency', () => {
    const peers = manifest.peerDependencies ?? {};
    expect(Object.keys(manifest.dependencies ?? {}).filter((name) => name in peers)).toEqual([]);
  });
});
