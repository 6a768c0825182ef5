import type { ConfigNode } from './node.ts';

/** How to read one YAML option: the exporter option it sets and the kind of value. */
export type Field = readonly [option: string, kind: 'string' | 'boolean' | 'number' | 'integer' | 'millis' | 'bytes' | 'stringMap' | 'rateMap' | readonly string[]];
export type FieldTable = Readonly<Record<string, Field>>;

/** Reads every option of `table` present under `node` into `into`, each under its exporter option's name. */
export function readFields(node: ConfigNode, table: FieldTable, into: Record<string, unknown>): void {
  for (const [key, [option, kind]] of Object.entries(table)) {
    const child = node.child(key);
    if (!child.present) continue;
    let value: unknown;
    if (Array.isArray(kind)) value = child.oneOf(kind);
    else if (kind === 'string') value = child.string();
    else if (kind === 'boolean') value = child.boolean();
    else if (kind === 'number') value = child.number({ min: 0 });
    else if (kind === 'integer') value = child.number({ min: 0, integer: true });
    else if (kind === 'millis') value = child.millis();
    else if (kind === 'bytes') value = child.bytes();
    else if (kind === 'stringMap') value = child.stringMap();
    else if (kind === 'rateMap') value = Object.fromEntries(child.entries().map(([name, rate]) => [name, rate.number({ min: 0 })]));
    if (value !== undefined) into[option] = value;
  }
}
