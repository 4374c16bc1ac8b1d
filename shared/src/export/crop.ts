/**
 * A mask decoded into its bounding box only, with one empty pixel of padding on every side: what
 * the contour tracer and the PNG rows need, at a cost that grows with the box, not the frame.
 */
import { parseRuns } from '../rle/counts.js';

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
  // Box from the runs (as rle.bbox), computed here to avoid a second parse.
  let xs = Infinity;
  let xe = -1;
  let ys = Infinity;
  let ye = -1;
  let pos = 0;
  for (let j = 0; j < runs.length; j++) {
    const c = runs[j]!;
    if ((j & 1) === 1 && c > 0) {
      const last = pos + c - 1;
      const xa = Math.floor(pos / height);
      const xb = Math.floor(last / height);
      if (xa < xs) xs = xa;
      if (xb > xe) xe = xb;
      if (xa < xb) {
        ys = 0;
        ye = height - 1;
      } else {
        const ya = pos - xa * height;
        const yb = last - xa * height;
        if (ya < ys) ys = ya;
        if (yb > ye) ye = yb;
      }
    }
    pos += c;
  }
  if (xe < 0) return { data: new Uint8Array(0), stride: 2, x0: 0, y0: 0, cw: 0, ch: 0 };
  const cw = xe - xs + 1;
  const ch = ye - ys + 1;
  const stride = cw + 2;
  const size = stride * (ch + 2);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  const data = scratch.subarray(0, size);
  data.fill(0);
  pos = 0;
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
