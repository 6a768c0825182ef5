import { createHash, createHmac, webcrypto, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

/** Bodies at least this large are hashed on libuv's thread pool instead of the application's thread. */
const OFF_THREAD_BYTES = 64 * 1024;

/**
 * SHA-256 / HMAC-SHA-256 in the shape `@smithy/signature-v4` expects, backed by node:crypto. A request body (the
 * payload hash, up to 1 MiB) is hashed with WebCrypto's `digest`, which runs on the thread pool: the signature's
 * largest cost leaves the application's thread. HMACs (small, keyed) stay synchronous.
 */
export class NodeSha256 {
  private readonly hmac: Hmac | undefined;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(secret?: SourceData) {
    this.hmac = secret === undefined ? undefined : createHmac('sha256', toBuffer(secret));
  }

  update(data: SourceData): void {
    if (this.hmac) {
      this.hmac.update(toBuffer(data));
      return;
    }
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data);
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  async digest(): Promise<Uint8Array> {
    if (this.hmac) return new Uint8Array(this.hmac.digest());
    if (this.bytes < OFF_THREAD_BYTES) {
      const hash = createHash('sha256');
      for (const chunk of this.chunks) hash.update(chunk);
      return new Uint8Array(hash.digest());
    }
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    return new Uint8Array(await webcrypto.subtle.digest('SHA-256', data));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
