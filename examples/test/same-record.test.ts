import { describe, expect, test } from 'vitest';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ConstraintAwareBatchProcessor } from '@otel-cloud-logs/core';
import { openBackends } from '../shared/backends.ts';

const ROUTING_KEYS = ['log_group_value', 'log_stream_value', 'account_id'];
const SPAN = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

/** What a stored record says, in the fields every provider keeps (its wire format decides the rest). */
function projection(text: string): Record<string, unknown> {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return { body: parsed.body, severityText: parsed.severityText, attributes: parsed.attributes, traceId: parsed.traceId, spanId: parsed.spanId };
}

describe('one record, three providers', () => {
  test('is stored the same by the three emulators (body, severity, attributes, trace context), routing attributes left out', async () => {
    const backends = await openBackends({ logGroup: '/otel-cloud-logs/same-record', logStream: 'main' }, undefined, {});
    const stored: Record<string, Record<string, unknown>> = {};
    try {
      for (const backend of backends.list) {
        const routing = await backend.routeToStream('second');
        const provider = new LoggerProvider({
          resource: resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment': 'test' }),
          processors: [new ConstraintAwareBatchProcessor({ exporter: backend.exporter })],
        });
        provider.getLogger('same-record').emit({
          severityText: 'WARN',
          severityNumber: 13,
          body: { order: { id: 7, items: ['ラーメン', '🍜'], paid: false }, note: 'Größe ½ — "quoted"\n' },
          attributes: { ...routing, 'http.route': '/orders/:id', 'retry.count': 3, ok: true, ratio: 0.5, tags: ['a', 'b'] },
          context: trace.setSpanContext(context.active(), SPAN),
        });
        await provider.shutdown();
        const records = backend.stored()!;
        expect(records, backend.provider).toHaveLength(1);
        stored[backend.provider] = projection(records[0]!.text);
      }
    } finally {
      await backends.close();
    }
    const expected = {
      body: { order: { id: 7, items: ['ラーメン', '🍜'], paid: false }, note: 'Größe ½ — "quoted"\n' },
      severityText: 'WARN',
      attributes: { 'http.route': '/orders/:id', 'retry.count': 3, ok: true, ratio: 0.5, tags: ['a', 'b'] },
      traceId: SPAN.traceId,
      spanId: SPAN.spanId,
    };
    for (const [provider, record] of Object.entries(stored)) {
      expect(record, provider).toEqual(expected);
      for (const key of ROUTING_KEYS) expect(Object.keys(record.attributes as object), provider).not.toContain(key);
    }
    expect(Object.keys(stored)).toEqual(['cloudwatch-logs', 'huawei-lts', 'scp-servicewatch']);
  });
});
