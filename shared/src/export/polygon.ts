/**
 * One polygon per mask for YOLO-seg (one label line per instance, as ultralytics' own
 * `convert_coco` writes): outlines simplified, holes and separate parts joined into one ring by
 * zero-width bridges between their closest vertices (ultralytics' `merge_multi_segment` idea).
 * `cv2.fillPoly` of the result gives the mask back except for the pixels a bridge crosses.
 */
import { crackContains, traceRings, type Ring } from './contours.js';
import type { MaskCrop } from './crop.js';

/**
 * Simplification tolerances in pixels, by side. A vertex may be dropped when the new edge passes
 * at most `OUTWARD` outside it (cv2.fillPoly still draws the pixel under the edge line) or at most
 * `INWARD` inside it: just above √2/2, so that one-pixel staircases (the outline of any diagonal
 * edge) become straight lines through their outer corners, the inner corners staying inside.
 */
export const SIMPLIFY_OUTWARD = 0.5;
export const SIMPLIFY_INWARD = 0.75;

/**
 * Ramer–Douglas–Peucker on a closed ring `[x0, y0, …]` (no repeated closing vertex), with the
 * foreground on the left of the direction of travel (image coordinates, y down), as the tracer
 * writes every ring.
 */
export function simplifyRing(
  points: readonly number[],
  outward = SIMPLIFY_OUTWARD,
  inward = SIMPLIFY_INWARD,
): number[] {
  const n = points.length / 2;
  if (n <= 4) return [...points];
  // Anchor the ring at vertex 0 and the vertex farthest from it.
  const x0 = points[0]!;
  const y0 = points[1]!;
  let far = 1;
  let best = -1;
  for (let i = 1; i < n; i++) {
    const dx = points[2 * i]! - x0;
    const dy = points[2 * i + 1]! - y0;
    const d = dx * dx + dy * dy;
    if (d > best) {
      best = d;
      far = i;
    }
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = 1;
  keep[far] = 1;
  keep[n] = 1;
  const at = (i: number): number => (i === n ? 0 : i);
  const inward2 = 1 / (inward * inward);
  const outward2 = 1 / (outward * outward);
  const stack: number[] = [0, far, far, n];
  while (stack.length > 0) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    if (b - a < 2) continue;
    const ax = points[2 * at(a)]!;
    const ay = points[2 * at(a) + 1]!;
    const dx = points[2 * at(b)]! - ax;
    const dy = points[2 * at(b) + 1]! - ay;
    const len2 = dx * dx + dy * dy;
    const inv = len2 === 0 ? 0 : 1 / len2;
    let worst = 1;
    let wi = -1;
    for (let i = a + 1; i < b; i++) {
      const px = points[2 * i]! - ax;
      const py = points[2 * i + 1]! - ay;
      // Distance to the new edge, by side: the foreground side is the left (with y down, the
      // normal (dy, −dx)). Points beyond the edge's ends count their distance to the nearer end.
      let t = (px * dx + py * dy) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx;
      const ey = py - t * dy;
      const score = (ex * ex + ey * ey) * (px * dy - py * dx > 0 ? inward2 : outward2);
      if (score > worst) {
        worst = score;
        wi = i;
      }
    }
    if (wi >= 0) {
      keep[wi] = 1;
      stack.push(a, wi, wi, b);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) out.push(points[2 * i]!, points[2 * i + 1]!);
  return out;
}

/** Indices of the closest pair of vertices, one of each ring. */
function closestPair(a: readonly number[], b: readonly number[]): [number, number] {
  let best = Infinity;
  let bi = 0;
  let bj = 0;
  for (let i = 0; i < a.length; i += 2) {
    const ax = a[i]!;
    const ay = a[i + 1]!;
    for (let j = 0; j < b.length; j += 2) {
      const dx = b[j]! - ax;
      const dy = b[j + 1]! - ay;
      const d = dx * dx + dy * dy;
      if (d < best) {
        best = d;
        bi = i;
        bj = j;
        if (d === 0) return [bi, bj];
      }
    }
  }
  return [bi, bj];
}

/**
 * `into` with `ring` spliced in at the vertices `i` of `into` and `j` of `ring` (element indices of
 * their x): … into[i], ring[j], …, ring[j−1], ring[j], into[i], … (there and back along one segment).
 */
export function bridge(into: readonly number[], ring: readonly number[], i: number, j: number): number[] {
  return [...into.slice(0, i + 2), ...ring.slice(j), ...ring.slice(0, j + 2), ...into.slice(i)];
}

/** `bridge` at the closest pair of vertices. */
export function bridgeClosest(into: readonly number[], ring: readonly number[]): number[] {
  if (into.length === 0) return [...ring];
  const [i, j] = closestPair(into, ring);
  return bridge(into, ring, i, j);
}

/**
 * The mask as one polygon `[x0, y0, x1, y1, …]` in frame pixel coordinates (at least 3 vertices,
 * repeated when the mask is a single pixel or line), or `[]` for an empty mask.
 *
 * Parts are joined largest first, each at its closest vertices. A part with fewer pixels than the
 * bridge to it would add (a speck far from the rest) is left out: drawn with the bridge it would
 * cost the polygon more than it adds.
 */
export function maskPolygon(crop: MaskCrop): number[] {
  const rings = traceRings(crop);
  if (rings.length === 0) return [];
  const outers: { ring: Ring; merged: number[]; pixels: number }[] = [];
  const holes: Ring[] = [];
  for (const r of rings) {
    if (r.area2 < 0) outers.push({ ring: r, merged: simplifyRing(r.points), pixels: -r.area2 / 2 });
    else holes.push(r);
  }
  for (const hole of holes) {
    // The innermost outline around the hole is the smallest one containing a pixel of it.
    let owner: (typeof outers)[number] | undefined;
    for (const o of outers) {
      if (owner !== undefined && -o.ring.area2 >= -owner.ring.area2) continue;
      if (crackContains(o.ring.crack, hole.sampleX, hole.sampleY)) owner = o;
    }
    if (owner === undefined) continue;
    owner.merged = bridgeClosest(owner.merged, simplifyRing(hole.points));
    owner.pixels -= hole.area2 / 2;
  }
  outers.sort((a, b) => b.pixels - a.pixels);
  let polygon = outers[0]!.merged;
  for (let k = 1; k < outers.length; k++) {
    const part = outers[k]!.merged;
    const [i, j] = closestPair(polygon, part);
    // Pixels strictly between the two ends of the bridge.
    const cost = Math.max(Math.abs(polygon[i]! - part[j]!), Math.abs(polygon[i + 1]! - part[j + 1]!)) - 1;
    if (outers[k]!.pixels > cost) polygon = bridge(polygon, part, i, j);
  }
  while (polygon.length < 6) polygon = [...polygon, polygon[0]!, polygon[1]!];
  return polygon;
}
