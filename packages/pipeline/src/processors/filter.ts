import { compileCondition, type LogCondition } from '../condition.ts';
import type { LogProcessor } from './types.ts';

export interface FilterProcessorOptions {
  /** Default `filter`. */
  readonly name?: string;
  /** Keep only records that match (e.g. `{ minSeverity: 'INFO' }`). */
  readonly include?: LogCondition;
  /** Drop records that match (applied after `include`), e.g. `{ attributes: { 'http.route': '/healthz' } }`. */
  readonly exclude?: LogCondition;
}

/** Keeps or drops records by severity, attribute, resource attribute or body. */
export function filterProcessor(options: FilterProcessorOptions): LogProcessor {
  const name = options.name ?? 'filter';
  if (options.include === undefined && options.exclude === undefined) {
    throw new TypeError(`${name}: give include and/or exclude (e.g. include: { minSeverity: INFO })`);
  }
  const include = options.include !== undefined ? compileCondition(options.include, `${name}.include`) : undefined;
  const exclude = options.exclude !== undefined ? compileCondition(options.exclude, `${name}.exclude`) : undefined;
  return {
    name,
    process(entry) {
      if (include && !include(entry)) return undefined;
      if (exclude && exclude(entry)) return undefined;
      return entry;
    },
  };
}
