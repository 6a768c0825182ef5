import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { emulatorEnv, PIPELINE_YAML } from './emulator-env.ts';
import { freePort } from './free-port.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/otel-cloud-logs.js', import.meta.url));
const SEND_LOGS = fileURLToPath(new URL('./fixtures/send-logs.ts', import.meta.url));


/** A child's stderr as it arrives, and a wait for a line matching a pattern. */
function watchStderr(child: ChildProcess) {
  const output = { text: '', waitFor: (pattern: RegExp) => Promise.resolve() };
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
    for (const check of waiters) check();
  });
  output.waitFor = (pattern) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr so far:\n${output.text}`)), 20_000);
      const check = () => {
        if (!pattern.test(output.text)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return output;
}

describe('otel-cloud-logs CLI', () => {
  const cloudwatch = new CloudWatchLogsEmulator();
  const huawei = new HuaweiLtsEmulator();
  const scp = new ServiceWatchEmulator();
  let urls: { cloudwatch: string; huawei: string; scp: string };

  beforeAll(async () => {
    urls = { cloudwatch: await cloudwatch.start(), huawei: await huawei.start(), scp: await scp.start() };
  });
  afterAll(async () => {
    await Promise.all([cloudwatch.stop(), huawei.stop(), scp.stop()]);
  });

  it('serve: on SIGTERM stops accepting, delivers what is still queued, and exits 0', async () => {
    const port = await freePort();
    const gateway = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [CLI, 'serve', '--config', PIPELINE_YAML], {
      env: { ...process.env, ...emulatorEnv(urls, `127.0.0.1:${port}`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = watchStderr(child);
    try {
      await stderr.waitFor(/listening on/);
      expect(stderr.text).toContain(`listening on ${gateway}/v1/logs`);
      expect((await fetch(`${gateway}/healthz`)).status).toBe(200);

      // CloudWatch answers slowly: the records are still in the gateway's queue when SIGTERM arrives.
      cloudwatch.faults.add({ kind: 'delay', operation: 'PutLogEvents', delayMillis: 1_500, times: 1 });
      await run(process.execPath, [SEND_LOGS, gateway, 'json'], { timeout: 30_000 });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await stderr.waitFor(/draining/);
      await expect(fetch(`${gateway}/healthz`)).rejects.toThrow();
      const [code] = await exited;
      expect(stderr.text).toMatch(/SIGTERM: no longer accepting requests; draining the exporters \(at most 10000 ms/);
      expect(stderr.text).toMatch(/drained \(cloudwatch_logs: 1 exported, 1 dropped, 0 rejected; huawei_lts: 1 exported/);
      expect(code).toBe(0);
      expect(cloudwatch.events('checkout', 'web-1-json').map((event) => event.message)).toEqual(['order placed by [REDACTED:email]']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serve: past service.shutdown_timeout exits 1 naming what was not delivered; a second signal stops at once', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'otel-cloud-logs-'));
    const config = join(directory, 'short-drain.yaml');
    await writeFile(config, (await readFile(PIPELINE_YAML, 'utf8')).replace('shutdown_timeout: 10s', 'shutdown_timeout: 1s'));
    const startGateway = async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [CLI, 'serve', '--config', config], {
        env: { ...process.env, ...emulatorEnv(urls, `127.0.0.1:${port}`) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stderr = watchStderr(child);
      await stderr.waitFor(/listening on/);
      // CloudWatch hangs far longer than the drain deadline.
      cloudwatch.faults.add({ kind: 'delay', operation: 'PutLogEvents', delayMillis: 6_000, times: 1 });
      await run(process.execPath, [SEND_LOGS, `http://127.0.0.1:${port}`, 'json'], { timeout: 30_000 });
      return { child, stderr };
    };

    const deadline = await startGateway();
    try {
      const exited = once(deadline.child, 'exit');
      const signalledAt = Date.now();
      deadline.child.kill('SIGTERM');
      const [code] = await exited;
      expect(Date.now() - signalledAt).toBeLessThan(4_500);
      expect(code).toBe(1);
      expect(deadline.stderr.text).toMatch(/shutdown deadline passed with 1 log record\(s\) undelivered \(cloudwatch_logs: 0 exported/);
    } finally {
      if (deadline.child.exitCode === null) deadline.child.kill('SIGKILL');
    }

    const forced = await startGateway();
    try {
      const exited = once(forced.child, 'exit');
      forced.child.kill('SIGTERM');
      await forced.stderr.waitFor(/draining/);
      const signalledAt = Date.now();
      forced.child.kill('SIGTERM');
      const [code] = await exited;
      expect(Date.now() - signalledAt).toBeLessThan(800);
      expect(code, forced.stderr.text).toBe(130);
      expect(forced.stderr.text).toContain('stopped without draining');
    } finally {
      if (forced.child.exitCode === null) forced.child.kill('SIGKILL');
    }
  });

  it('validate: exits 0 for a valid file and 1 with every problem and its path otherwise', async () => {
    const valid = await run(process.execPath, [CLI, 'validate', '--config', PIPELINE_YAML], { env: { ...process.env, ...emulatorEnv(urls) } });
    expect(valid.stdout).toMatch(/pipeline\.yaml is valid: 1 receiver\(s\), 3 exporter\(s\)/);

    const directory = await mkdtemp(join(tmpdir(), 'otel-cloud-logs-'));
    const broken = join(directory, 'broken.yaml');
    await writeFile(broken, 'receivers: { otlp: { protocols: { http: { endpoint: nowhere } } } }\nservice: { pipelines: { logs: { receivers: [otlp] } } }\n');
    const failure = await run(process.execPath, [CLI, 'validate', '-c', broken]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`invalid ${broken}:`);
    expect(failure?.stderr).toContain('receivers.otlp.protocols.http.endpoint: expected host:port such as 127.0.0.1:4318');
    expect(failure?.stderr).toContain('service.pipelines.logs: give exporters (and optionally routes): the pipeline sends nowhere');
  });

  it('explains its usage', async () => {
    const failure = await run(process.execPath, [CLI, 'serve']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--config <file> is required');
  });
});
