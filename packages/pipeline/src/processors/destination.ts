import { ROUTING_ATTRIBUTES, type AnyValue, type LogEntry } from '@otel-cloud-logs/core';
import { compileTemplate, type CompiledTemplate } from '../template.ts';
import type { LogProcessor } from './types.ts';

export interface DestinationProcessorOptions {
  /** Default `destination`. */
  readonly name?: string;
  /** Template for `log_group_value`, e.g. `/app/{service.name}`. */
  readonly logGroup?: string;
  /** Template for `log_stream_value`, e.g. `{host.name:-unknown-host}-{process.pid}`. */
  readonly logStream?: string;
  /** Template for `account_id`. */
  readonly accountId?: string;
  /** Replace a routing attribute the record already carries. Default false: an explicit attribute wins. */
  readonly override?: boolean;
}

/**
 * Sets the routing attributes (`log_group_value`, `log_stream_value`, `account_id`) from templates over the
 * record and resource attributes. When a placeholder has no value and no `:-default`, the attribute is left
 * as it was, so the record goes where it would have gone anyway (its resource attribute or the exporter's default).
 */
export function destinationProcessor(options: DestinationProcessorOptions): LogProcessor {
  const name = options.name ?? 'destination';
  const templates: [string, CompiledTemplate][] = [];
  if (options.logGroup !== undefined) templates.push([ROUTING_ATTRIBUTES.logGroup, compileTemplate(options.logGroup, `${name}.logGroup`)]);
  if (options.logStream !== undefined) templates.push([ROUTING_ATTRIBUTES.logStream, compileTemplate(options.logStream, `${name}.logStream`)]);
  if (options.accountId !== undefined) templates.push([ROUTING_ATTRIBUTES.accountId, compileTemplate(options.accountId, `${name}.accountId`)]);
  if (templates.length === 0) throw new TypeError(`${name}: give at least one of logGroup, logStream, accountId (e.g. logGroup: "/app/{service.name}")`);
  const override = options.override ?? false;
  return {
    name,
    process(entry: LogEntry) {
      let attributes: Record<string, AnyValue> | undefined;
      for (const [key, template] of templates) {
        const current = entry.attributes[key];
        if (!override && current !== undefined && current !== null && current !== '') continue;
        const value = template(entry);
        if (value === undefined) continue;
        (attributes ??= { ...entry.attributes })[key] = value;
      }
      return attributes ? { ...entry, attributes } : entry;
    },
  };
}
