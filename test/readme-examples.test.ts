import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;

/** The first TypeScript block of a README (after `heading`, when given). */
function firstTsBlock(readme: string, heading?: string): string {
  let text = readFileSync(new URL(readme, new URL('..', import.meta.url)), 'utf8');
  if (heading !== undefined) {
    const at = text.indexOf(`\n${heading}\n`);
    if (at < 0) throw new Error(`${readme} has no heading ${heading}`);
    text = text.slice(at);
  }
  const match = /```ts\n([\s\S]*?)```/.exec(text);
  if (!match) throw new Error(`${readme} has no ts block`);
  return match[1]!;
}

/** Runs example code as a user would: a module in the workspace, on the project's Node. */
async function runExample(name: string, code: string): Promise<string> {
  const file = `${root}examples/.readme-${name}.ts`;
  writeFileSync(file, code);
  try {
    const { stdout } = await run(process.execPath, ['--conditions=@otel-cloud-logs/source', file], { cwd: root, timeout: 30_000 });
    return stdout;
  } finally {
    rmSync(file, { force: true });
  }
}

describe('README examples run as written', () => {
  let emulator: CloudWatchLogsEmulator;
  beforeAll(async () => {
    emulator = new CloudWatchLogsEmulator();
    await emulator.start();
  });
  afterAll(() => emulator.stop());

  test('core README: processor + CloudWatch exporter + in-process emulator', async () => {
    const output = await runExample('core', firstTsBlock('packages/core/README.md'));
    expect(output).toMatch(/exported: 1,/);
    expect(output).toMatch(/order accepted/);
  });

  test('cloudwatch-logs README: against the emulator `pnpm emulators` starts', async () => {
    const code = firstTsBlock('packages/cloudwatch-logs/README.md').replace('http://127.0.0.1:4510', emulator.url);
    const output = await runExample('cloudwatch', code);
    expect(output).toMatch(/exported: 2,/);
    expect(emulator.events('/app/orders', 'payments').map((e) => JSON.parse(e.message).body)).toEqual(['card declined']);
    expect(emulator.logGroup('/app/orders')?.retentionInDays).toBe(30);
  });

  test('cloudwatch-logs README, OTLP endpoint: SigV4 and a bearer token against an in-process emulator', async () => {
    const output = await runExample('cloudwatch-otlp', firstTsBlock('packages/cloudwatch-logs/README.md', '## The OTLP endpoint: `CloudWatchLogsOtlpExporter`'));
    expect(output).toMatch(/sigv4 1\nbearer 1\n/);
    expect(output).toMatch(/order accepted \(sigv4\).*order accepted \(bearer\)/s);
  });
});
