import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOUDWATCH_EMULATOR_CREDENTIALS, CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';
import { gatewayOptionsFromYaml } from '../src/config/load.ts';
import { freePort } from './free-port.ts';

const CLI = fileURLToPath(new URL('../bin/otel-cloud-logs.js', import.meta.url));


function configYaml(port: number, storage: string, emulatorUrl: string): string {
  return `
extensions:
  file_storage:
    directory: ${storage}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
exporters:
  cloudwatch_logs:
    region: us-east-1
    endpoint: ${emulatorUrl}
    access_key_id: ${CLOUDWATCH_EMULATOR_CREDENTIALS.accessKeyId}
    secret_access_key: ${CLOUDWATCH_EMULATOR_CREDENTIALS.secretAccessKey}
    log_group_name: /gateway/spool
    log_stream_name: main
    create_log_group: true
    message_format: text
    retry_on_failure:
      initial_interval: 20ms
      max_interval: 200ms
      max_elapsed_time: 120s
    sending_queue:
      storage: file_storage
service:
  extensions: [file_storage]
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [cloudwatch_logs]
`;
}

function startGateway(config: string): { child: ChildProcess; listening: Promise<void>; stderr: () => string } {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const listening = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/listening on/.test(stderr)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the gateway exited (${code}) before listening:\n${stderr}`)));
  });
  return { child, listening, stderr: () => stderr };
}

function otlpRequest(first: number, count: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords = Array.from({ length: count }, (_, i) => ({ timeUnixNano: String(now), body: { stringValue: `r${first + i}` } }));
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 'spool-test' }, logRecords }] }] });
}

let emulator: CloudWatchLogsEmulator;
let directory: string;
beforeEach(async () => {
  emulator = new CloudWatchLogsEmulator();
  await emulator.start();
  directory = mkdtempSync(join(tmpdir(), 'gateway-spool-'));
});
afterEach(async () => {
  await emulator.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('gateway with extensions.file_storage and sending_queue.storage', () => {
  it('after a SIGKILL and a restart with the same config, every record of every acknowledged request is delivered', async () => {
    const port = await freePort();
    const storage = join(directory, 'storage');
    const config = join(directory, 'gateway.yaml');
    mkdirSync(storage);
    writeFileSync(config, configYaml(port, storage, emulator.url));
    // A slow, flaky service: acknowledged records are still queued when the gateway is killed.
    emulator.faults.seed(90); // the same faults in every run
    emulator.faults.add({ kind: 'delay', operation: 'PutLogEvents', delayMillis: 500 });
    emulator.faults.add({ kind: 'unavailable', operation: 'PutLogEvents', probability: 0.5 });

    const first = startGateway(config);
    await first.listening;
    const acknowledged: number[] = [];
    let next = 0;
    const client = async () => {
      for (;;) {
        const start = next;
        next += 100;
        try {
          const answer = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpRequest(start, 100) });
          if (answer.status === 200) acknowledged.push(start);
        } catch {
          return; // the gateway is gone
        }
      }
    };
    const clients = Promise.all([client(), client(), client()]);
    while (acknowledged.length < 60) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    await clients;
    const storedAtKill = emulator.events('/gateway/spool', 'main').length;

    emulator.faults.clear();
    const second = startGateway(config);
    await second.listening;
    const wanted = new Set(acknowledged.flatMap((start) => Array.from({ length: 100 }, (_, i) => `r${start + i}`)));
    const deadline = Date.now() + 60_000;
    const stored = () => new Set(emulator.events('/gateway/spool', 'main').map((event) => event.message));
    while ([...wanted].some((message) => !stored().has(message)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = once(second.child, 'exit');
    second.child.kill('SIGTERM');
    expect((await exited)[0], second.stderr()).toBe(0);

    const missing = [...wanted].filter((message) => !stored().has(message));
    expect(missing.slice(0, 5), `${missing.length} of ${wanted.size} acknowledged records missing`).toEqual([]);
    expect(storedAtKill).toBeLessThan(wanted.size); // the restart had acknowledged records to deliver
    expect(second.stderr()).toMatch(/not delivered by an earlier run are sent first/);
    const spool = join(storage, 'cloudwatch_logs');
    expect(readdirSync(spool).filter((name) => name.startsWith('segment-'))).toEqual([]);
  });

  it('config errors name the key and what to do', () => {
    const bad = (yaml: string) => () => gatewayOptionsFromYaml(yaml);
    const base = (storage: string, extra = '') => `
extensions:
  file_storage:
    directory: ${storage}
${extra}
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:4318 } } } }
exporters:
  cloudwatch_logs:
    region: us-east-1
    log_group_name: g
    log_stream_name: s
    sending_queue: { storage: file_storage, queue_size: 1000 }
service: { extensions: [file_storage], pipelines: { logs: { receivers: [otlp], exporters: [cloudwatch_logs] } } }
`;
    expect(bad(base(join(directory, 'nope')))).toThrow(/does not exist; create it, or set create_directory: true/);
    expect(bad(base(directory))).toThrow(/queue_size.*sizer: bytes/);
    expect(bad(base(directory).replace('storage: file_storage,', 'storage: file_storage/other,'))).toThrow(/file_storage\/other.*not declared/);
  });
});
