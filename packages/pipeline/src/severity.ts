import type { LogEntry } from '@otel-cloud-logs/core';

/** The OpenTelemetry severity ranges: each name covers four numbers (INFO = 9-12, INFO2 = 10...). */
const SEVERITY_BASE: Readonly<Record<string, number>> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  WARNING: 13,
  ERROR: 17,
  FATAL: 21,
  CRITICAL: 21,
};

export const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/** A severity given as an OpenTelemetry number (1-24) or a name (`INFO`, `warn`, `ERROR2`...). */
export type SeverityLevel = number | string;

/** Parses a severity name (case-insensitive, optional 2-4 suffix) into its number; undefined when unknown. */
export function severityNumberOf(name: string): number | undefined {
  const match = /^([A-Za-z]+)([2-4])?$/.exec(name.trim());
  if (!match) return undefined;
  const base = SEVERITY_BASE[match[1]!.toUpperCase()];
  if (base === undefined) return undefined;
  return base + (match[2] ? Number(match[2]) - 1 : 0);
}

/** Turns a configured level into a number, or throws naming what is allowed. */
export function parseSeverityLevel(level: SeverityLevel, where: string): number {
  if (typeof level === 'number') {
    if (Number.isInteger(level) && level >= 1 && level <= 24) return level;
    throw new RangeError(`${where}: severity number must be an integer from 1 to 24, got ${level}`);
  }
  const parsed = typeof level === 'string' ? severityNumberOf(level) : undefined;
  if (parsed === undefined) {
    throw new TypeError(`${where}: unknown severity ${JSON.stringify(level)}; use one of ${SEVERITY_NAMES.join(', ')} (optionally with 2-4, e.g. INFO2) or a number 1-24`);
  }
  return parsed;
}

/** The record's severity number; when the SDK left it unset, the text (e.g. "error") is read instead. */
export function severityOfEntry(entry: LogEntry): number | undefined {
  if (entry.severityNumber !== undefined && entry.severityNumber > 0) return entry.severityNumber;
  if (entry.severityText) return severityNumberOf(entry.severityText);
  return undefined;
}
