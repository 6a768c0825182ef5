import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const run = promisify(execFile);

/** An AWS CLI v2 (`logs tail` exists only in v2): Debian's awscli package, or whatever `aws` is on PATH. */
function findAwsCliV2(): string | undefined {
  for (const candidate of ['/usr/bin/aws', 'aws']) {
    try {
      if (execFileSync(candidate, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).startsWith('aws-cli/2.')) return candidate;
    } catch {
      // not there or not runnable: try the next
    }
  }
  return undefined;
}

const aws = findAwsCliV2();
if (!aws) console.warn('cloudwatch-aws-cli.test.ts skipped: no AWS CLI v2 found (install it with `apt-get install -y awscli`; .ci/run does)');

describe.skipIf(!aws)('the real AWS CLI v2 against the CloudWatch Logs emulator', () => {
  const emulator = new CloudWatchLogsEmulator();
  let env: NodeJS.ProcessEnv;
  const base = Date.now() - 30_000;

  beforeAll(async () => {
    await emulator.start();
    const { accessKeyId, secretAccessKey } = emulator.defaultCredentials;
    // Only the emulator's test key pair, and no profile or instance metadata of the machine.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_REGION: emulator.region,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    };
    emulator.seedLogStream('cli/app', 'web');
    emulator.seedLogStream('cli/app', 'worker');
    await cli(['logs', 'put-log-events', '--log-group-name', 'cli/app', '--log-stream-name', 'web', '--log-events', JSON.stringify([
      { timestamp: base, message: '{"level":"ERROR","route":"/orders"}' },
      { timestamp: base + 1, message: 'GET /health 200' },
    ])]);
    await cli(['logs', 'put-log-events', '--log-group-name', 'cli/app', '--log-stream-name', 'worker', '--log-events', JSON.stringify([{ timestamp: base + 2, message: 'job ERROR retrying' }])]);
  });
  afterAll(() => emulator.stop());

  async function cli(args: string[]): Promise<string> {
    const { stdout } = await run(aws!, [...args, '--endpoint-url', emulator.url], { env, timeout: 30_000 });
    return stdout;
  }

  it('runs filter-log-events with a JSON pattern, stream names and pagination', async () => {
    const json = JSON.parse(await cli(['logs', 'filter-log-events', '--log-group-name', 'cli/app', '--filter-pattern', '{ $.level = "ERROR" }']));
    expect(json.events).toEqual([{ logStreamName: 'web', timestamp: base, message: '{"level":"ERROR","route":"/orders"}', ingestionTime: expect.any(Number), eventId: expect.stringMatching(/^\d{56}$/) }]);
    const terms = JSON.parse(await cli(['logs', 'filter-log-events', '--log-group-name', 'cli/app', '--filter-pattern', 'ERROR', '--log-stream-names', 'worker']));
    expect(terms.events.map((event: { message: string }) => event.message)).toEqual(['job ERROR retrying']);
    // The CLI's own paginator walks our nextToken one event per call and joins the pages.
    const all = JSON.parse(await cli(['logs', 'filter-log-events', '--log-group-name', 'cli/app', '--page-size', '1']));
    expect(all.events.map((event: { timestamp: number }) => event.timestamp - base)).toEqual([0, 1, 2]);
    expect(emulator.requestCount('FilterLogEvents')).toBeGreaterThanOrEqual(5);
  });

  it('runs logs tail, with a filter, and --follow picks up what arrives later', async () => {
    const tailed = await cli(['logs', 'tail', 'cli/app', '--since', '1h', '--format', 'short']);
    expect(tailed.trim().split('\n').map((line) => line.replace(/^\S+ /, ''))).toEqual(['{"level":"ERROR","route":"/orders"}', 'GET /health 200', 'job ERROR retrying']);
    expect(await cli(['logs', 'tail', 'cli/app', '--since', '1h', '--filter-pattern', '"/health"'])).toContain('web GET /health 200');

    const follow = spawn(aws!, ['logs', 'tail', 'cli/app', '--since', '1h', '--follow', '--endpoint-url', emulator.url], { env: { ...env, PYTHONUNBUFFERED: '1' } });
    // Unbuffered: the CLI is Python, and its output into a pipe would otherwise wait for a full buffer.
    let output = '';
    follow.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await until(() => output.includes('job ERROR retrying'));
      await cli(['logs', 'put-log-events', '--log-group-name', 'cli/app', '--log-stream-name', 'worker', '--log-events', JSON.stringify([{ timestamp: Date.now(), message: 'arrived while following' }])]);
      await until(() => output.includes('arrived while following'));
      // Seen events are not printed twice: ids are stable between polls.
      expect(output.split('job ERROR retrying').length - 1).toBe(1);
    } finally {
      follow.kill();
    }
  });
});

/** Polls `condition` (the CLI follows every 5 s) for at most 30 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > 30_000) throw new Error('timed out waiting for the AWS CLI output');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
