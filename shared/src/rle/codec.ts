/**
 * Mask ⇄ counts string: `encode` and `decode`, byte-for-byte compatible with pycocotools'
 * `mask.encode` / `mask.decode` for 0/1 masks (checked against vectors pycocotools generates at
 * test time, see `gpu-worker/tests/test_rle_vectors.py`).
 *
 * Masks here are row-major (`y * width + x`, as images and canvases are); RLE runs are
 * column-major. Neither direction transposes the mask:
 *
 * - `encode` scans rows and compares each with the row above, 16 bytes per step, collecting run
 *   boundaries per column in strips of columns, as described in `scan.ts`.
 *   Cost ∝ pixels / 16 + boundaries.
 * - `decode` paints runs as described in `paint.ts`.
 */
import { checkBuffer, checkSize } from './errors.js';
import { lastParsedArea, parseRuns } from './counts.js';
import { encodeMask } from './scan.js';
import { paintStrided, paintToggleSweep } from './paint.js';
import type { RleString } from './types.js';

/**
 * Encodes a row-major mask (`mask[y * width + x]`, non-zero = inside) as pycocotools' compressed
 * RLE counts string.
 *
 * Matches pycocotools exactly for 0/1 masks. (pycocotools itself starts a new run whenever the
 * byte value changes, so for masks with other non-zero values it would differ; here every
 * non-zero byte is simply "inside".)
 *
 * @throws RleError `INVALID_SIZE` for a bad size, `INVALID_MASK` when `mask.length !== height * width`.
 */
export function encode(mask: Uint8Array, height: number, width: number): RleString {
  const total = checkSize(height, width);
  checkBuffer(mask, total, 'mask');
  if (total === 0) return '0' as RleString; // one empty 0-run, as pycocotools writes it
  return encodeMask(mask, height, width);
}

/**
 * Decodes a counts string into a row-major 0/1 mask (`mask[y * width + x]`). Pass `out` (length
 * `height * width`) to reuse a buffer; it is cleared first.
 *
 * @throws RleError `INVALID_RLE` for a malformed string or runs that do not cover exactly
 *   `height * width` pixels, `INVALID_SIZE` for a bad size, `INVALID_MASK` for a wrong-size `out`.
 */
export function decode(
  counts: RleString | string,
  height: number,
  width: number,
  out?: Uint8Array,
): Uint8Array {
  const total = checkSize(height, width);
  const runs = parseRuns(counts, total);
  let mask: Uint8Array;
  if (out === undefined) {
    mask = new Uint8Array(total);
  } else {
    checkBuffer(out, total, 'out');
    out.fill(0);
    mask = out;
  }
  paintRuns(runs, height, width, mask);
  return mask;
}

/**
 * Paints freshly parsed runs into a zeroed row-major mask, choosing the cheaper strategy: strided
 * writes cost about one step per inside pixel, the toggle sweep about one step per 4 pixels of
 * the columns the mask spans.
 */
function paintRuns(runs: Uint32Array, height: number, width: number, mask: Uint8Array): void {
  const area = lastParsedArea();
  if (area === 0) return;
  // First column with a set pixel: the first non-empty 1-run (almost always run 1).
  let j = 1;
  let start = runs[0]!;
  while (runs[j] === 0) {
    start += runs[j + 1]!;
    j += 2;
  }
  // Last column: the end of the last non-empty 1-run.
  let k = runs.length % 2 === 0 ? runs.length - 1 : runs.length - 2;
  let end = height * width - (k + 1 < runs.length ? runs[k + 1]! : 0);
  while (runs[k] === 0) {
    end -= runs[k - 1]!;
    k -= 2;
  }
  const spanPixels = (Math.floor((end - 1) / height) - Math.floor(start / height) + 1) * height;
  if (area * 4 < spanPixels) paintStrided(runs, height, width, mask, 1);
  else paintToggleSweep(runs, height, width, mask);
}
