/**
 * Mask outlines as polygons through the centres of boundary pixels, the convention of OpenCV's
 * `findContours` (and so of YOLO-seg labels made by ultralytics): `cv2.fillPoly` of such a polygon
 * gives the mask back.
 *
 * The tracer follows pixel edges ("cracks") with the foreground on its left, one step per edge,
 * over a padded crop (`crop.ts`), so its cost grows with the outline, plus one pass over the box
 * to find where outlines start. Foreground is 8-connected: where two pixels touch only at a corner
 * the outline turns right and keeps them together, as findContours does. Each crack polygon is
 * then moved half a pixel inwards, which puts every vertex on a boundary pixel's centre.
 *
 * Outer outlines run one way and the outlines of holes the other: in image coordinates (y down)
 * the shoelace sum of an outer outline is negative.
 */
import type { MaskCrop } from './crop.js';

export interface Ring {
  /** Vertices in frame pixel coordinates (pixel centres = integer coordinates), `[x0, y0, x1, …]`. */
  readonly points: number[];
  /** Twice the signed area of the crack polygon (pixel edges); < 0 for outer outlines. */
  readonly area2: number;
  /** The crack polygon's corners in crop corner coordinates, for containment tests. */
  readonly crack: number[];
  /** A point inside the hole (a background pixel centre, crop corner coordinates); holes only. */
  readonly sampleX: number;
  readonly sampleY: number;
}

// Headings: 0 right (+x), 1 down (+y), 2 left (−x), 3 up (−y).
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];
// The foreground side of an edge with heading h ("left" with y pointing down).
const LX = [0, 1, 0, -1];
const LY = [-1, 0, 1, 0];

/**
 * NEXT[config * 4 + heading]: the heading out of a corner entered with `heading`, where `config`
 * holds the four pixels around the corner (1 top-left, 2 top-right, 4 bottom-left, 8 bottom-right).
 */
const NEXT = (() => {
  const table = new Int8Array(64).fill(-1);
  for (let cfg = 0; cfg < 16; cfg++) {
    const a = cfg & 1;
    const b = (cfg >> 1) & 1;
    const c = (cfg >> 2) & 1;
    const d = (cfg >> 3) & 1;
    const out = [b && !d, d && !c, c && !a, a && !b];
    const count = out.filter(Boolean).length;
    for (let h = 0; h < 4; h++) {
      if (count === 1) table[cfg * 4 + h] = out.findIndex(Boolean);
      else if (count === 2) table[cfg * 4 + h] = (h + 1) & 3; // saddle: turn right (8-connected)
    }
  }
  return table;
})();

let visited = new Uint8Array(0);

/** Every outline of the cropped mask: outer ones and holes, in scan order of their top edges. */
export function traceRings(crop: MaskCrop): Ring[] {
  const { data, stride, x0, y0, ch } = crop;
  const rings: Ring[] = [];
  if (crop.cw === 0) return rings;
  if (visited.length < data.length) visited = new Uint8Array(Math.max(data.length, visited.length * 2));
  const seen = visited.subarray(0, data.length);
  seen.fill(0);
  // Offset from crop corner coordinates to frame pixel-centre coordinates after the half-pixel
  // inward move (the move itself adds ±0.5 on each axis).
  const ox = x0 - 1 - 0.5;
  const oy = y0 - 1 - 0.5;
  for (let y = 1; y <= ch; y++) {
    let i = y * stride + 1;
    for (let x = 1; x < stride - 1; x++, i++) {
      // A top edge (background above, foreground below) not yet walked starts a new outline.
      if (data[i] === 0 || data[i - stride] !== 0 || seen[i] !== 0) continue;
      const points: number[] = [];
      const crack: number[] = [];
      let area2 = 0;
      const sx = x + 1;
      const sy = y;
      let cx = sx;
      let cy = sy;
      let h = 2;
      let px = sx;
      let py = sy;
      for (;;) {
        if (h === 2) seen[cy * stride + cx - 1] = 1;
        cx += DX[h]!;
        cy += DY[h]!;
        const base = (cy - 1) * stride + cx - 1;
        const cfg =
          data[base]! |
          (data[base + 1]! << 1) |
          (data[base + stride]! << 2) |
          (data[base + stride + 1]! << 3);
        const nh = NEXT[cfg * 4 + h]!;
        if (nh !== h) {
          points.push(cx + 0.5 * (LX[h]! + LX[nh]!) + ox, cy + 0.5 * (LY[h]! + LY[nh]!) + oy);
          crack.push(cx, cy);
          area2 += px * cy - cx * py;
          px = cx;
          py = cy;
        }
        h = nh;
        if (cx === sx && cy === sy && h === 2) break;
      }
      // The sum started at the start corner (on the outline): close it there.
      area2 += px * sy - sx * py;
      rings.push({ points, area2, crack, sampleX: x + 0.5, sampleY: y - 0.5 });
    }
  }
  return rings;
}

/** Whether the point lies inside the crack polygon (even-odd; points never lie on its edges). */
export function crackContains(crack: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = crack.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = crack[i]!;
    const yi = crack[i + 1]!;
    const xj = crack[j]!;
    const yj = crack[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
