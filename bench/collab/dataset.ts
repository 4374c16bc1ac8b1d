/**
 * A realistic propagation result for the collaboration bench: `objects` objects tracked over
 * `frames` frames of a 1920×1080 video, each object a blob made of overlapping rotated ellipses
 * that moves across the frame (bouncing off the edges), deforms slowly, has holes, carries a
 * few small detached fragments and, on some columns, a ragged edge (a 1–3 px gap), as segmenters
 * produce. Seeded: the same masks on every run. With the defaults (900 × 20) the counts strings
 * average about 3.8 KB.
 *
 * Masks are built column by column straight from the shapes' geometry (column-major runs, the
 * order COCO RLE uses), then coded with the real codec (`rle.countsToString`); `bbox` and `area`
 * come from the codec too. That avoids painting and scanning 18 000 full frames; a sample is
 * painted and checked against `rle.encode` instead (see {@link crossCheck}), so the strings are
 * exactly what encoding the painted mask gives.
 */
import {
  rle,
  seededRandom,
  type MaskRecord,
  type ObjectId,
  type PixelBox,
  type UserId,
} from '@maskroom/shared';

export const WIDTH = 1920;
export const HEIGHT = 1080;

type Rand = () => number;

/** A rotated ellipse relative to its object's centre (units: the object's scale), wobbling over time. */
interface Part {
  ox: number;
  oy: number;
  a: number;
  b: number;
  theta: number;
  wobble: number;
  freq: number;
  phase: number;
  spin: number;
}

interface ObjectTrack {
  id: ObjectId;
  key: number;
  scale: number;
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  body: Part[];
  holes: Part[];
  /** Small detached bits near the body. */
  fragments: Part[];
  /** Chance per column and edge of a ragged edge (hair, foliage, motion blur): a 1–3 px gap. */
  ragged: number;
}

/** An ellipse placed on one frame, in pixels. */
interface Placed {
  cx: number;
  cy: number;
  a: number;
  b: number;
  cos: number;
  sin: number;
}

export interface Dataset {
  readonly frames: number;
  readonly objects: readonly ObjectId[];
  /** `masks[frame][object]`. */
  readonly masks: readonly (readonly MaskRecord[])[];
  /** Sum of the counts strings' lengths (ASCII: bytes). */
  readonly rleBytes: number;
  readonly generateMs: number;
}

const part = (rand: Rand, spread: number, size: [number, number]): Part => ({
  ox: (rand() - 0.5) * spread,
  oy: (rand() - 0.5) * spread,
  a: size[0] + (size[1] - size[0]) * rand(),
  b: size[0] + (size[1] - size[0]) * rand(),
  theta: rand() * Math.PI,
  wobble: 0.03 + 0.08 * rand(),
  freq: 0.02 + 0.06 * rand(),
  phase: rand() * 2 * Math.PI,
  spin: (rand() - 0.5) * 0.02,
});

function makeTrack(rand: Rand, index: number): ObjectTrack {
  // A mix of sizes: people near and far, cars, small things.
  const scale = 70 + 380 * rand() ** 1.5;
  const speed = 0.5 + 3 * rand();
  const dir = rand() * 2 * Math.PI;
  const body = Array.from({ length: 4 + Math.floor(rand() * 5) }, () => part(rand, 1.1, [0.15, 0.55]));
  const holes = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => part(rand, 0.9, [0.03, 0.09]));
  const fragments = Array.from({ length: 2 + Math.floor(rand() * 8) }, () => ({
    ...part(rand, 2, [0.01, 0.05]),
    wobble: 0.2,
  }));
  return {
    id: `obj_${String(index).padStart(2, '0')}` as ObjectId,
    key: index + 1,
    scale,
    x0: WIDTH * (0.1 + 0.8 * rand()),
    y0: HEIGHT * (0.1 + 0.8 * rand()),
    vx: Math.cos(dir) * speed,
    vy: Math.sin(dir) * speed,
    body,
    holes,
    fragments,
    ragged: 0.05 + 0.35 * rand(),
  };
}

/** Position along [lo, hi] of a point moving at constant speed and bouncing off both ends. */
function bounce(start: number, velocity: number, t: number, lo: number, hi: number): number {
  const span = hi - lo;
  if (span <= 0) return (lo + hi) / 2;
  let p = (((start - lo + velocity * t) % (2 * span)) + 2 * span) % (2 * span);
  if (p > span) p = 2 * span - p;
  return lo + p;
}

function place(p: Part, cx: number, cy: number, scale: number, f: number): Placed {
  const w = 1 + p.wobble * Math.sin(p.freq * f + p.phase);
  const theta = p.theta + p.spin * f;
  return {
    cx: cx + (p.ox + p.wobble * Math.cos(p.freq * f + p.phase)) * scale,
    cy: cy + p.oy * scale * w,
    a: Math.max(1.5, p.a * scale * w),
    b: Math.max(1.5, (p.b * scale) / w),
    cos: Math.cos(theta),
    sin: Math.sin(theta),
  };
}

/**
 * Rows `[lo, hi]` (inclusive, clipped to the frame) of column `x` inside ellipse `e`, or null.
 * Pixel (x, y) is inside when ((dx·cos + dy·sin)/a)² + ((−dx·sin + dy·cos)/b)² ≤ 1.
 */
function columnSpan(e: Placed, x: number): [number, number] | null {
  const dx = x - e.cx;
  const ia = 1 / (e.a * e.a);
  const ib = 1 / (e.b * e.b);
  const A = e.sin * e.sin * ia + e.cos * e.cos * ib;
  const B = 2 * dx * e.cos * e.sin * (ia - ib);
  const C = dx * dx * (e.cos * e.cos * ia + e.sin * e.sin * ib) - 1;
  const disc = B * B - 4 * A * C;
  if (disc < 0) return null;
  const root = Math.sqrt(disc);
  const lo = Math.max(0, Math.ceil(e.cy + (-B - root) / (2 * A)));
  const hi = Math.min(HEIGHT - 1, Math.floor(e.cy + (-B + root) / (2 * A)));
  return lo <= hi ? [lo, hi] : null;
}

/** Union of inclusive intervals (adjacent ones merged), sorted. */
function union(spans: [number, number][]): [number, number][] {
  if (spans.length <= 1) return spans;
  spans.sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [[spans[0]![0], spans[0]![1]]];
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]!;
    const last = out[out.length - 1]!;
    if (s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

/** `spans` minus `cut` (both sorted, disjoint inclusive intervals). */
function subtract(spans: [number, number][], cut: [number, number][]): [number, number][] {
  let out = spans;
  for (const [c0, c1] of cut) {
    const next: [number, number][] = [];
    for (const [s0, s1] of out) {
      if (c1 < s0 || c0 > s1) next.push([s0, s1]);
      else {
        if (s0 < c0) next.push([s0, c0 - 1]);
        if (c1 < s1) next.push([c1 + 1, s1]);
      }
    }
    out = next;
  }
  return out;
}

/** A hash of three integers, uniform in [0, 1): per-pixel texture independent of any PRNG stream. */
function hash3(a: number, b: number, c: number): number {
  let h =
    Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
}

/** Cuts a 1–3 px gap near the top and/or bottom end of long spans (see `ObjectTrack.ragged`). */
function roughen(
  spans: [number, number][],
  ragged: number,
  key: number,
  f: number,
  x: number,
): [number, number][] {
  const out: [number, number][] = [];
  spans.forEach(([y0, y1], i) => {
    const seed = key * 131 + i;
    let lo = y0;
    let hi = y1;
    let top: [number, number] | null = null;
    let bottom: [number, number] | null = null;
    if (hi - lo > 12 && hash3(seed, f, x) < ragged) {
      const k = 1 + Math.floor(hash3(seed, f, x + 7919) * 4);
      const g = 1 + Math.floor(hash3(seed, f + 104729, x) * 3);
      top = [lo, lo + k - 1];
      lo += k + g;
    }
    if (hi - lo > 12 && hash3(seed + 17, f, x) < ragged) {
      const k = 1 + Math.floor(hash3(seed + 17, f, x + 7919) * 4);
      const g = 1 + Math.floor(hash3(seed + 17, f + 104729, x) * 3);
      bottom = [hi - k + 1, hi];
      hi -= k + g;
    }
    if (top) out.push(top);
    out.push([lo, hi]);
    if (bottom) out.push(bottom);
  });
  return out;
}

/** Horizontal extent of an ellipse, clipped to the frame: `[x0, x1]` (empty when x0 > x1). */
function xExtent(e: Placed): [number, number] {
  const half = Math.sqrt(e.a * e.a * e.cos * e.cos + e.b * e.b * e.sin * e.sin);
  return [Math.max(0, Math.ceil(e.cx - half)), Math.min(WIDTH - 1, Math.floor(e.cx + half))];
}

/** Adds each ellipse's span to the list of every column it crosses. */
function collect(ellipses: Placed[], columns: Map<number, [number, number][]>): void {
  for (const e of ellipses) {
    const [x0, x1] = xExtent(e);
    for (let x = x0; x <= x1; x++) {
      const s = columnSpan(e, x);
      if (!s) continue;
      const list = columns.get(x);
      if (list) list.push(s);
      else columns.set(x, [s]);
    }
  }
}

/** The filled rows of every column of one object on one frame (columns outside: absent). */
function objectColumns(track: ObjectTrack, f: number): Map<number, [number, number][]> {
  const margin = track.scale * 0.4;
  const cx = bounce(track.x0, track.vx, f, margin, WIDTH - margin);
  const cy = bounce(track.y0, track.vy, f, margin, HEIGHT - margin);
  const fills = new Map<number, [number, number][]>();
  const holes = new Map<number, [number, number][]>();
  collect(
    [...track.body, ...track.fragments].map((p) => place(p, cx, cy, track.scale, f)),
    fills,
  );
  collect(
    track.holes.map((p) => place(p, cx, cy, track.scale, f)),
    holes,
  );
  const columns = new Map<number, [number, number][]>();
  for (const [x, spans] of fills) {
    const cut = holes.get(x);
    const filled = roughen(
      cut ? subtract(union(spans), union(cut)) : union(spans),
      track.ragged,
      track.key,
      f,
      x,
    );
    if (filled.length > 0) columns.set(x, filled);
  }
  return columns;
}

/** Column-major COCO runs (0-run first) of the columns' spans. */
function runsOf(columns: Map<number, [number, number][]>): number[] {
  const runs: number[] = [];
  let cursor = 0; // pixels covered by `runs` so far
  const xs = [...columns.keys()].sort((p, q) => p - q);
  for (const x of xs) {
    for (const [y0, y1] of columns.get(x)!) {
      const start = x * HEIGHT + y0;
      const end = x * HEIGHT + y1 + 1;
      if (start === cursor && runs.length % 2 === 0 && runs.length > 0) {
        runs[runs.length - 1]! += end - start; // continues the previous 1-run (across a column edge)
      } else {
        runs.push(start - cursor, end - start);
      }
      cursor = end;
    }
  }
  if (runs.length === 0) runs.push(0);
  if (cursor < WIDTH * HEIGHT) runs.push(WIDTH * HEIGHT - cursor);
  return runs;
}

export function generateDataset(frames: number, objects: number, seed: number): Dataset {
  const t0 = performance.now();
  const rand = seededRandom(seed);
  const tracks = Array.from({ length: objects }, (_, i) => makeTrack(rand, i));
  const masks: MaskRecord[][] = [];
  let rleBytes = 0;
  for (let f = 0; f < frames; f++) {
    const row: MaskRecord[] = [];
    for (const track of tracks) {
      const counts = rle.countsToString(runsOf(objectColumns(track, f)), HEIGHT, WIDTH);
      rleBytes += counts.length;
      row.push({
        rle: counts,
        bbox: rle.bbox(counts, HEIGHT, WIDTH) as PixelBox,
        area: rle.area(counts),
        score: Math.round((0.85 + 0.15 * rand()) * 1000) / 1000,
        source: 'propagation',
        ref: 'job_bench',
        by: 'local' as UserId,
      });
    }
    masks.push(row);
  }
  return {
    frames,
    objects: tracks.map((t) => t.id),
    masks,
    rleBytes,
    generateMs: performance.now() - t0,
  };
}

/**
 * Paints the masks of `sample` (frame, object) pairs into a full row-major frame from the same
 * geometry and checks that `rle.encode` of that frame gives exactly the stored string. Returns
 * how many were checked; throws on the first difference.
 */
export function crossCheck(dataset: Dataset, seed: number, sample: Array<[number, number]>): number {
  const rand = seededRandom(seed);
  const tracks = Array.from({ length: dataset.objects.length }, (_, i) => makeTrack(rand, i));
  const frame = new Uint8Array(WIDTH * HEIGHT);
  for (const [f, o] of sample) {
    frame.fill(0);
    for (const [x, spans] of objectColumns(tracks[o]!, f)) {
      for (const [y0, y1] of spans) for (let y = y0; y <= y1; y++) frame[y * WIDTH + x] = 1;
    }
    const expected = rle.encode(frame, HEIGHT, WIDTH);
    if (expected !== dataset.masks[f]![o]!.rle) {
      throw new Error(`dataset mask ${f}/${o} differs from rle.encode of the painted mask`);
    }
  }
  return sample.length;
}
