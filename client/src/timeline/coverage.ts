/**
 * Which frames of each object have a mask, kept up to date from mask changes (the chunk docs'
 * `observeMasks`) so the timeline never rescans the docs. Runs of consecutive frames are what the
 * coverage tracks draw; they are computed on demand and cached until the object changes.
 */

/** Frames `[start, endExclusive)`. */
export type FrameRun = readonly [start: number, endExclusive: number];

/** The shape of `MaskChunkDoc.observeMasks` changes. */
export interface MaskPresenceChange {
  readonly frame: number;
  readonly objId: string;
  readonly action: 'add' | 'update' | 'delete';
}

const NO_RUNS: readonly FrameRun[] = Object.freeze([]);
const NO_FRAMES: readonly number[] = Object.freeze([]);

export class CoverageIndex {
  readonly #frames = new Map<string, Set<number>>();
  readonly #sorted = new Map<string, readonly number[]>();
  readonly #runs = new Map<string, readonly FrameRun[]>();
  readonly #listeners = new Set<() => void>();
  #version = 0;
  #batch = 0;
  #dirty = false;

  /** Increases on every change; a cheap snapshot for `useSyncExternalStore`. */
  get version(): number {
    return this.#version;
  }

  /** Records a mask of `objId` on `frame`; returns whether it was new. */
  add(objId: string, frame: number): boolean {
    checkFrame(frame);
    let frames = this.#frames.get(objId);
    if (frames === undefined) {
      frames = new Set();
      this.#frames.set(objId, frames);
    }
    if (frames.has(frame)) return false;
    frames.add(frame);
    this.#changed(objId);
    return true;
  }

  /** Forgets the mask of `objId` on `frame`; returns whether there was one. */
  remove(objId: string, frame: number): boolean {
    const frames = this.#frames.get(objId);
    if (frames === undefined || !frames.delete(frame)) return false;
    if (frames.size === 0) this.#frames.delete(objId);
    this.#changed(objId);
    return true;
  }

  /** Forgets every mask of `objId`; returns whether it had any. */
  removeObject(objId: string): boolean {
    if (!this.#frames.delete(objId)) return false;
    this.#changed(objId);
    return true;
  }

  /** Forgets everything (e.g. on a session reset). */
  clear(): void {
    if (this.#frames.size === 0) return;
    this.#frames.clear();
    this.#sorted.clear();
    this.#runs.clear();
    this.#bump();
  }

  /** Applies one observed batch of mask changes as a single version bump. */
  apply(changes: Iterable<MaskPresenceChange>): void {
    this.batch(() => {
      for (const c of changes) {
        if (c.action === 'delete') this.remove(c.objId, c.frame);
        else this.add(c.objId, c.frame);
      }
    });
  }

  /** Runs `fn` and notifies listeners once at the end, however many changes it made. */
  batch(fn: () => void): void {
    this.#batch++;
    try {
      fn();
    } finally {
      if (--this.#batch === 0 && this.#dirty) {
        this.#dirty = false;
        this.#bump();
      }
    }
  }

  has(objId: string, frame: number): boolean {
    return this.#frames.get(objId)?.has(frame) ?? false;
  }

  count(objId: string): number {
    return this.#frames.get(objId)?.size ?? 0;
  }

  /** The objects that have at least one mask. */
  objects(): string[] {
    return [...this.#frames.keys()];
  }

  /** The frames of `objId` that have a mask, ascending (cached; do not mutate). */
  framesOf(objId: string): readonly number[] {
    const frames = this.#frames.get(objId);
    if (frames === undefined) return NO_FRAMES;
    let sorted = this.#sorted.get(objId);
    if (sorted === undefined) {
      sorted = Object.freeze([...frames].sort((a, b) => a - b));
      this.#sorted.set(objId, sorted);
    }
    return sorted;
  }

  /** Maximal runs of consecutive covered frames, ascending (cached until `objId` changes). */
  runsOf(objId: string): readonly FrameRun[] {
    let runs = this.#runs.get(objId);
    if (runs === undefined) {
      const frames = this.framesOf(objId);
      runs = frames.length === 0 ? NO_RUNS : Object.freeze(toRuns(frames));
      if (frames.length > 0) this.#runs.set(objId, runs);
    }
    return runs;
  }

  /** Calls `cb` after every change (batches once); returns the unsubscribe function. */
  subscribe(cb: () => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  #changed(objId: string): void {
    this.#sorted.delete(objId);
    this.#runs.delete(objId);
    if (this.#batch > 0) this.#dirty = true;
    else this.#bump();
  }

  #bump(): void {
    this.#version++;
    for (const cb of [...this.#listeners]) cb();
  }
}

/** Merges ascending, distinct frames into runs `[start, endExclusive)`. */
export function toRuns(sortedFrames: readonly number[]): FrameRun[] {
  const runs: FrameRun[] = [];
  let start = -1;
  let end = -1;
  for (const f of sortedFrames) {
    if (f === end) {
      end++;
      continue;
    }
    if (start >= 0) runs.push([start, end]);
    start = f;
    end = f + 1;
  }
  if (start >= 0) runs.push([start, end]);
  return runs;
}

function checkFrame(frame: number): void {
  if (!Number.isSafeInteger(frame) || frame < 0) throw new RangeError(`not a frame index: ${frame}`);
}
