/**
 * Painting column-major runs into row-major byte buffers (index `y * width + x`).
 *
 * A 1-run covers column-major positions `[s, e)`: a tail of column `floor(s / h)`, possibly whole
 * columns, then a head of column `floor((e - 1) / h)`. In a row-major buffer one column is a
 * stride-`width` walk, so there are two strategies:
 *
 * - **strided**: write every covered pixel, one stride-`width` step at a time (a run of several
 *   whole columns becomes one short `fill` per row instead). Cost ∝ mask area.
 * - **toggle + prefix XOR** (decode only): flip one byte where each column segment starts and one
 *   where it ends, then sweep rows top to bottom with `row[y] ^= row[y - 1]`, 4 bytes per step,
 *   over the columns and rows the mask touches. Cost ∝ runs + (touched bounding region) / 4, and
 *   the sweep is sequential memory traffic, which is what a row-major target wants.
 *
 * `decode` picks per mask: strided for sparse masks (thin lines, a few pixels), the sweep for
 * solid ones (blobs, full frames).
 */

/** Whole columns a run must cover before the strided painter switches to row fills. */
const ROW_FILL_MIN_COLUMNS = 8;

/**
 * Sets `target[y * width + x] = value` for every pixel of every 1-run. Runs are trusted (valid,
 * summing to `height * width`).
 */
export function paintStrided(
  runs: Uint32Array,
  height: number,
  width: number,
  target: Uint8Array,
  value: number,
): void {
  const h = height;
  const w = width;
  let pos = 0;
  // Column of `pos`, tracked incrementally (positions only grow), instead of a division per run.
  let col = 0;
  let colBase = 0;
  const n = runs.length;
  for (let j = 0; j < n; j++) {
    const c = runs[j]!;
    if ((j & 1) === 1 && c > 0) {
      const e = pos + c;
      while (pos - colBase >= h) {
        colBase += h;
        col++;
      }
      let x = col;
      let colStart = colBase;
      let y = pos - colStart;
      for (;;) {
        if (y === 0 && e - colStart >= ROW_FILL_MIN_COLUMNS * h) {
          // Many whole columns: one contiguous x-range per row.
          const cols = Math.floor((e - colStart) / h);
          for (let r = 0, i = x; r < h; r++, i += w) target.fill(value, i, i + cols);
          x += cols;
          colStart += cols * h;
          if (colStart === e) break;
          continue;
        }
        const colEnd = colStart + h;
        const yEnd = e < colEnd ? e - colStart : h;
        for (let i = y * w + x, end = yEnd * w + x; i < end; i += w) target[i] = value;
        if (e <= colEnd) break;
        x++;
        colStart = colEnd;
        y = 0;
      }
    }
    pos += c;
  }
}

/**
 * Decodes runs into a zeroed row-major `mask` (values 0/1) by toggles and a prefix-XOR sweep.
 * `mask` must be all zeros on entry.
 */
export function paintToggleSweep(runs: Uint32Array, height: number, width: number, mask: Uint8Array): void {
  const h = height;
  const w = width;
  let minX = -1;
  let maxX = -1;
  let minRow = h;
  let maxRow = -1;
  let openBottom = false;
  let pos = 0;
  // Column of `pos`, tracked incrementally (positions only grow), instead of a division per run.
  let col = 0;
  let colBase = 0;
  const n = runs.length;
  for (let j = 0; j < n; j++) {
    const c = runs[j]!;
    if ((j & 1) === 1 && c > 0) {
      const e = pos + c;
      while (pos - colBase >= h) {
        colBase += h;
        col++;
      }
      let x = col;
      let colStart = colBase;
      let y = pos - colStart;
      if (minX < 0) minX = x;
      for (;;) {
        const i0 = y * w + x;
        mask[i0] = mask[i0]! ^ 1;
        if (y < minRow) minRow = y;
        const colEnd = colStart + h;
        if (e < colEnd) {
          const ye = e - colStart;
          const i1 = ye * w + x;
          mask[i1] = mask[i1]! ^ 1;
          if (ye > maxRow) maxRow = ye;
          break;
        }
        openBottom = true;
        if (e === colEnd) break;
        x++;
        colStart = colEnd;
        y = 0;
      }
      maxX = x;
    }
    pos += c;
  }
  if (minX < 0) return; // empty
  const lastRow = openBottom ? h - 1 : maxRow;
  if (w % 4 === 0 && mask.byteOffset % 4 === 0) {
    const w4 = w / 4;
    const m32 = new Uint32Array(mask.buffer, mask.byteOffset, (h * w) / 4);
    const x0 = Math.floor(minX / 4);
    const x1 = Math.floor(maxX / 4) + 1;
    for (let r = minRow + 1; r <= lastRow; r++) {
      let i = r * w4 + x0;
      const end = r * w4 + x1;
      for (; i + 4 <= end; i += 4) {
        const j = i - w4;
        m32[i] = m32[i]! ^ m32[j]!;
        m32[i + 1] = m32[i + 1]! ^ m32[j + 1]!;
        m32[i + 2] = m32[i + 2]! ^ m32[j + 2]!;
        m32[i + 3] = m32[i + 3]! ^ m32[j + 3]!;
      }
      for (; i < end; i++) m32[i] = m32[i]! ^ m32[i - w4]!;
    }
  } else {
    for (let r = minRow + 1; r <= lastRow; r++) {
      let i = r * w + minX;
      const end = r * w + maxX + 1;
      for (; i < end; i++) mask[i] = mask[i]! ^ mask[i - w]!;
    }
  }
}
