import { createRequire } from 'node:module';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** The same messages in several scripts: CloudWatch, LTS and ServiceWatch must keep UTF-8 intact. */
export const MULTIBYTE_MESSAGE = '注文を受け付けました 🚀 Größe: ½ — заказ принят';

/**
 * A small order service logging through pino. Call it after the OpenTelemetry SDK has started.
 *
 * pino and fastify are loaded with require(): the SDK's instrumentations patch modules as require() loads them.
 * An app that loads them with `import` needs the loader hook instead:
 * `node --import @opentelemetry/instrumentation/hook.mjs --import ./telemetry.js app.js`.
 */
export interface ShopAppOptions {
  /** Where pino writes its JSON lines. Default stdout. The OpenTelemetry records are sent either way. */
  readonly logDestination?: NodeJS.WritableStream;
}

export function createShopApp(options: ShopAppOptions = {}): FastifyInstance {
  const require = createRequire(import.meta.url);
  const pino = require('pino') as typeof import('pino').default;
  const Fastify = require('fastify') as typeof import('fastify').default;
  // bodyLimit above the 1 MiB default so that the demo can post a note larger than any provider's event limit.
  const level = process.env.LOG_LEVEL ?? 'info';
  const logger: FastifyBaseLogger = options.logDestination ? pino({ level }, options.logDestination) : pino({ level });
  const app = Fastify({ loggerInstance: logger, bodyLimit: 4 * 1024 * 1024 });

  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const id = request.params.id;
    if (!/^\d+$/.test(id)) {
      request.log.warn({ orderId: id }, 'order id is not a number');
      return reply.code(400).send({ error: 'order id must be a number' });
    }
    request.log.info({ orderId: Number(id) }, 'order looked up');
    return { id: Number(id), status: 'shipped' };
  });

  app.post<{ Body: { item?: string; note?: string } }>('/orders', async (request, reply) => {
    const item = request.body?.item ?? 'unknown';
    request.log.info({ item, noteBytes: Buffer.byteLength(request.body?.note ?? '') }, MULTIBYTE_MESSAGE);
    // A note is logged whole: a very long one makes an oversized record, which the exporters truncate, not drop.
    if (request.body?.note) request.log.info(`order note: ${request.body.note}`);
    return reply.code(201).send({ accepted: item });
  });

  app.get('/fail', async () => {
    throw new Error('payment backend unavailable');
  });

  return app;
}
