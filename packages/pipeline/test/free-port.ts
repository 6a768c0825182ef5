import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port nobody listens on right now (for a gateway started as a child process). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}
