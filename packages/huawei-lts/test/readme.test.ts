import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
// The complete examples are the ones that start the emulator themselves.
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes('new HuaweiLtsEmulator()'));
const written: string[] = [];

afterAll(() => {
  for (const file of written) rmSync(file, { force: true });
});

describe('README examples', () => {
  it('has the runnable examples (AK/SK, password and static-token export, provisioning)', () => {
    expect(examples.length).toBe(4);
  });

  it.each(examples.map((code, index) => [index, code] as const))('example %i runs against the emulator', async (index, code) => {
    for (const name of ['HUAWEICLOUD_SDK_AK', 'LTS_PASSWORD', 'LTS_TOKEN']) vi.stubEnv(name, undefined as unknown as string);
    const file = join(here, `.readme-example-${index}.ts`);
    writeFileSync(file, code);
    written.push(file);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await import(file);
    expect(log).toHaveBeenCalled();
    const printed = log.mock.calls.map((args) => args[0]);
    if (code.includes('metrics.snapshot')) {
      expect(printed[0]).toMatchObject({ exported: 1, droppedTotal: 0 });
      expect(printed[1]).toHaveLength(1);
    } else {
      expect(printed[0]).toBe('ACTIVE');
    }
    log.mockRestore();
    vi.unstubAllEnvs();
  });
});
