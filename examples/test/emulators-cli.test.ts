import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { runExample } from './support/run-example.ts';

/** The `  export NAME=value` lines of the CLI's output, as an environment. */
function exportedVariables(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}export ([A-Z0-9_]+)=(\S+)$/gm)].map(([, name, value]) => [name, value]));
}

describe('packages/emulators/src/cli.ts (pnpm emulators)', () => {
  test('starts the three emulators and the console, prints shell-ready variables, and stops cleanly on SIGTERM', async () => {
    const emulators = runExample('packages/emulators/src/cli.ts', { CLOUDWATCH_EMULATOR_PORT: '0', HUAWEI_LTS_EMULATOR_PORT: '0', SERVICEWATCH_EMULATOR_PORT: '0', EMULATORS_CONSOLE_PORT: '0' });
    try {
      await emulators.waitFor(/Stop with Ctrl-C/);
      const consoleUrl = /^Web console +(http:\/\/127\.0\.0\.1:\d+)/m.exec(emulators.stdout())?.[1];
      expect(consoleUrl, emulators.stdout()).toBeDefined();
      const page = await fetch(consoleUrl!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Amazon CloudWatch Logs');
      const printed = exportedVariables(emulators.stdout());
      expect(Object.keys(printed)).toEqual([
        'AWS_REGION',
        'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'HUAWEICLOUD_REGION',
        'HUAWEICLOUD_LTS_ENDPOINT',
        'HUAWEICLOUD_LTS_INGEST_ENDPOINT',
        'HUAWEICLOUD_IAM_ENDPOINT',
        'HUAWEICLOUD_GA_ENDPOINT',
        'HUAWEICLOUD_SDK_PROJECT_ID',
        'HUAWEICLOUD_SDK_DOMAIN_ID',
        'HUAWEICLOUD_SDK_AK',
        'HUAWEICLOUD_SDK_SK',
        'SCP_SERVICEWATCH_ENDPOINT',
        'SCP_ACCESS_KEY',
        'SCP_SECRET_KEY',
        'SCP_ACCOUNT_ID',
      ]);
      expect(printed.HUAWEICLOUD_SDK_PROJECT_ID).toMatch(/^[0-9a-f]{32}$/);
      // Unsigned requests are refused in each service's own format: proof that the emulators answer.
      const awsAnswer = await fetch(printed.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, {
        method: 'POST',
        headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups', 'content-type': 'application/x-amz-json-1.1' },
        body: '{}',
      });
      expect(awsAnswer.status).toBe(400);
      await awsAnswer.arrayBuffer();
      const scpAnswer = await fetch(`${printed.SCP_SERVICEWATCH_ENDPOINT}/v1/log-groups`);
      expect(scpAnswer.status).toBe(401);
      await scpAnswer.arrayBuffer();

      // With exactly the printed variables, an example sends to each emulator as it would to the real service.
      for (const provider of ['cloudwatch-logs', 'huawei-lts', 'scp-servicewatch']) {
        const example = runExample('examples/plain-logger-provider.ts', { ...printed, LOGS_PROVIDER: provider });
        expect(await example.exited(30_000), `${provider}${example.stderr()}`).toBe(0);
        expect(example.stderr()).toMatch(new RegExp(`${provider}\\s+set by environment`));
        expect(example.stderr()).toMatch(new RegExp(`${provider}\\s+accepted 3 in \\d+ request\\(s\\)$`, 'm'));
      }
    } finally {
      emulators.child.kill('SIGTERM');
    }
    expect(await emulators.exited()).toBe(0);
    expect(emulators.stdout()).toContain('SIGTERM: stopping the emulators');
  });

  test('says which emulator could not start, and stops the others', async () => {
    const occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
    const { port } = occupied.address() as AddressInfo;
    try {
      const run = runExample('packages/emulators/src/cli.ts', { CLOUDWATCH_EMULATOR_PORT: '0', HUAWEI_LTS_EMULATOR_PORT: '0', SERVICEWATCH_EMULATOR_PORT: String(port), EMULATORS_CONSOLE_PORT: '0' });
      expect(await run.exited()).toBe(1);
      expect(run.stderr()).toContain(`could not start the SCP ServiceWatch emulator on 127.0.0.1:${port}`);
    } finally {
      occupied.close();
    }
  });

  test('--help gives the documented fixed ports (4510, 4520, 4530) and how to change them', async () => {
    const cli = runExample('packages/emulators/src/cli.ts', {}, ['--help']);
    expect(await cli.exited()).toBe(0);
    expect(cli.stdout()).toContain('usage: pnpm emulators [--host 127.0.0.1] [--cloudwatch-port 4510] [--huawei-lts-port 4520] [--servicewatch-port 4530]');
    expect(cli.stdout()).toContain('CLOUDWATCH_EMULATOR_PORT, HUAWEI_LTS_EMULATOR_PORT, SERVICEWATCH_EMULATOR_PORT, EMULATORS_CONSOLE_PORT');
    expect(cli.stdout()).toContain('[--console-port 4500]');
  });

  test('explains a bad port', async () => {
    const cli = runExample('packages/emulators/src/cli.ts', { CLOUDWATCH_EMULATOR_PORT: 'http' });
    expect(await cli.exited()).toBe(2);
    expect(cli.stderr()).toContain('--cloudwatch-port must be a port number 0-65535 (0 picks a free port), got "http"');
  });
});
