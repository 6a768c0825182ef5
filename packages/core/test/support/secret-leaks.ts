import { inspect } from 'node:util';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { HttpTransport, type HttpRequest, type SelfMetrics } from '@otel-cloud-logs/core';
import { vi, type MockInstance } from 'vitest';

/** Request headers whose whole value is a credential or a signature. */
const SECRET_HEADERS = new Set(['x-security-token', 'x-auth-token', 'x-amz-security-token', 'scp-signature', 'scp-accesskey']);

/** A secret as a service might quote it: as is, JSON-escaped and URL-encoded. */
export function formsOf(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
}

/**
 * Watches every way a secret could get out of an exporter: diag lines (all levels), the errors a test hands it
 * (message, stack, fields, causes), and the self-metrics' attributes (through a real MeterProvider and the
 * snapshot's reasons). It also records the requests sent, so the signatures and tokens actually sent are checked
 * too, not only the configured values.
 */
export class SecretLeakWatch {
  readonly diagLines: string[] = [];
  private readonly surfaced: string[] = [];
  private readonly reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly requests: MockInstance<(request: HttpRequest) => Promise<unknown>>;

  constructor() {
    const record = (message: string, ...args: unknown[]) => void this.diagLines.push([message, ...args.map((arg) => inspect(arg))].join(' '));
    diag.setLogger({ error: record, warn: record, info: record, debug: record, verbose: record }, DiagLogLevel.ALL);
    this.requests = vi.spyOn(HttpTransport.prototype, 'request');
  }

  /** Adds errors, outcomes or texts to check (inspected deeply: causes and own fields included). */
  surface(...values: unknown[]): void {
    for (const value of values) this.surfaced.push(typeof value === 'string' ? value : inspect(value, { depth: 10 }));
  }

  /** Signatures, tokens and access keys that went out in the requests' headers. */
  sentSecrets(): string[] {
    const found = new Set<string>();
    for (const [request] of this.requests.mock.calls) {
      for (const [name, value] of Object.entries(request.headers ?? {})) {
        const lower = name.toLowerCase();
        if (SECRET_HEADERS.has(lower)) found.add(value);
        if (lower === 'authorization') {
          for (const [, part] of value.matchAll(/(?:Signature|Credential|Access)=([^,/\s]+)/g)) found.add(part!);
        }
      }
    }
    return [...found];
  }

  /** Every place `secrets` (and what was sent) shows up, as readable findings; empty when nothing leaked. */
  async leaks(secrets: readonly string[], metrics: SelfMetrics): Promise<string[]> {
    const { resourceMetrics } = await this.reader.collect();
    const attributes = resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((metric) => metric.dataPoints.flatMap((point) => Object.values(point.attributes).map(String))),
    );
    const snapshot = metrics.snapshot();
    const channels: [string, readonly string[]][] = [
      ['diag', this.diagLines],
      ['error', this.surfaced],
      ['metric attribute', [...attributes, ...Object.keys(snapshot.rejected), ...Object.keys(snapshot.dropped)]],
    ];
    const findings: string[] = [];
    for (const secret of [...secrets, ...this.sentSecrets()]) {
      for (const form of formsOf(secret)) {
        for (const [channel, texts] of channels) {
          for (const text of texts) if (text.includes(form)) findings.push(`${channel} shows ${JSON.stringify(form)}: ${text.slice(0, 300)}`);
        }
      }
    }
    return findings;
  }

  async stop(): Promise<void> {
    diag.disable();
    this.requests.mockRestore();
    await this.meterProvider.shutdown();
  }
}
