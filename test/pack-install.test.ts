import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { lintTarball, packPackages, staleBuilds, type PackedPackage } from '../scripts/packages.ts';

// The packages as a user meets them: packed as `pnpm publish` would, installed with npm into a fresh app next to the
// NodeSDK, run as an ES module and as CommonJS against the CloudWatch emulator. Needs `pnpm build` first (CI runs
// it) and the npm registry (what the npm cache already holds is used first).

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test', 'fixtures', 'packed-app');
const SDK_NODE = '0.301.0';
const API = '1.10.0';
/** SDK packages that must exist once: two copies of the API register globals twice; two of the SDK break instanceof. */
const SINGLE_COPY = ['api', 'sdk-logs', 'core', 'resources'].map((name) => `@opentelemetry/${name}`);
const MiB = 1024 * 1024;
/** What core + cloudwatch-logs may add to a NodeSDK app when credentials are passed in code (measured ~6.2 MiB). */
const MAX_ADDED_MIB = 8;

/** The environment of a user's shell: none of pnpm's npm_* settings, nor the NODE_PATH its bin shims set (it would
 * let the app resolve the workspace's packages). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|NODE_PATH$|NODE_OPTIONS$|AWS_|OTEL_)/i.test(key)) env[key] = value;
  }
  return { ...env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', ...extra };
}

async function npmInstall(app: string, specs: string[]): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: app,
    env: userEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Runs a script of the app on this Node (24), as `node script`. */
async function runScript(app: string, script: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [script, ...args], { cwd: app, env: userEnv(env), timeout: 60_000 });
  return stdout;
}

/** Every file under a directory, without following symbolic links. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Sum of the file sizes (what `du --apparent-size` counts), in MiB. */
function sizeMiB(dir: string): number {
  let bytes = 0;
  for (const file of filesUnder(dir)) bytes += lstatSync(file).size;
  return bytes / MiB;
}

/** How many installed copies of each package (what `find node_modules -path '*<name>/package.json'` counts). */
function copies(app: string, names: readonly string[]): Record<string, number> {
  const manifests = filesUnder(join(app, 'node_modules')).filter((file) => file.endsWith('/package.json'));
  return Object.fromEntries(names.map((name) => [name, manifests.filter((file) => file.endsWith(`/node_modules/${name}/package.json`)).length]));
}

async function tarEntries(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

async function tarFile(tarball: string, path: string): Promise<string> {
  const { stdout } = await run('tar', ['-xOzf', tarball, `package/${path}`], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe('the packed packages, installed with npm next to the NodeSDK', () => {
  let work: string;
  let app: string;
  let packed: PackedPackage[];
  let emulator: CloudWatchLogsEmulator;
  const tarball = (name: string) => packed.find((entry) => entry.name === `@otel-cloud-logs/${name}`)!.tarball;

  beforeAll(async () => {
    const stale = staleBuilds();
    if (stale.length > 0) throw new Error(`dist/ is missing or older than src/ in ${stale.join(', ')}: run pnpm build first`);
    work = mkdtempSync(join(tmpdir(), 'otel-cloud-logs-pack-'));
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packed-app', version: '1.0.0', private: true }));
    for (const script of readdirSync(fixtures)) copyFileSync(join(fixtures, script), join(app, script));
    packed = await packPackages(join(work, 'packs'));
    emulator = new CloudWatchLogsEmulator();
    await emulator.start();
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('all six packages are packed, and publint (strict) and arethetypeswrong find nothing in any tarball', async () => {
    expect(packed.map((entry) => entry.name).sort()).toEqual(
      ['cloudwatch-logs', 'core', 'emulators', 'huawei-lts', 'pipeline', 'scp-servicewatch'].map((name) => `@otel-cloud-logs/${name}`),
    );
    const results = await Promise.all(packed.map(lintTarball));
    expect(results.filter((result) => !result.ok).map((result) => `${result.name}:\n${result.output}`)).toEqual([]);
  }, 120_000);

  test('every tarball has the license, readme, changelog, declaration maps, full metadata and no workspace-only field', async () => {
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    for (const { name, tarball } of packed) {
      const entries = await tarEntries(tarball);
      for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.d.ts.map', 'src/index.ts']) {
        expect(entries, `${name} ships ${file}`).toContain(`package/${file}`);
      }
      expect(entries.filter((entry) => /\/(test|bench)\/|tsconfig|\.test\./.test(entry)), `${name} ships no tests or build config`).toEqual([]);
      expect(await tarFile(tarball, 'LICENSE')).toBe(license);
      const text = await tarFile(tarball, 'package.json');
      const manifest = JSON.parse(text);
      // The source condition points at .ts files that Node does not load from node_modules.
      expect(text, name).not.toContain('@otel-cloud-logs/source');
      expect(text, name).not.toContain('workspace:');
      expect(manifest).toMatchObject({
        license: 'Apache-2.0',
        author: 'otel-cloud-logs contributors',
        type: 'module',
        sideEffects: false,
        engines: { node: '>=22.15' },
        repository: { type: 'git', directory: expect.stringMatching(/^packages\//) },
        homepage: expect.stringMatching(/^https:\/\//),
        bugs: { url: expect.stringMatching(/^https:\/\//) },
        exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      });
      expect(manifest.keywords.length, name).toBeGreaterThan(2);
      // Only the gateway decodes OTLP/protobuf; nothing else may bring protobufjs into a user's app.
      if (name !== '@otel-cloud-logs/pipeline') expect(Object.keys(manifest.dependencies ?? {}), name).not.toContain('protobufjs');
    }
  });

  test(`a NodeSDK ${SDK_NODE} app with core + cloudwatch-logs and credentials in code: one copy of each OTel package, records reach CloudWatch from ESM and require()`, async () => {
    await npmInstall(app, [`@opentelemetry/sdk-node@${SDK_NODE}`, `@opentelemetry/api@${API}`]);
    const sdkOnly = sizeMiB(join(app, 'node_modules'));
    // The SDK pins its sdk-logs exactly; an app that asks for the same version gets the SDK's copy.
    const sdkNode = JSON.parse(readFileSync(join(app, 'node_modules/@opentelemetry/sdk-node/package.json'), 'utf8'));
    await npmInstall(app, [`@opentelemetry/sdk-logs@${sdkNode.dependencies['@opentelemetry/sdk-logs']}`, tarball('core'), tarball('cloudwatch-logs')]);
    const withCloudWatch = sizeMiB(join(app, 'node_modules'));
    console.log(
      `node_modules: NodeSDK app ${sdkOnly.toFixed(1)} MiB; with core + cloudwatch-logs ${withCloudWatch.toFixed(1)} MiB (+${(withCloudWatch - sdkOnly).toFixed(1)} MiB)`,
    );

    expect(copies(app, SINGLE_COPY)).toEqual(Object.fromEntries(SINGLE_COPY.map((name) => [name, 1])));
    // Credentials in code: the AWS credential chain (an optional peer dependency) is not even installed.
    expect(existsSync(join(app, 'node_modules/@aws-sdk/credential-provider-node'))).toBe(false);
    // The NodeSDK alone is ~30 MiB, so the 20 MB cannot hold for the whole app; what this project adds can.
    expect(withCloudWatch - sdkOnly).toBeLessThanOrEqual(MAX_ADDED_MIB);

    const env = {
      EMULATOR_URL: emulator.url,
      EMULATOR_ACCESS_KEY_ID: CLOUDWATCH_EMULATOR_CREDENTIALS.accessKeyId,
      EMULATOR_SECRET_ACCESS_KEY: CLOUDWATCH_EMULATOR_CREDENTIALS.secretAccessKey,
    };
    const [esm, cjs] = await Promise.all([
      runScript(app, 'cloudwatch-app.mjs', [], { ...env, LOG_GROUP: '/packed/esm' }),
      runScript(app, 'cloudwatch-app.cjs', [], { ...env, LOG_GROUP: '/packed/cjs' }),
    ]);
    const esmResult = JSON.parse(esm);
    expect(esmResult.metrics).toMatchObject({ exported: 1, droppedTotal: 0 });
    expect(JSON.parse(cjs).metrics).toMatchObject({ exported: 1, droppedTotal: 0 });
    expect(esmResult.withoutCredentials).toMatch(/no credentials were given.*needs the package @aws-sdk\/credential-provider-node, which is not installed: install it/);
    const stored = (group: string) => emulator.events(group, 'app').map((event) => JSON.parse(event.message));
    expect(stored('/packed/esm')).toMatchObject([{ body: 'hello from an ES module', severityText: 'INFO', attributes: { orderId: 42 } }]);
    expect(stored('/packed/cjs')).toMatchObject([{ body: 'hello from CommonJS', severityText: 'INFO', attributes: { orderId: 43 } }]);
  }, 120_000);

  test('the other packages install next to it (still one copy of each OTel package) and load with import and require()', async () => {
    await npmInstall(app, ['emulators', 'huawei-lts', 'scp-servicewatch', 'pipeline'].map(tarball));
    expect(copies(app, SINGLE_COPY)).toEqual(Object.fromEntries(SINGLE_COPY.map((name) => [name, 1])));

    const expected: Record<string, string> = {
      '@otel-cloud-logs/core': 'ConstraintAwareBatchProcessor',
      '@otel-cloud-logs/cloudwatch-logs': 'CloudWatchLogsExporter',
      '@otel-cloud-logs/huawei-lts': 'HuaweiLtsExporter',
      '@otel-cloud-logs/scp-servicewatch': 'ServiceWatchLogsExporter',
      '@otel-cloud-logs/emulators': 'CloudWatchLogsEmulator',
      '@otel-cloud-logs/pipeline': 'createPipeline',
    };
    const names = Object.keys(expected);
    const [esm, cjs] = await Promise.all([runScript(app, 'load-all.mjs', names), runScript(app, 'load-all.cjs', names)]);
    for (const output of [esm, cjs]) {
      const loaded = JSON.parse(output) as Record<string, string[]>;
      for (const [name, anExport] of Object.entries(expected)) expect(loaded[name], name).toContain(anExport);
    }
    // The gateway's command runs from the installed package (its compiled build, not the workspace sources).
    const help = await runScript(app, 'node_modules/@otel-cloud-logs/pipeline/bin/otel-cloud-logs.js', ['--help']);
    expect(help).toMatch(/--config/);
  }, 120_000);
});
