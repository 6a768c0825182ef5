import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { runExample } from './support/run-example.ts';

describe('packages/emulators/src/cli.ts (pnpm emulators)', () => {
  test('starts the three emulators, prints their URLs and credentials, and stops cleanly on SIGTERM', async () => {
    const emulators = runExample('packages/emulators/src/cli.ts', { CLOUDWATCH_EMULATOR_PORT: '0', HUAWEI_LTS_EMULATOR_PORT: '0', SERVICEWATCH_EMULATOR_PORT: '0' });
    await emulators.waitFor(/Stop with Ctrl-C/);
    const out = emulators.stdout();
    const cloudWatch = out.match(/AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=(\S+)/)![1];
    const serviceWatch = out.match(/SCP_SERVICEWATCH_ENDPOINT=(\S+)/)![1];
    expect(out).toMatch(/AWS_ACCESS_KEY_ID=\S+/);
    expect(out).toMatch(/HUAWEICLOUD_SDK_PROJECT_ID=[0-9a-f]{32}/);
    // Unsigned requests are refused in each service's own format: proof that the emulators answer.
    const awsAnswer = await fetch(cloudWatch, { method: 'POST', headers: { 'x-amz-target': 'Logs_20140328.DescribeLogGroups', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(awsAnswer.status).toBe(400);
    await awsAnswer.arrayBuffer();
    const scpAnswer = await fetch(`${serviceWatch}/v1/log-groups`);
    expect(scpAnswer.status).toBe(401);
    await scpAnswer.arrayBuffer();

    emulators.child.kill('SIGTERM');
    expect(await emulators.exited()).toBe(0);
    expect(emulators.stdout()).toContain('SIGTERM: stopping the emulators');
  });

  test('says which emulator could not start, and stops the others', async () => {
    const occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
    const { port } = occupied.address() as AddressInfo;
    try {
      const run = runExample('packages/emulators/src/cli.ts', { CLOUDWATCH_EMULATOR_PORT: '0', HUAWEI_LTS_EMULATOR_PORT: '0', SERVICEWATCH_EMULATOR_PORT: String(port) });
      expect(await run.exited()).toBe(1);
      expect(run.stderr()).toContain(`could not start the SCP ServiceWatch emulator on 127.0.0.1:${port}`);
    } finally {
      occupied.close();
    }
  });

  test('explains a bad port', async () => {
    const cli = runExample('packages/emulators/src/cli.ts', { CLOUDWATCH_EMULATOR_PORT: 'http' });
    expect(await cli.exited()).toBe(2);
    expect(cli.stderr()).toContain('--cloudwatch-port must be a port number 0-65535 (0 picks a free port), got "http"');
  });
});
