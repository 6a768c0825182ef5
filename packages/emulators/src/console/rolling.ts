/**
 * Per-second values over the last minutes, for the small charts of the emulators' console and the gateway's
 * status page: one slot per second in a ring, so memory stays fixed however long it runs. Imports nothing.
 */
export class RollingSeries<Name extends string> {
  readonly seconds: number;
  private readonly values: Record<Name, Float64Array>;
  /** The second (epoch seconds) each slot holds; a slot from an older lap reads as 0. */
  private readonly stamps: Float64Array;
  private readonly names: readonly Name[];
  private readonly now: () => number;

  constructor(names: readonly Name[], seconds = 300, now: () => number = Date.now) {
    if (!Number.isInteger(seconds) || seconds < 2) throw new RangeError(`RollingSeries: seconds must be an integer of at least 2, got ${String(seconds)}`);
    this.names = names;
    this.seconds = seconds;
    this.now = now;
    this.stamps = new Float64Array(seconds).fill(-1);
    this.values = Object.fromEntries(names.map((name) => [name, new Float64Array(seconds)])) as Record<Name, Float64Array>;
  }

  /** Adds to this second's value (counts: records, requests). */
  add(name: Name, amount: number): void {
    this.values[name][this.slot()] += amount;
  }

  /** Sets this second's value (gauges: queue fill). */
  set(name: Name, value: number): void {
    this.values[name][this.slot()] = value;
  }

  /**
   * The last `seconds` values, oldest first, ending with the last complete second: the current one is still
   * filling, and would read as a drop.
   */
  series(name: Name, seconds = this.seconds - 1): number[] {
    const current = Math.floor(this.now() / 1000) - 1;
    const count = Math.min(seconds, this.seconds - 1);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const second = current - count + 1 + i;
      const slot = second % this.seconds;
      out[i] = this.stamps[slot] === second ? this.values[name][slot]! : 0;
    }
    return out;
  }

  private slot(): number {
    const second = Math.floor(this.now() / 1000);
    const slot = second % this.seconds;
    if (this.stamps[slot] !== second) {
      this.stamps[slot] = second;
      for (const name of this.names) this.values[name][slot] = 0;
    }
    return slot;
  }
}
