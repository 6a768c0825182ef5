/**
 * Events over 1 MB, as CloudWatch handles them in the regions that support it (CloudWatch-OTLPEndpoint,
 * GetLogObject): up to 10 fields are cut, largest first (or only those named in `x-aws-truncatable-fields`), so
 * that the event is as close to 1 MB as possible; each cut field's whole value is kept as a large log object (LLO)
 * and the event gets a reference field `@ptr.$['path']['to']['field']` holding the object's pointer.
 *
 * Emulator choices where the service documents nothing: field paths in the header are dotted paths into the
 * stored event (`body`, `attributes.prompt`, `body.input.messages.0.content`); the LLO holds the field's whole
 * value (the service speaks of "the excess portions").
 */
import { randomUUID } from 'node:crypto';
import { truncateUtf8 } from '@otel-cloud-logs/core';
import { CloudWatchError } from '../errors.ts';
import { flatText, type FlatValue } from './flatten.ts';

export const MAX_LARGE_LOG_OBJECTS_PER_RECORD = 10;

interface Leaf {
  readonly holder: { kind: 'string'; value: string };
  readonly path: ReadonlyArray<string | number>;
  readonly bytes: number;
}

function leaves(value: FlatValue, path: Array<string | number>, out: Leaf[]): void {
  if (value.kind === 'string') out.push({ holder: value, path: [...path], bytes: Buffer.byteLength(value.value) });
  else if (value.kind === 'array') value.items.forEach((item, index) => leaves(item, [...path, index], out));
  else if (value.kind === 'object') for (const [key, item] of value.entries) leaves(item, [...path, key], out);
}

function pointerField(path: ReadonlyArray<string | number>): string {
  return `@ptr.$${path.map((part) => (typeof part === 'number' ? `[${part}]` : `['${part}']`)).join('')}`;
}

export interface CutEvent {
  readonly message: string;
  /** The large log objects made: pointer → the whole value of the field. */
  readonly objects: ReadonlyArray<{ readonly pointer: string; readonly value: string }>;
}

/**
 * Cuts `event` (a flattened event object) until its bytes + `overhead` are within `limit`. Throws the service's
 * error when 10 fields are not enough (or no field may be cut).
 */
export function cutLargeEvent(event: FlatValue & { kind: 'object' }, limit: number, overhead: number, truncatable: ReadonlySet<string> | undefined): CutEvent {
  const candidates: Leaf[] = [];
  for (const [key, value] of event.entries) if (key !== 'resource' && key !== 'scope') leaves(value, [key], candidates);
  const allowed = candidates.filter((leaf) => !truncatable || truncatable.has(leaf.path.join('.'))).sort((a, b) => b.bytes - a.bytes);
  const objects: Array<{ pointer: string; value: string }> = [];
  let size = Buffer.byteLength(flatText(event)) + overhead;
  for (const leaf of allowed.slice(0, MAX_LARGE_LOG_OBJECTS_PER_RECORD)) {
    if (size <= limit) break;
    const pointer = `llo-${randomUUID()}`;
    const whole = leaf.holder.value;
    objects.push({ pointer, value: whole });
    event.entries.push([pointerField(leaf.path), { kind: 'string', value: pointer }]);
    let keep = leaf.bytes;
    size = Buffer.byteLength(flatText(event)) + overhead;
    // Escaping makes a kept byte cost one or more: each round takes off at least the excess.
    while (size > limit && keep > 0) {
      keep = Math.max(0, keep - (size - limit));
      leaf.holder.value = truncateUtf8(whole, keep);
      size = Buffer.byteLength(flatText(event)) + overhead;
    }
  }
  if (size > limit) {
    throw new CloudWatchError('InvalidParameterException', `Log event too large: ${size} bytes even after moving ${objects.length} field(s) to large log objects (limit ${limit})`);
  }
  return { message: flatText(event), objects };
}
