import type { Destination } from './model.ts';

/**
 * Ids for the request frames of a stream of records that defines each frame once before the records that use it
 * (a spool segment, the chunks handed to a worker), by destination and frame key. The frame asked for last is
 * answered without a lookup: records of one destination come in runs.
 */
export class FrameIds {
  private readonly byDestination = new Map<Destination, Map<string, number>>();
  private nextId: number;
  private known = 0;
  private lastDestination: Destination | undefined;
  private lastFrameKey = '';
  private lastId = 0;

  constructor(firstId = 0) {
    this.nextId = firstId;
  }

  /** Frames known since the last `clear`. */
  get size(): number {
    return this.known;
  }

  /** The frame's id, or -1 when it is not defined yet (the caller defines it, then calls `add`). */
  idOf(destination: Destination, frameKey: string): number {
    if (destination === this.lastDestination && frameKey === this.lastFrameKey) return this.lastId;
    const id = this.byDestination.get(destination)?.get(frameKey);
    if (id === undefined) return -1;
    this.remember(destination, frameKey, id);
    return id;
  }

  /** Gives a frame just defined its id. */
  add(destination: Destination, frameKey: string): number {
    let byKey = this.byDestination.get(destination);
    if (!byKey) this.byDestination.set(destination, (byKey = new Map()));
    const id = this.nextId++;
    byKey.set(frameKey, id);
    this.known++;
    this.remember(destination, frameKey, id);
    return id;
  }

  /** Forgets every frame; ids keep counting up, so an id never names two frames. */
  clear(): void {
    this.byDestination.clear();
    this.known = 0;
    this.lastDestination = undefined;
  }

  private remember(destination: Destination, frameKey: string, id: number): void {
    this.lastDestination = destination;
    this.lastFrameKey = frameKey;
    this.lastId = id;
  }
}
