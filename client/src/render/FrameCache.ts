/**
 * Frame pictures for the canvas (DESIGN §8): JPEGs from `GET /api/videos/:id/frames/:i.jpg`,
 * decoded off the main thread into `ImageBitmap`s and kept in a bounded LRU cache.
 *
 * - `get(frame)` answers synchronously from the cache, so a scrub draws whatever is there at once;
 * - `load(frame)` fetches one frame now (deduplicated with any request already in flight);
 * - `prefetchAround(frame, ahead, behind)` keeps a window around the playhead filling, nearest
 *   frames first, a few requests at a time, and aborts the prefetches a playhead jump made stale.
 *
 * Fetch and decode are injected, so the ordering, dedupe and eviction logic is tested in Node
 * with fakes; {@link createFrameCache} wires the browser's `fetch` and `createImageBitmap`.
 */
import type { VideoId } from '@maskroom/shared';

/** What the cache holds: something that frees its memory on `close()`, like an `ImageBitmap`. */
export interface Closable {
  close(): void;
}

export interface FrameCacheOptions<B extends Closable> {
  fetchFrame: (frame: number, signal: AbortSignal) => Promise<Blob>;
  decode: (blob: Blob) => Promise<B>;
  /** Decoded frames kept. Default 48 (1080p RGBA: about 8 MB each in GPU-side memory). */
  capacity?: number;
  /** Prefetch requests in flight at once. Default 4. `load` is not limited. */
  concurrency?: number;
  /** Frames in the video, when known: prefetch stops at the last one. */
  frameCount?: number;
  /** Called whenever a frame enters the cache (e.g. to redraw when the playhead's frame lands). */
  onLoaded?: (frame: number) => void;
}

export const DEFAULT_FRAME_CACHE_CAPACITY = 48;
export const DEFAULT_PREFETCH_CONCURRENCY = 4;

interface Pending<B> {
  readonly controller: AbortController;
  readonly promise: Promise<B>;
  /** Someone awaits it through `load`: a playhead jump must not abort it. */
  demanded: boolean;
  /** Started by prefetch: it occupies one of the `concurrency` slots until it settles. */
  readonly slot: boolean;
  /** No longer counted in `pending` and the slots (settled or aborted). */
  released: boolean;
}

/**
 * Frames around `center` in the order to fetch them: nearest first, and at equal distance the
 * one ahead first (playback moves forward). At most `limit` frames, within [0, frameCount).
 */
export function prefetchOrder(
  center: number,
  ahead: number,
  behind: number,
  frameCount = Number.POSITIVE_INFINITY,
  limit = Number.POSITIVE_INFINITY,
): number[] {
  const order: number[] = [];
  const push = (f: number): void => {
    if (f >= 0 && f < frameCount && order.length < limit) order.push(f);
  };
  push(center);
  for (let d = 1; d <= Math.max(ahead, behind); d++) {
    if (d <= ahead) push(center + d);
    if (d <= behind) push(center - d);
  }
  return order;
}

const abortError = (): DOMException => new DOMException('frame request aborted', 'AbortError');

export class FrameCache<B extends Closable = ImageBitmap> {
  /** Decoded frames, least recently used first (Map keeps insertion order). */
  private readonly frames = new Map<number, B>();
  private readonly pending = new Map<number, Pending<B>>();
  private queue: number[] = [];
  /** The current prefetch window: eviction spares these frames while others can go. */
  private window = new Set<number>();
  /** The window nearest first: when only window frames are left, the farthest goes. */
  private windowOrder: number[] = [];
  private slotsInUse = 0;
  private destroyed = false;
  private readonly capacity: number;
  private readonly concurrency: number;

  constructor(private readonly opts: FrameCacheOptions<B>) {
    this.capacity = Math.max(1, Math.floor(opts.capacity ?? DEFAULT_FRAME_CACHE_CAPACITY));
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_PREFETCH_CONCURRENCY));
  }

  /** Frames held now. */
  get size(): number {
    return this.frames.size;
  }

  /** Frames requested and not yet settled. */
  get inFlight(): number {
    return this.pending.size;
  }

  has(frame: number): boolean {
    return this.frames.has(frame);
  }

  /** The decoded frame if cached (and marks it recently used), else `undefined`. Never fetches. */
  get(frame: number): B | undefined {
    const bitmap = this.frames.get(frame);
    if (bitmap !== undefined) {
      this.frames.delete(frame);
      this.frames.set(frame, bitmap);
    }
    return bitmap;
  }

  /** The decoded frame, fetching it unless cached or already on its way. */
  load(frame: number): Promise<B> {
    if (this.destroyed) return Promise.reject(new Error('FrameCache is destroyed'));
    if (!this.isFrame(frame)) return Promise.reject(new RangeError(`not a frame of this video: ${frame}`));
    const cached = this.get(frame);
    if (cached !== undefined) return Promise.resolve(cached);
    const inFlight = this.pending.get(frame);
    if (inFlight !== undefined) {
      inFlight.demanded = true;
      return inFlight.promise;
    }
    return this.start(frame, true, false);
  }

  /**
   * Makes the window [`frame - behind`, `frame + ahead`] (at most `capacity` frames, nearest
   * first) the prefetch target: aborts prefetches outside it, queues its missing frames nearest
   * first and starts up to `concurrency` of them.
   */
  prefetchAround(frame: number, ahead: number, behind: number): void {
    if (this.destroyed || !this.isFrame(frame)) return;
    const order = prefetchOrder(frame, ahead, behind, this.opts.frameCount, this.capacity);
    this.window = new Set(order);
    this.windowOrder = order;
    for (const [f, p] of [...this.pending]) {
      if (!p.demanded && !this.window.has(f)) this.abort(f, p);
    }
    this.queue = order.filter((f) => !this.frames.has(f) && !this.pending.has(f));
    this.pump();
  }

  /** Aborts everything in flight and frees every frame. The cache cannot be used afterwards. */
  destroy(): void {
    this.destroyed = true;
    this.queue = [];
    for (const [f, p] of [...this.pending]) this.abort(f, p);
    for (const bitmap of this.frames.values()) bitmap.close();
    this.frames.clear();
  }

  private isFrame(frame: number): boolean {
    return (
      Number.isInteger(frame) && frame >= 0 && frame < (this.opts.frameCount ?? Number.POSITIVE_INFINITY)
    );
  }

  private pump(): void {
    while (this.slotsInUse < this.concurrency && this.queue.length > 0) {
      const f = this.queue.shift()!;
      if (this.frames.has(f) || this.pending.has(f)) continue;
      this.start(f, false, true);
    }
  }

  private start(frame: number, demanded: boolean, slot: boolean): Promise<B> {
    const controller = new AbortController();
    const promise = this.fetchAndDecode(frame, controller.signal);
    const entry: Pending<B> = { controller, promise, demanded, slot, released: false };
    this.pending.set(frame, entry);
    if (slot) this.slotsInUse++;
    const settled = (): void => {
      this.release(frame, entry);
      this.pump();
    };
    // Handles the rejection for prefetches nobody awaits; `load` callers get `promise` itself.
    promise.then(settled, settled);
    return promise;
  }

  /**
   * Forgets a request at once rather than when its aborted fetch gets round to rejecting, so the
   * frame can be asked for again and the slot serves the new window.
   */
  private abort(frame: number, entry: Pending<B>): void {
    entry.controller.abort(abortError());
    this.release(frame, entry);
  }

  private release(frame: number, entry: Pending<B>): void {
    if (entry.released) return;
    entry.released = true;
    if (this.pending.get(frame) === entry) this.pending.delete(frame);
    if (entry.slot) this.slotsInUse--;
  }

  private async fetchAndDecode(frame: number, signal: AbortSignal): Promise<B> {
    const blob = await this.opts.fetchFrame(frame, signal);
    signal.throwIfAborted();
    const bitmap = await this.opts.decode(blob);
    // Decoding cannot be aborted: a result that arrives stale is dropped here.
    if (signal.aborted || this.destroyed) {
      bitmap.close();
      throw abortError();
    }
    this.insert(frame, bitmap);
    this.opts.onLoaded?.(frame);
    return bitmap;
  }

  private insert(frame: number, bitmap: B): void {
    const old = this.frames.get(frame);
    if (old !== undefined && old !== bitmap) old.close();
    this.frames.delete(frame);
    this.frames.set(frame, bitmap);
    while (this.frames.size > this.capacity) {
      const victim = this.pickVictim(frame);
      if (victim === undefined) break;
      this.frames.get(victim)!.close();
      this.frames.delete(victim);
    }
  }

  /**
   * The least recently used frame outside the prefetch window; failing that, the window frame
   * farthest from the playhead (the one needed last).
   */
  private pickVictim(justInserted: number): number | undefined {
    for (const f of this.frames.keys()) {
      if (f !== justInserted && !this.window.has(f)) return f;
    }
    for (let i = this.windowOrder.length - 1; i >= 0; i--) {
      const f = this.windowOrder[i]!;
      if (f !== justInserted && this.frames.has(f)) return f;
    }
    return undefined;
  }
}

/** The URL of one frame's JPEG (DESIGN §6). */
export function frameUrl(videoId: VideoId | string, frame: number): string {
  return `/api/videos/${encodeURIComponent(videoId)}/frames/${frame}.jpg`;
}

/** A cache of one video's frames, fetched with the session cookie and decoded by the browser. */
export function createFrameCache(
  videoId: VideoId | string,
  opts: Omit<FrameCacheOptions<ImageBitmap>, 'fetchFrame' | 'decode'> = {},
): FrameCache<ImageBitmap> {
  return new FrameCache<ImageBitmap>({
    ...opts,
    fetchFrame: async (frame, signal) => {
      const url = frameUrl(videoId, frame);
      const res = await fetch(url, { signal, credentials: 'same-origin' });
      if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}`);
      return res.blob();
    },
    decode: (blob) => createImageBitmap(blob),
  });
}
