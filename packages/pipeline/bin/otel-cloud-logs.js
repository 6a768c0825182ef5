#!/usr/bin/env node
// Launches the gateway CLI. Installed from a registry (under node_modules) it runs the compiled build; in a
// checkout it runs the TypeScript source, so that edits take effect without a rebuild and a stale dist/ is
// never used (Node >= 22.18 strips types from files outside node_modules).
import { fileURLToPath } from 'node:url';
import { registerHooks } from 'node:module';

const installed = fileURLToPath(import.meta.url).split(/[\\/]/).includes('node_modules');
let entry = new URL('../dist/cli.js', import.meta.url);
if (!installed) {
  // The workspace packages must resolve to their TypeScript too (their "@otel-cloud-logs/source" export).
  registerHooks({
    resolve: (specifier, context, nextResolve) =>
      nextResolve(specifier, { ...context, conditions: [...context.conditions, '@otel-cloud-logs/source'] }),
  });
  entry = new URL('../src/cli.ts', import.meta.url);
}
const { main } = await import(entry.href);
// Exit now rather than when the event loop empties: past the drain deadline an export request may still be
// in flight, and a second signal must stop the gateway at once.
process.exit(await main(process.argv.slice(2)));
