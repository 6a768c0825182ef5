// The gateway's options, apart from the server that runs them (the status page reads them too).
import type { LogPipeline } from '../pipeline.ts';
import type { ExporterSink } from '../sink.ts';
import type { RequestAuthenticator } from './auth.ts';
import type { GatewayExtension } from './extension.ts';
import type { ReceiverTlsOptions } from './tls.ts';

export const DEFAULT_MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_INFLIGHT_BYTES = 128 * 1024 * 1024;

export interface ReceiverOptions {
  /** As in the configuration, e.g. `otlp` or `otlp/internal`. */
  readonly name: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest body accepted, compressed and after decompression. Default 20 MiB. */
  readonly maxRequestBodyBytes?: number;
  /** Serve HTTPS (and with `clientCa`, require client certificates). Default: plain HTTP. */
  readonly tls?: ReceiverTlsOptions;
  /** Who may send (`/v1/logs`) and read `/metrics`; `/healthz` stays open for load balancers. Default: anyone. */
  readonly auth?: RequestAuthenticator;
  /** Every record received goes through each of these pipelines. */
  readonly pipelines: readonly LogPipeline[];
}

export interface BackpressureOptions {
  /**
   * Refuse a request with 429 when an exporter its records are routed to has its queue this full (0-1).
   * Default 0.8. Requests whose records go only to other exporters are still accepted.
   */
  readonly queueFillThreshold?: number;
  /**
   * Memory held by requests at once, over all receivers: body bytes read, decompressed bytes, and an estimate,
   * made before decoding, of what each body decodes to (its objects counted by a scan of the body). A request
   * that would pass it gets 429 while others hold their share, 413 when it alone would. Default 128 MiB.
   */
  readonly maxInflightBytes?: number;
  /** Sent as `Retry-After` with 429 and 503 answers. Default 5 s. */
  readonly retryAfterSeconds?: number;
}

export interface GatewayOptions {
  readonly receivers: readonly ReceiverOptions[];
  /** Every exporter of every pipeline: served on /metrics and shut down by `stop()`. */
  readonly sinks: readonly ExporterSink[];
  /** Started before the receivers listen, shut down after the exporters drain. */
  readonly extensions?: readonly GatewayExtension[];
  readonly backpressure?: BackpressureOptions;
  /** Longest time `stop()` spends draining. Default 30,000 ms. */
  readonly shutdownTimeoutMillis?: number;
  /** The configuration as loaded, shown with its secrets masked on the status page (`gatewayOptionsFromYaml` sets it). */
  readonly effectiveConfig?: unknown;
}
