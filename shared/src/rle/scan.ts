/**
 * The encoder's scan: row-major mask → column-major run boundaries → counts-string characters.
 *
 * The mask is walked in vertical strips of {@link STRIP} columns. Within a strip, rows are
 * scanned top to bottom and each is compared with the row above, 16 bytes per step (one
 * well-predicted branch while nothing changes). Every vertical change is a run boundary and goes
 * into its column's bucket; row 0 is compared with the bottom pixel of the previous column
 * instead, since column-major order continues there. Buckets fill in row order, so once the strip
 * is scanned its columns are written out as runs, in order, straight into characters.
 *
 * The work is split into small functions on purpose: each is called once per strip, so V8
 * optimizes each one whole with complete type feedback, instead of compiling one big function
 * on-stack in the middle of its first (huge) call, which made timings bimodal.
 */
import {
  CHARS_FOR_BITS,
  CHUNK,
  beginChars,
  charCodes,
  finishChars,
  flushChars,
  writeValue,
} from './counts.js';
import { U32Scratch } from './scratch.js';
import type { RleString } from './types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Columns per strip; a multiple of 4. */
const STRIP = 128;

const bucketScratch = new U32Scratch(STRIP * 1088);
/** Boundaries found per column of the current strip. */
const counts = new Int32Array(STRIP);

/** Per-byte "is non-zero" flags of a 32-bit word, as bit 7 of each byte (no carries between bytes). */
const nonZeroBytes = (v: number): number => (((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080;

/**
 * Encodes a validated, non-empty mask. One encode runs at a time (the codec is synchronous), so
 * the writer state lives in module variables between the per-strip calls.
 */
export function encodeMask(mask: Uint8Array, h: number, w: number): RleString {
  const total = h * w;
  const words = LITTLE_ENDIAN && w % 4 === 0 && mask.byteOffset % 4 === 0 && w < 0x8000_0000;
  // A column has at most h boundaries; a strip has at most min(STRIP, w) columns.
  const buckets = bucketScratch.get(Math.min(STRIP, w) * h);
  beginChars();
  writer.p = 0;
  writer.runs = 0;
  writer.back1 = 0;
  writer.back2 = 0;
  writer.prev = 0;
  if (words) {
    const m32 = new Uint32Array(mask.buffer, mask.byteOffset, total / 4);
    for (let x0 = 0; x0 < w; x0 += STRIP) {
      const x1 = Math.min(w, x0 + STRIP);
      counts.fill(0);
      let found = scanTopRow(mask, h, w, x0, x1, buckets);
      found += scanWords(m32, h, w / 4, x0 / 4, x1 / 4, buckets);
      if (found > 0) emitStrip(buckets, h, x0, x1 - x0);
    }
  } else {
    for (let x0 = 0; x0 < w; x0 += STRIP) {
      const x1 = Math.min(w, x0 + STRIP);
      counts.fill(0);
      let found = scanTopRow(mask, h, w, x0, x1, buckets);
      found += scanBytes(mask, h, w, x0, x1, buckets);
      if (found > 0) emitStrip(buckets, h, x0, x1 - x0);
    }
  }
  return finish(total);
}

/** Row 0 of columns [x0, x1): a boundary where a pixel differs from the previous column's bottom. */
function scanTopRow(
  mask: Uint8Array,
  h: number,
  w: number,
  x0: number,
  x1: number,
  buckets: Uint32Array,
): number {
  const bottom = (h - 1) * w;
  let found = 0;
  for (let x = x0; x < x1; x++) {
    const inside = mask[x] !== 0;
    const before = x > 0 && mask[bottom + x - 1] !== 0; // the state starts at 0
    if (inside !== before) {
      const c = x - x0;
      buckets[c * h + counts[c]!] = 0;
      counts[c]!++;
      found++;
    }
  }
  return found;
}

/**
 * Rows 1..h-1 of the word columns [wx0, wx1) (4 pixels each), comparing each row with the one
 * above. Returns the number of boundaries found.
 */
function scanWords(
  m32: Uint32Array,
  h: number,
  w4: number,
  wx0: number,
  wx1: number,
  buckets: Uint32Array,
): number {
  let found = 0;
  const px0 = wx0 * 4;
  for (let y = 1; y < h; y++) {
    const rowStart = y * w4;
    const end = rowStart + wx1;
    let i = rowStart + wx0;
    for (; i + 4 <= end; i += 4) {
      const j = i - w4;
      const a0 = m32[i]!;
      const a1 = m32[i + 1]!;
      const a2 = m32[i + 2]!;
      const a3 = m32[i + 3]!;
      const b0 = m32[j]!;
      const b1 = m32[j + 1]!;
      const b2 = m32[j + 2]!;
      const b3 = m32[j + 3]!;
      if (((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3)) === 0) continue;
      // Changed bytes as one bit mask, bit 8 * byte + word for byte 0..3 of word 0..3. For 0/1
      // bytes (the usual mask) a ^ b already has bit 0 of each changed byte set.
      let changed =
        ((a0 | a1 | a2 | a3 | b0 | b1 | b2 | b3) & 0xfefefefe) === 0
          ? (a0 ^ b0) | ((a1 ^ b1) << 1) | ((a2 ^ b2) << 2) | ((a3 ^ b3) << 3)
          : changedBytes(a0, b0) |
            (changedBytes(a1, b1) << 1) |
            (changedBytes(a2, b2) << 2) |
            (changedBytes(a3, b3) << 3);
      const col0 = (i - rowStart) * 4 - px0;
      while (changed !== 0) {
        const low = changed & -changed;
        const bit = 31 - Math.clz32(low);
        const c = col0 + (bit & 7) * 4 + (bit >> 3);
        buckets[c * h + counts[c]!] = y;
        counts[c]!++;
        found++;
        changed ^= low;
      }
    }
    for (; i < end; i++) {
      const a = m32[i]!;
      const b = m32[i - w4]!;
      if (a === b) continue;
      let changed = changedBytes(a, b);
      const col0 = (i - rowStart) * 4 - px0;
      while (changed !== 0) {
        const low = changed & -changed;
        const c = col0 + ((31 - Math.clz32(low)) >> 3);
        buckets[c * h + counts[c]!] = y;
        counts[c]!++;
        found++;
        changed ^= low;
      }
    }
  }
  return found;
}

/** Bit 8k set where byte k of `a` and of `b` differ in being zero. */
const changedBytes = (a: number, b: number): number => (nonZeroBytes(a) ^ nonZeroBytes(b)) >>> 7;

/** Rows 1..h-1 of columns [x0, x1), byte by byte (widths that are not a multiple of 4). */
function scanBytes(
  mask: Uint8Array,
  h: number,
  w: number,
  x0: number,
  x1: number,
  buckets: Uint32Array,
): number {
  let found = 0;
  for (let y = 1; y < h; y++) {
    const rowStart = y * w;
    for (let x = x0; x < x1; x++) {
      const a = mask[rowStart + x]!;
      const b = mask[rowStart + x - w]!;
      if (a === b || (a !== 0 && b !== 0)) continue;
      const c = x - x0;
      buckets[c * h + counts[c]!] = y;
      counts[c]!++;
      found++;
    }
  }
  return found;
}

/** Run-writer state carried from strip to strip. */
const writer = {
  /** Characters in the buffer. */
  p: 0,
  /** Runs written. */
  runs: 0,
  /** The last run written, and the one before it (runs from the 4th on are stored as deltas). */
  back1: 0,
  back2: 0,
  /** Column-major position of the last boundary. */
  prev: 0,
};

/** Writes the runs ending at the strip's boundaries, column by column. */
function emitStrip(buckets: Uint32Array, h: number, x0: number, sw: number): void {
  const chars = charCodes;
  let { p, runs, back1, back2, prev } = writer;
  for (let c = 0; c < sw; c++) {
    const n = counts[c]!;
    const base = (x0 + c) * h;
    for (let k = c * h, end = c * h + n; k < end; k++) {
      if (p >= CHUNK) {
        flushChars(p);
        p = 0;
      }
      const pos = base + buckets[k]!;
      const run = pos - prev;
      prev = pos;
      const x = runs > 2 ? run - back2 : run;
      back2 = back1;
      back1 = run;
      runs++;
      if (x >= -512 && x < 512) {
        // One or two characters, without data-dependent branches.
        const len = CHARS_FOR_BITS[32 - Math.clz32(x ^ (x >> 31))]!;
        chars[p] = 48 + ((x & 31) | (((1 - len) >>> 31) << 5));
        chars[p + 1] = 48 + ((x >> 5) & 31);
        p += len;
      } else {
        p = writeValue(x, p);
      }
    }
  }
  writer.p = p;
  writer.runs = runs;
  writer.back1 = back1;
  writer.back2 = back2;
  writer.prev = prev;
}

/** Writes the last run (up to the end of the frame) and returns the whole string. */
function finish(total: number): RleString {
  let { p } = writer;
  if (p >= CHUNK) {
    flushChars(p);
    p = 0;
  }
  const run = total - writer.prev;
  p = writeValue(writer.runs > 2 ? run - writer.back2 : run, p);
  return finishChars(p) as RleString;
}
