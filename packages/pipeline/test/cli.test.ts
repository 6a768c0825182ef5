import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator, HuaweiLtsEmulator, ServiceWatchEmulator } from '@otel-cloud-logs/emulators';
import { emulatorEnv, PIPELINE_YAML } from './emulator-env.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/otel-cloud-logs.js', import.meta.url));
const SEND_LOGS = fileURLToPath(new URL('./fixtures/send-logs.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Collects a child's stderr and resolves when a line matches. */
function waitForOutput(child: ChildProcess, pattern: RegExp, output: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr so far:\n${output.text}`)), 20_000);
    const check = () => {
      if (pattern.test(output.text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
      check();
    });
    check();
  });
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
    const stderr = { text: '' };
    try {
      await waitForOutput(child, /listening on/, stderr);
      expect(stderr.text).toContain(`listening on ${gateway}/v1/logs`);
      expect((await fetch(`${gateway}/healthz`)).status).toBe(200);

      // CloudWatch answers slowly: the records are still in the gateway's queue when SIGTERM arrives.
      cloudwatch.faults.add({ kind: 'delay', operation: 'PutLogEvents', delayMillis: 1_500, times: 1 });
      await run(process.execPath, [SEND_LOGS, gateway, 'json'], { timeout: 30_000 });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await waitForOutput(child, /draining/, stderr);
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
