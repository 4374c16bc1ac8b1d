/**
 * Measures computed on the runs, never on decoded pixels: `area`, `bbox`, `iou`, `merge`.
 *
 * For canonical RLE — what pycocotools and `encode` produce: no empty run except possibly the
 * first — every result equals pycocotools' (`mask.area`, `mask.toBbox`, `mask.iou(...,
 * iscrowd=[0])`, `mask.merge(..., intersect=False)`), as the test vectors check.
 *
 * Counts strings may also carry empty runs in the middle (pycocotools' own `frPyObjects` passes
 * such run lists through). They decode to an ordinary mask, and these functions answer for that
 * mask; pycocotools does not always (its `toBbox` gives a wrapped-around ~2^32 box when every
 * 1-run is empty, its `iou` can stop early and report 0 for two identical masks, and its `merge`
 * can return runs that do not cover the frame). The vectors compare such inputs against
 * pycocotools applied to the canonical re-encoding of the same mask.
 */
import { RleError, checkSize } from './errors.js';
import { parseRuns, runsToString } from './counts.js';
import type { PixelBox } from '../ids.js';
import type { RleString } from './types.js';

/**
 * Number of pixels inside the mask (the sum of the 1-runs). With `height` and `width` the string is
 * also checked to cover exactly that frame.
 */
export function area(counts: RleString | string, height?: number, width?: number): number {
  const total =
    height === undefined && width === undefined ? undefined : checkSize(height ?? NaN, width ?? NaN);
  const runs = parseRuns(counts, total);
  let sum = 0;
  for (let j = 1; j < runs.length; j += 2) sum += runs[j]!;
  return sum;
}

/** Inclusive pixel bounds of a mask: columns `xs..xe`, rows `ys..ye`. */
export interface RunBounds {
  readonly xs: number;
  readonly ys: number;
  readonly xe: number;
  readonly ye: number;
}

/**
 * Bounds of already parsed column-major runs of a frame `height` pixels tall, or `null` for an
 * empty mask. Internal to the package (not part of the `rle` API): the export's crop decoder
 * needs the box and the runs from one parse.
 */
export function boundsOfRuns(runs: Uint32Array, height: number): RunBounds | null {
  const h = height;
  let xs = Infinity;
  let xe = -1;
  let ys = Infinity;
  let ye = -1;
  let pos = 0;
  for (let j = 0; j < runs.length; j++) {
    const c = runs[j]!;
    if ((j & 1) === 1 && c > 0) {
      const last = pos + c - 1;
      const x0 = Math.floor(pos / h);
      const x1 = Math.floor(last / h);
      if (x0 < xs) xs = x0;
      if (x1 > xe) xe = x1;
      if (x0 < x1) {
        ys = 0;
        ye = h - 1;
      } else {
        const y0 = pos - x0 * h;
        const y1 = last - x0 * h;
        if (y0 < ys) ys = y0;
        if (y1 > ye) ye = y1;
      }
    }
    pos += c;
  }
  return xe < 0 ? null : { xs, ys, xe, ye };
}

/**
 * Bounding box `[x, y, w, h]` in pixels, exactly as pycocotools' `toBbox`: `[0, 0, 0, 0]` for an
 * empty mask; a mask whose run crosses from one column into the next spans the full height, since
 * it covers the bottom of one column and the top of the next.
 */
export function bbox(counts: RleString | string, height: number, width: number): PixelBox {
  const total = checkSize(height, width);
  const b = boundsOfRuns(parseRuns(counts, total), height);
  if (b === null) return [0, 0, 0, 0] as unknown as PixelBox;
  return [b.xs, b.ys, b.xe - b.xs + 1, b.ye - b.ys + 1] as unknown as PixelBox;
}

/**
 * The mask's pixels as sorted, disjoint, non-touching column-major intervals
 * `[s0, e0, s1, e1, …]` (each `[s, e)`), empty 1-runs dropped and touching ones joined.
 */
function intervals(runs: Uint32Array): number[] {
  const out: number[] = [];
  let pos = 0;
  for (let j = 0; j < runs.length; j++) {
    const c = runs[j]!;
    if ((j & 1) === 1 && c > 0) {
      const last = out.length - 1;
      if (last > 0 && out[last] === pos) out[last] = pos + c;
      else out.push(pos, pos + c);
    }
    pos += c;
  }
  return out;
}

function parseIntervals(counts: RleString | string, total: number, which: string): number[] {
  try {
    return intervals(parseRuns(counts, total));
  } catch (e) {
    if (e instanceof RleError) throw new RleError(e.code, `${which}: ${e.message}`);
    throw e;
  }
}

/** Area of the intersection of two interval lists. */
function intersectionArea(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let k = 0;
  let sum = 0;
  while (i < a.length && k < b.length) {
    const s = Math.max(a[i]!, b[k]!);
    const aEnd = a[i + 1]!;
    const bEnd = b[k + 1]!;
    const e = Math.min(aEnd, bEnd);
    if (e > s) sum += e - s;
    if (aEnd <= bEnd) i += 2;
    else k += 2;
  }
  return sum;
}

function intervalsArea(a: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 2) sum += a[i + 1]! - a[i]!;
  return sum;
}

/**
 * Intersection over union of two masks of the same frame size, as pycocotools' `iou` for a
 * non-crowd ground truth: `|a ∩ b| / |a ∪ b|`, and 0 when they do not intersect (two empty masks
 * included).
 */
export function iou(a: RleString | string, b: RleString | string, height: number, width: number): number {
  const total = checkSize(height, width);
  const ia = parseIntervals(a, total, 'iou: first mask');
  const ib = parseIntervals(b, total, 'iou: second mask');
  const inter = intersectionArea(ia, ib);
  if (inter === 0) return 0;
  return inter / (intervalsArea(ia) + intervalsArea(ib) - inter);
}

/** Union of two interval lists, again sorted, disjoint and non-touching. */
function unionIntervals(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let k = 0;
  while (i < a.length || k < b.length) {
    let s: number;
    let e: number;
    if (k >= b.length || (i < a.length && a[i]! <= b[k]!)) {
      s = a[i]!;
      e = a[i + 1]!;
      i += 2;
    } else {
      s = b[k]!;
      e = b[k + 1]!;
      k += 2;
    }
    const last = out.length - 1;
    if (last > 0 && s <= out[last]!) {
      if (e > out[last]!) out[last] = e;
    } else {
      out.push(s, e);
    }
  }
  return out;
}

/**
 * Union of masks of one frame size, as pycocotools' `merge(rles, intersect=False)`. The result is
 * canonical RLE (what `encode` of the union would give). An empty list gives the empty mask of
 * that size (pycocotools would answer a 0×0 RLE, having no size to go by).
 */
export function merge(list: readonly (RleString | string)[], height: number, width: number): RleString {
  const total = checkSize(height, width);
  let acc: number[] = [];
  list.forEach((counts, index) => {
    acc = unionIntervals(acc, parseIntervals(counts, total, `merge: mask ${index}`));
  });
  const runs: number[] = [];
  let prev = 0;
  for (let i = 0; i < acc.length; i += 2) {
    runs.push(acc[i]! - prev, acc[i + 1]! - acc[i]!);
    prev = acc[i + 1]!;
  }
  // Like encode: a mask that ends inside ends with its last 1-run (no empty trailing 0-run).
  if (runs.length === 0 || prev < total) runs.push(total - prev);
  return runsToString(runs, runs.length);
}
