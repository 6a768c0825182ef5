import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { HUAWEI_LTS_EMULATOR_DEFAULTS } from '@otel-cloud-logs/emulators';
import { openBackends } from '../shared/backends.ts';
import { MULTIBYTE_MESSAGE } from '../shared/shop-app.ts';
import { startFanOutService } from '../fan-out/service.ts';
import { pinoLines } from './support/run-example.ts';

describe('examples/fan-out (one service, three providers)', () => {
  test('with no cloud variables set, every record reaches all three emulators, each at its own destination', async () => {
    const backends = await openBackends({ logGroup: '/otel-cloud-logs/examples', logStream: 'fan-out' }, undefined, {});
    expect(backends.list.map((backend) => [backend.provider, backend.target])).toEqual([
      ['cloudwatch-logs', 'emulator'],
      ['huawei-lts', 'emulator'],
      ['scp-servicewatch', 'emulator'],
    ]);
    const pinoOutput = new PassThrough();
    let printed = '';
    pinoOutput.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
    const service = await startFanOutService(backends, { port: 0, logDestination: pinoOutput });
    try {
      await fetch(`${service.url}/orders/12`);
      await fetch(`${service.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'ラーメン' }) });
      await fetch(`${service.url}/fail`);
    } finally {
      await service.stop();
    }
    await backends.close();

    const lines = pinoLines(printed);
    const requestTraceIds = new Set(lines.filter((line) => line.msg === 'incoming request').map((line) => line.trace_id));
    expect(requestTraceIds.size).toBe(3);
    for (const backend of backends.list) {
      const stored = backend.stored()!;
      expect(stored, backend.provider).toHaveLength(lines.length);
      expect(new Set(stored.map((record) => record.traceId).filter(Boolean)), backend.provider).toEqual(requestTraceIds);
      expect(stored.some((record) => record.text.includes(MULTIBYTE_MESSAGE)), backend.provider).toBe(true);
      expect(backend.exporter.metrics.snapshot(), backend.provider).toMatchObject({ exported: lines.length, droppedTotal: 0, rejectedTotal: 0 });
    }
    // Each provider's records are where its exporter was told to put them.
    const places = backends.list.map((backend) => [...new Set(backend.stored()!.map((record) => record.where))]);
    expect(places[0]).toEqual(['/otel-cloud-logs/examples / fan-out']);
    expect(places[1]).toEqual([`${HUAWEI_LTS_EMULATOR_DEFAULTS.projectId} / otel-cloud-logs-examples / fan-out`]);
    expect(places[2]).toHaveLength(1);
    const [account, group, stream] = places[2][0].split(' / ');
    expect(backends.list[2].destination).toBe(`account ${account}, log group value ${group}, stream value ${stream}`);
  });
});
