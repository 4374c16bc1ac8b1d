/**
 * A mask decoded into its bounding box only, with one empty pixel of padding on every side: what
 * the contour tracer and the PNG rows need, at a cost that grows with the box, not the frame.
 */
import { parseRuns } from '../rle/counts.js';
import { boundsOfRuns } from '../rle/geometry.js';

export interface MaskCrop {
  /** Row-major 0/1 bytes, `(ch + 2) × (cw + 2)`: the box plus a zero border. */
  readonly data: Uint8Array;
  /** Padded width `cw + 2` (the row stride). */
  readonly stride: number;
  /** Frame coordinates of the box's top-left pixel (the crop's pixel (1, 1)). */
  readonly x0: number;
  readonly y0: number;
  /** Box size; 0 × 0 for an empty mask. */
  readonly cw: number;
  readonly ch: number;
}

let scratch = new Uint8Array(0);

/**
 * Decodes `counts` (full frame `height × width`) into its box. The returned `data` is a shared
 * scratch buffer, valid until the next call.
 */
export function decodeCrop(counts: string, height: number, width: number): MaskCrop {
  const runs = parseRuns(counts, height * width);
  // The box from the same parse (as rle.bbox), not a second one.
  const box = boundsOfRuns(runs, height);
  if (box === null) return { data: new Uint8Array(0), stride: 2, x0: 0, y0: 0, cw: 0, ch: 0 };
  const { xs, ys, xe, ye } = box;
  const cw = xe - xs + 1;
  const ch = ye - ys + 1;
  const stride = cw + 2;
  const size = stride * (ch + 2);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  const data = scratch.subarray(0, size);
  data.fill(0);
  let pos = 0;
  for (let j = 0; j < runs.length; j++) {
    let c = runs[j]!;
    if ((j & 1) === 1) {
      let p = pos;
      while (c > 0) {
        const x = Math.floor(p / height);
        const y = p - x * height;
        const n = Math.min(c, height - y);
        let i = (y - ys + 1) * stride + (x - xs + 1);
        for (let k = 0; k < n; k++, i += stride) data[i] = 1;
        p += n;
        c -= n;
      }
    }
    pos += runs[j]!;
  }
  return { data, stride, x0: xs, y0: ys, cw, ch };
}
