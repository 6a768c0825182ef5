/**
 * `pnpm emulators` as a user runs it: the CLI in its own process, its printed block parsed, and the printed
 * credentials and API key used with the AWS SDK and a plain OTLP/HTTP request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutBearerTokenAuthenticationCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, test } from 'vitest';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

/** Starts the CLI on free ports and resolves with what it printed once it is ready. */
function startCli(): Promise<string> {
  const started = spawn(process.execPath, [CLI, '--cloudwatch-port', '0', '--huawei-lts-port', '0', '--servicewatch-port', '0', '--console-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    started.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Stop with Ctrl-C.')) resolve(out);
    });
    started.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    started.on('exit', (code) => reject(new Error(`the CLI exited (${code}) before it was ready: ${err}`)));
  });
}

function exported(printed: string, name: string): string {
  const match = new RegExp(`export ${name}=(\\S+)`).exec(printed);
  if (!match) throw new Error(`${name} is not printed:\n${printed}`);
  return match[1]!;
}

describe('pnpm emulators', () => {
  test('prints what points a tool at each emulator, and an API key the OTLP endpoint takes once the group allows it', async () => {
    const printed = await startCli();
    for (const name of ['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', 'HUAWEICLOUD_LTS_ENDPOINT', 'SCP_SERVICEWATCH_ENDPOINT']) expect(exported(printed, name)).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    // Commented out, so that pasting the block keeps SigV4 as the default.
    expect(printed).toMatch(/^\s*# then: export AWS_BEARER_TOKEN_LOGS=ACWL\S+$/m);
    const endpoint = exported(printed, 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS');
    const token = exported(printed, 'AWS_BEARER_TOKEN_LOGS');
    const client = new CloudWatchLogsClient({
      region: exported(printed, 'AWS_REGION'),
      endpoint,
      credentials: { accessKeyId: exported(printed, 'AWS_ACCESS_KEY_ID'), secretAccessKey: exported(printed, 'AWS_SECRET_ACCESS_KEY') },
    });
    await client.send(new CreateLogGroupCommand({ logGroupName: 'cli' }));
    await client.send(new CreateLogStreamCommand({ logGroupName: 'cli', logStreamName: 's' }));
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`, body: { stringValue: 'from the CLI key' } }] }] }],
    });
    const send = () =>
      fetch(new URL('/v1/logs', endpoint), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-aws-log-group': 'cli', 'x-aws-log-stream': 's' },
        body,
      });
    expect((await send()).status).toBe(403); // bearer tokens not allowed on the group yet
    await client.send(new PutBearerTokenAuthenticationCommand({ logGroupIdentifier: 'cli', bearerTokenAuthenticationEnabled: true }));
    expect((await send()).status).toBe(200);
    const events = await client.send(new GetLogEventsCommand({ logGroupName: 'cli', logStreamName: 's', startFromHead: true }));
    expect(events.events?.map((event) => JSON.parse(event.message!).body)).toEqual(['from the CLI key']);
  });
});
