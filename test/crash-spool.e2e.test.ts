import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CloudWatchLogsEmulator } from '@otel-cloud-logs/emulators';

const APP = new URL('./fixtures/spool-app.ts', import.meta.url).pathname;

let emulator: CloudWatchLogsEmulator;
let spoolDirectory: string;
beforeEach(async () => {
  emulator = new CloudWatchLogsEmulator();
  await emulator.start();
  spoolDirectory = mkdtempSync(join(tmpdir(), 'crash-spool-'));
});
afterEach(async () => {
  await emulator.stop();
  rmSync(spoolDirectory, { recursive: true, force: true });
});

function runApp(env: Record<string, string>, onLine: (line: string) => void) {
  const child = spawn(process.execPath, ['--conditions=@otel-cloud-logs/source', APP], {
    env: { ...process.env, ENDPOINT: emulator.url, SPOOL_DIR: spoolDirectory, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  let errors = '';
  child.stdout.on('data', (data: Buffer) => {
    buffered += data.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
  child.stderr.on('data', (data: Buffer) => (errors += data.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, errors: () => errors };
}

function storedMessages(): { message: string; ingestionTime: number }[] {
  return emulator.logStreams('/crash/app').flatMap((stream) => emulator.events('/crash/app', stream.logStreamName));
}

/** The first run's emit rate (records per second). */
const EMIT_PER_SECOND = 10_000;

describe.each(['main', 'worker'])('SIGKILL with a spool (thread %s)', (thread) => {
  test('a restart delivers everything emitted more than 1 s before the kill; duplicates only from requests in flight', async () => {
    // A slow, flaky service: records pile up in memory and in flight, as in an incident.
    emulator.faults.seed(53); // the same faults in every run
    emulator.faults.add({ kind: 'delay', operation: 'PutLogEvents', delayMillis: 300 });
    emulator.faults.add({ kind: 'unavailable', operation: 'PutLogEvents', probability: 0.3 });
    const progress: { emitted: number; at: number }[] = [];
    const first = runApp({ RUN: 'a', EMIT_PER_SECOND: String(EMIT_PER_SECOND), THREAD: thread }, (line) => {
      const [, emitted, at] = line.split(' ');
      progress.push({ emitted: Number(emitted), at: Number(at) });
    });
    while ((progress.at(-1)?.emitted ?? 0) < 25_000) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const emittedInAll = progress.at(-1)!.emitted;
    const storedAtKill = storedMessages().length;
    expect(readdirSync(spoolDirectory).some((name) => name.startsWith('segment-'))).toBe(true);

    emulator.faults.clear();
    let metrics: { exported: number; dropped: Record<string, number> } | undefined;
    const second = runApp({ RUN: 'b', EMIT_PER_SECOND: '0', THREAD: thread }, (line) => (metrics = JSON.parse(line)));
    expect(await second.exited, second.errors()).toBe(0);

    const seen = new Map<number, { count: number; firstIngested: number }>();
    for (const { message, ingestionTime } of storedMessages()) {
      const [run, n] = (JSON.parse(message) as { body: string }).body.split(':');
      expect(run).toBe('a');
      const entry = seen.get(Number(n));
      if (entry) {
        entry.count++;
        entry.firstIngested = Math.min(entry.firstIngested, ingestionTime);
      } else seen.set(Number(n), { count: 1, firstIngested: ingestionTime });
    }
    // Everything emitted up to 1 s before the kill is there.
    const safe = progress.filter((p) => p.at <= killedAt - 1_000).at(-1)!.emitted;
    const missing: number[] = [];
    for (let n = 0; n < safe; n++) if (!seen.has(n)) missing.push(n);
    expect(missing.slice(0, 10), `${missing.length} of ${safe} missing`).toEqual([]);
    // Nothing that was not emitted: the app prints its count every 20 ms and this test polls every 20 ms, so it may
    // have emitted at its rate up to the kill after the last count read, and a little past it.
    const emittedBound = emittedInAll + Math.ceil((EMIT_PER_SECOND / 1000) * (killedAt - progress.at(-1)!.at + 100));
    for (const n of seen.keys()) expect(n).toBeLessThan(emittedBound);
    // The restart had records to send that the service had not got before the kill.
    expect(metrics!.exported).toBeGreaterThan(0);
    let duplicates = 0;
    for (const { count } of seen.values()) duplicates += count - 1;
    console.log(`thread ${thread}: emitted ${emittedInAll}, stored at the kill ${storedAtKill}, sent by the restart ${metrics!.exported}, lost ${emittedInAll - seen.size} (all emitted within the last second), duplicates ${duplicates}`);
    // A duplicate was first stored after the kill or just before it (its request was in flight, or its ack was not
    // written yet: acks are group-committed every 200 ms).
    for (const [n, { count, firstIngested }] of seen) {
      if (count > 1) expect(firstIngested, `record ${n} stored ${count} times`).toBeGreaterThanOrEqual(killedAt - 600);
    }
    // What could not be read back (at most the block being written at the kill: emitted within the last second)
    // is counted.
    const { spool_corrupt: corrupt = 0, ...otherDrops } = metrics!.dropped;
    expect(otherDrops).toEqual({});
    expect(corrupt).toBeLessThanOrEqual(emittedInAll - safe);
    expect(readdirSync(spoolDirectory).filter((name) => name.startsWith('segment-'))).toEqual([]);
  });
});
