import { request } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { EmulatorHttpServer, type EmulatorHandler } from '@otel-cloud-logs/emulators';

const echo: EmulatorHandler = {
  operationOf: () => 'Echo',
  faultResponse: () => ({ status: 503 }),
  handle: (req) => ({ status: 200, body: { bytes: req.body.length } }),
};

let server: EmulatorHttpServer;
afterEach(() => server.close());

function post(url: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('bodies up to the limit are read whole; larger ones are answered 413 without being kept', async () => {
  server = new EmulatorHttpServer(echo, 1_000);
  const url = await server.listen();
  expect(await post(url, Buffer.alloc(1_000))).toEqual({ status: 200, body: '{"bytes":1000}' });
  const tooLarge = await post(url, Buffer.alloc(50_000));
  expect(tooLarge).toMatchObject({ status: 413 });
  expect(JSON.parse(tooLarge.body).message).toBe("request body of 50000 bytes is over the emulator's 1000 byte limit");
});
