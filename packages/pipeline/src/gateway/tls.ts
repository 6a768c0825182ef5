import type { ServerOptions } from 'node:https';

/** TLS for a receiver: the server's certificate and key, and with `clientCa`, mutual TLS. */
export interface ReceiverTlsOptions {
  /** PEM certificate (chain) of the server. */
  readonly cert: string | Buffer;
  /** PEM private key of that certificate. */
  readonly key: string | Buffer;
  /**
   * PEM certificate(s) of the authorities whose client certificates are accepted. When given, every client must
   * present a certificate they signed (mutual TLS): connections without one fail in the handshake.
   */
  readonly clientCa?: string | Buffer;
  /** Oldest TLS version accepted. Default TLSv1.2. */
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export function httpsServerOptions(tls: ReceiverTlsOptions): ServerOptions {
  const mutual = tls.clientCa !== undefined;
  return {
    cert: tls.cert,
    key: tls.key,
    minVersion: tls.minVersion ?? 'TLSv1.2',
    ...(mutual ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/** Whether the listener's address is reachable from this host only. */
export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^(?:::ffff:)?127\./.test(address);
}
