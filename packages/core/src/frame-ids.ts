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
  /** Whether the last `idFor` gave out a new id: the caller then defines the frame. */
  added = false;

  constructor(firstId = 0) {
    this.nextId = firstId;
  }

  /** Frames known since the last `clear`. */
  get size(): number {
    return this.known;
  }

  idFor(destination: Destination, frameKey: string): number {
    this.added = false;
    if (destination === this.lastDestination && frameKey === this.lastFrameKey) return this.lastId;
    let byKey = this.byDestination.get(destination);
    if (!byKey) this.byDestination.set(destination, (byKey = new Map()));
    let id = byKey.get(frameKey);
    if (id === undefined) {
      id = this.nextId++;
      byKey.set(frameKey, id);
      this.known++;
      this.added = true;
    }
    this.lastDestination = destination;
    this.lastFrameKey = frameKey;
    this.lastId = id;
    return id;
  }

  /** Forgets every frame; ids keep counting up, so an id never names two frames. */
  clear(): void {
    this.byDestination.clear();
    this.known = 0;
    this.lastDestination = undefined;
  }
}
