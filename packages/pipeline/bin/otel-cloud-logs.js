#!/usr/bin/env node
// Launches the gateway CLI: the compiled build when there is one, else the TypeScript source
// (Node >= 22.18 strips types from files outside node_modules).
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';

const compiled = new URL('../dist/cli.js', import.meta.url);
let entry = compiled;
if (!existsSync(compiled)) {
  // From source, the workspace packages must resolve to their TypeScript too (their "@otel-cloud-logs/source" export).
  registerHooks({
    resolve: (specifier, context, nextResolve) =>
      nextResolve(specifier, { ...context, conditions: [...context.conditions, '@otel-cloud-logs/source'] }),
  });
  entry = new URL('../src/cli.ts', import.meta.url);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
