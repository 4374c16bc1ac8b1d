/**
 * Polygon → COCO RLE exactly as pycocotools' `frPyObjects` rasterizes polygons (`rleFrPoly` in
 * `common/maskApi.c`), so that importing a polygon dataset gives the very masks pycocotools would
 * decode from it. The algorithm walks the outline at 5× resolution, keeps the points where it
 * crosses a pixel column centre and turns those into column-major run boundaries; a boundary met
 * twice cancels, which makes self-overlapping outlines fill even-odd.
 */
import { runsToString } from '../rle/counts.js';
import type { RleString } from '../rle/types.js';

const SCALE = 5;

/** C's `(int)` cast: truncation toward zero. */
const toInt = (v: number): number => Math.trunc(v);

/**
 * Rasterizes one polygon `[x0, y0, x1, y1, …]` (pixel coordinates, COCO convention) into the raw
 * runs of an `height × width` frame, as pycocotools does.
 */
export function polygonRuns(xy: readonly number[], height: number, width: number): number[] {
  const k = xy.length >> 1;
  const x = new Array<number>(k + 1);
  const y = new Array<number>(k + 1);
  for (let j = 0; j < k; j++) x[j] = toInt(SCALE * xy[j * 2]! + 0.5);
  for (let j = 0; j < k; j++) y[j] = toInt(SCALE * xy[j * 2 + 1]! + 0.5);
  x[k] = x[0]!;
  y[k] = y[0]!;
  // Dense outline at 5× resolution.
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(toInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(toInt(xs + s * t + 0.5));
      }
    }
  }
  // Crossings of pixel column centres, back at 1× resolution.
  const bounds: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    yd = Math.ceil(yd);
    bounds.push(xd * height + yd);
  }
  bounds.push(height * width);
  bounds.sort((a, b) => a - b);
  // Boundary positions → run lengths; an empty run merges its neighbours (two crossings cancel).
  let p = 0;
  for (let j = 0; j < bounds.length; j++) {
    const t = bounds[j]!;
    bounds[j] = t - p;
    p = t;
  }
  const runs: number[] = [bounds[0]!];
  for (let j = 1; j < bounds.length;) {
    if (bounds[j]! > 0) runs.push(bounds[j++]!);
    else {
      j++;
      if (j < bounds.length) runs[runs.length - 1] = runs[runs.length - 1]! + bounds[j++]!;
    }
  }
  return runs;
}

/** One polygon as a counts string (pycocotools' `frPyObjects([poly], h, w)[0]['counts']`). */
export function polygonToRle(xy: readonly number[], height: number, width: number): RleString {
  const runs = polygonRuns(xy, height, width);
  return runsToString(runs, runs.length);
}
