import { describe, expect, it } from 'vitest';
import { FrameCache, frameUrl, prefetchOrder } from './FrameCache.js';

class FakeBitmap {
  closed = false;
  constructor(readonly frame: number) {}
  close(): void {
    this.closed = true;
  }
}

interface Request {
  frame: number;
  signal: AbortSignal;
  resolve(): void;
  reject(err: Error): void;
}

/** A fetcher whose requests stay open until the test answers them. */
function harness(opts: { capacity?: number; concurrency?: number; frameCount?: number } = {}) {
  const requests: Request[] = [];
  const loaded: number[] = [];
  const decoded: FakeBitmap[] = [];
  const cache = new FrameCache<FakeBitmap>({
    ...opts,
    fetchFrame: (frame, signal) =>
      new Promise<Blob>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error));
        requests.push({
          frame,
          signal,
          resolve: () => resolve(new Blob([String(frame)])),
          reject,
        });
      }),
    decode: async (blob) => {
      const b = new FakeBitmap(Number(await blob.text()));
      decoded.push(b);
      return b;
    },
    onLoaded: (f) => loaded.push(f),
  });
  const open = (): number[] => requests.filter((r) => !r.signal.aborted).map((r) => r.frame);
  const answer = async (frame: number): Promise<void> => {
    const r = requests.find((q) => q.frame === frame && !q.signal.aborted);
    if (r === undefined) throw new Error(`no open request for frame ${frame}`);
    requests.splice(requests.indexOf(r), 1);
    r.resolve();
    await flush();
  };
  return { cache, requests, loaded, decoded, open, answer };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setTimeout(r, 0));
};

describe('prefetchOrder', () => {
  it('goes nearest first, ahead before behind at equal distance', () => {
    expect(prefetchOrder(10, 3, 2)).toEqual([10, 11, 9, 12, 8, 13]);
  });

  it('stays inside the video and under the limit', () => {
    expect(prefetchOrder(1, 2, 3, 3)).toEqual([1, 2, 0]);
    expect(prefetchOrder(50, 10, 10, 100, 4)).toEqual([50, 51, 49, 52]);
  });
});

describe('FrameCache', () => {
  it('loads a frame once, dedupes concurrent requests and answers get() afterwards', async () => {
    const h = harness();
    expect(h.cache.get(3)).toBeUndefined();
    const a = h.cache.load(3);
    const b = h.cache.load(3);
    expect(h.requests).toHaveLength(1);
    await h.answer(3);
    const [ba, bb] = await Promise.all([a, b]);
    expect(ba).toBe(bb);
    expect(ba.frame).toBe(3);
    expect(h.cache.get(3)).toBe(ba);
    expect(await h.cache.load(3)).toBe(ba);
    expect(h.requests).toHaveLength(0);
    expect(h.loaded).toEqual([3]);
  });

  it('rejects frames outside the video', async () => {
    const h = harness({ frameCount: 10 });
    await expect(h.cache.load(10)).rejects.toThrow(RangeError);
    await expect(h.cache.load(-1)).rejects.toThrow(RangeError);
    await expect(h.cache.load(1.5)).rejects.toThrow(RangeError);
  });

  it('evicts the least recently used frame and closes it', async () => {
    const h = harness({ capacity: 3 });
    for (const f of [0, 1, 2]) {
      const p = h.cache.load(f);
      await h.answer(f);
      await p;
    }
    h.cache.get(0); // 1 is now the least recently used
    const p = h.cache.load(3);
    await h.answer(3);
    await p;
    expect(h.cache.size).toBe(3);
    expect(h.cache.has(1)).toBe(false);
    expect(h.decoded.find((b) => b.frame === 1)!.closed).toBe(true);
    expect([0, 2, 3].every((f) => h.cache.has(f))).toBe(true);
    expect(h.decoded.filter((b) => b.closed)).toHaveLength(1);
  });

  it('prefetches nearest frames first, a few at a time', async () => {
    const h = harness({ concurrency: 2, frameCount: 100 });
    h.cache.prefetchAround(20, 3, 1);
    expect(h.open()).toEqual([20, 21]);
    await h.answer(21);
    expect(h.open()).toEqual([20, 19]);
    await h.answer(20);
    expect(h.open()).toEqual([19, 22]);
    await h.answer(19);
    expect(h.open()).toEqual([22, 23]);
    await h.answer(23);
    await h.answer(22);
    expect(h.open()).toEqual([]);
    expect(h.loaded).toEqual([21, 20, 19, 23, 22]);
  });

  it('skips frames already cached or in flight', async () => {
    const h = harness({ concurrency: 4 });
    const p = h.cache.load(5);
    await h.answer(5);
    await p;
    const q = h.cache.load(6);
    h.cache.prefetchAround(5, 2, 0);
    expect(h.open()).toEqual([6, 7]);
    await h.answer(6);
    expect((await q).frame).toBe(6);
  });

  it('aborts stale prefetches when the playhead jumps, but never a frame someone awaits', async () => {
    const h = harness({ concurrency: 3, frameCount: 1000 });
    h.cache.prefetchAround(10, 5, 0);
    const awaited = h.cache.load(11); // joins the prefetch of 11
    const before = h.requests.slice();
    expect(before.map((r) => r.frame)).toEqual([10, 11, 12]);
    h.cache.prefetchAround(500, 2, 0);
    expect(before.find((r) => r.frame === 10)!.signal.aborted).toBe(true);
    expect(before.find((r) => r.frame === 12)!.signal.aborted).toBe(true);
    expect(before.find((r) => r.frame === 11)!.signal.aborted).toBe(false);
    // The aborted requests freed their slots at once: the new window starts now.
    expect(h.open()).toEqual([11, 500, 501]);
    await h.answer(11);
    expect((await awaited).frame).toBe(11);
    expect(h.open()).toEqual([500, 501, 502]);
    await flush();
    expect(h.cache.has(10)).toBe(false);
  });

  it('refetches a frame whose prefetch was aborted when the playhead comes back', async () => {
    const h = harness({ concurrency: 1 });
    h.cache.prefetchAround(10, 0, 0);
    h.cache.prefetchAround(90, 0, 0);
    h.cache.prefetchAround(10, 0, 0);
    expect(h.open()).toEqual([10]);
  });

  it('drops and closes a result that arrives after its request went stale', async () => {
    const requests: { frame: number; resolve(): void }[] = [];
    let release: () => void = () => {};
    const decoding = new Promise<void>((r) => (release = r));
    const made: FakeBitmap[] = [];
    const cache = new FrameCache<FakeBitmap>({
      concurrency: 1,
      // A fetcher that ignores the signal: the decode result itself must be thrown away.
      fetchFrame: (frame) =>
        new Promise<Blob>((resolve) => requests.push({ frame, resolve: () => resolve(new Blob(['x'])) })),
      decode: async () => {
        await decoding;
        const b = new FakeBitmap(0);
        made.push(b);
        return b;
      },
    });
    cache.prefetchAround(0, 0, 0);
    requests[0]!.resolve();
    await flush();
    cache.prefetchAround(50, 0, 0);
    release();
    await flush();
    expect(made).toHaveLength(1);
    expect(made[0]!.closed).toBe(true);
    expect(cache.has(0)).toBe(false);
  });

  it('evicts outside the prefetch window first, even frames used more recently', async () => {
    const h = harness({ capacity: 4, concurrency: 3 });
    const loadNow = async (f: number): Promise<void> => {
      const p = h.cache.load(f);
      await h.answer(f);
      await p;
    };
    h.cache.prefetchAround(100, 2, 0); // window 100, 101, 102
    for (const f of [100, 101, 102]) await h.answer(f);
    await loadNow(7);
    await loadNow(8); // 100 is now the least recently used, but it is the playhead
    expect(h.cache.has(100)).toBe(true);
    expect(h.cache.has(7)).toBe(false);
    expect([100, 101, 102, 8].every((f) => h.cache.has(f))).toBe(true);
  });

  it('when only window frames are left, evicts the one farthest from the playhead', async () => {
    const h = harness({ capacity: 3, concurrency: 3 });
    h.cache.prefetchAround(50, 1, 1); // window 50, 51, 49
    for (const f of [50, 51, 49]) await h.answer(f);
    const p = h.cache.load(3);
    await h.answer(3);
    await p;
    expect(h.cache.has(49)).toBe(false);
    expect([50, 51, 3].every((f) => h.cache.has(f))).toBe(true);
  });

  it('keeps prefetch failures quiet and does not cache them', async () => {
    const h = harness({ concurrency: 1 });
    h.cache.prefetchAround(4, 0, 0);
    h.requests.shift()!.reject(new Error('HTTP 500'));
    await flush();
    expect(h.cache.has(4)).toBe(false);
    const retry = h.cache.load(4);
    await h.answer(4);
    expect((await retry).frame).toBe(4);
  });

  it('destroy aborts requests and closes every frame', async () => {
    const h = harness();
    const p = h.cache.load(1);
    await h.answer(1);
    const bitmap = await p;
    const pending = h.cache.load(2);
    h.cache.destroy();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(bitmap.closed).toBe(true);
    expect(h.cache.size).toBe(0);
    await expect(h.cache.load(1)).rejects.toThrow(/destroyed/);
  });
});

describe('frameUrl', () => {
  it('builds the API path of a frame', () => {
    expect(frameUrl('vid_1', 12)).toBe('/api/videos/vid_1/frames/12.jpg');
  });
});
