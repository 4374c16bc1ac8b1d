/**
 * pycocotools' counts-string coding (its "LEB128-like" `rleToString` / `rleFrString`), written
 * from the format's description:
 *
 * - runs alternate 0 and 1 in column-major order and start with a 0-run (possibly empty);
 * - runs 0..2 are stored as they are; run `i >= 3` is stored as `run[i] - run[i - 2]`, which may
 *   be negative;
 * - each stored value is a two's-complement integer cut into 5-bit groups, least significant
 *   first; each group becomes one character `48 + group`, plus 32 when more groups follow;
 *   the last group's top bit (16) is the sign.
 *
 * Runs are at most 2^32 - 1 (pycocotools keeps them in a 32-bit `uint`), so a stored difference
 * needs at most 7 characters (35 bits). Arithmetic on values that may leave the int32 range is
 * done with `*`, `/` and `Math.floor`, never with `<<`/`>>`, which wrap at 2^31 in JS.
 */
import { checkSize, RleError } from './errors.js';
import { U32Scratch } from './scratch.js';
import type { RleString } from './types.js';

/** Most characters one stored value may take: 7 × 5 = 35 bits cover ±(2^32 - 1). */
const MAX_CHARS_PER_VALUE = 7;
const MAX_RUN = 0xffff_ffff;

const runScratch = new U32Scratch();

function invalid(message: string): never {
  throw new RleError('INVALID_RLE', message);
}

/** Sum of the 1-runs of the string {@link parseRuns} parsed last (its mask area). */
let parsedArea = 0;
export const lastParsedArea = (): number => parsedArea;

/**
 * Parses a counts string into runs, validating it. Returns a view into a shared scratch buffer
 * that the next codec call may overwrite: copy it (`.slice()`) to keep it.
 *
 * @param total when given, the runs must add up to exactly this many pixels (`height * width`).
 */
export function parseRuns(counts: string, total?: number): Uint32Array {
  if (typeof counts !== 'string') invalid(`counts must be a string, got ${typeof counts}`);
  const len = counts.length;
  // Every run takes at least one character.
  const runs = runScratch.get(len);
  let m = 0;
  let p = 0;
  let sum = 0;
  let area = 0;
  while (p < len) {
    let c = counts.charCodeAt(p++) - 48;
    if (c >>> 6 !== 0) badChar(counts, p - 1);
    let x: number;
    if ((c & 0x20) === 0) {
      x = (c << 27) >> 27; // one character: a 5-bit two's-complement value
    } else {
      x = c & 0x1f;
      let k = 1;
      for (;;) {
        if (p >= len) truncated(p);
        c = counts.charCodeAt(p++) - 48;
        if (c >>> 6 !== 0) badChar(counts, p - 1);
        if (k === 6) {
          x = seventhChar(x, c, p);
          break;
        }
        x |= (c & 0x1f) << (5 * k);
        k++;
        if ((c & 0x20) === 0) {
          const shift = 32 - 5 * k; // sign-extend the 5k-bit value (5k <= 30 here)
          x = (x << shift) >> shift;
          break;
        }
      }
    }
    if (m > 2) x += runs[m - 2]!;
    if (x < 0 || x > MAX_RUN) badRun(m, x);
    runs[m] = x;
    area += (m & 1) * x;
    m++;
    sum += x;
  }
  if (total !== undefined && sum !== total) badTotal(sum, total);
  parsedArea = area;
  return runs.subarray(0, m);
}

/**
 * A value's seventh character: `low` holds its first six (30 bits, unsigned), `c` the seventh.
 * The result may leave the int32 range, so it is computed with exact float arithmetic.
 */
function seventhChar(low: number, c: number, p: number): number {
  if ((c & 0x20) !== 0) tooLong(p - 7);
  const value = low + (c & 0x1f) * 2 ** 30;
  return (c & 0x10) !== 0 ? value - 2 ** 35 : value; // sign-extend the 35-bit value
}

// Error paths live out of line, keeping the parse loop small for the JIT.
function truncated(p: number): never {
  invalid(`counts string ends inside a value (position ${p})`);
}
function badChar(counts: string, p: number): never {
  invalid(`invalid character ${JSON.stringify(counts[p])} at position ${p} (allowed: ASCII 48..111)`);
}
function tooLong(p: number): never {
  invalid(`value at position ${p} is longer than ${MAX_CHARS_PER_VALUE} characters`);
}
function badRun(m: number, x: number): never {
  invalid(x < 0 ? `run ${m} is negative (${x})` : `run ${m} is ${x}, beyond 2^32 - 1`);
}
function badTotal(sum: number, total: number): never {
  invalid(`runs add up to ${sum} pixels, expected height * width = ${total}`);
}

// ---------------------------------------------------------------------------------------------
// Writing. Characters are collected as char codes in a small plain array (small integers), which
// `String.fromCharCode.apply` turns into a string about twice as fast as it reads a typed array
// (per-character string concatenation would be far slower still). Every {@link CHUNK} characters
// the buffer is flushed into a list of string parts, so memory stays bounded for any mask.

/**
 * `CHARS_FOR_BITS[b]`: characters needed for a value with `b` significant bits besides its sign
 * (`b = 32 - clz32(x ^ (x >> 31))` for an int32 `x`): the fewest 5-bit groups holding `b + 1` bits.
 * This is exactly where pycocotools' loop stops ("more" is false once the rest is pure sign).
 */
export const CHARS_FOR_BITS = new Uint8Array(34);
for (let b = 0; b < 34; b++) CHARS_FOR_BITS[b] = Math.max(1, Math.ceil((b + 1) / 5));

/** Flush threshold: writers flush once `p >= CHUNK`, before writing the next value. */
export const CHUNK = 8192;

/**
 * The shared character buffer: room for {@link CHUNK} characters plus one more value (at most
 * 7 characters) and one spare slot (the 1–2 character fast path always writes two).
 */
export const charCodes: number[] = new Array<number>(CHUNK + 16).fill(48);
/** Finished pieces of the string being built; always the same array (one hidden class for the JIT). */
const parts: string[] = [''];
parts.length = 0;

/** Starts a new string (drops anything left over from a writer that threw). */
export function beginChars(): void {
  parts.length = 0;
}

/** The first `n` buffered characters as a string. */
function bufferedString(n: number): string {
  // Converting the whole (nearly full) buffer and cutting the string is cheaper than copying the
  // array first; for a short tail, copying the few characters needed is cheaper.
  return n > CHUNK / 2
    ? String.fromCharCode.apply(null, charCodes).substring(0, n)
    : String.fromCharCode.apply(null, charCodes.slice(0, n));
}

/** Moves the first `n` buffered characters into the string being built. */
export function flushChars(n: number): void {
  parts.push(bufferedString(n));
}

/** The string built so far plus the first `n` buffered characters. */
export function finishChars(n: number): string {
  const last = bufferedString(n);
  if (parts.length === 0) return last;
  parts.push(last);
  const s = parts.join('');
  parts.length = 0;
  return s;
}

/**
 * Appends one stored value `x` (a run, or a run minus the run two before it) at `charCodes[p]`
 * and returns the new end. The caller flushes first when `p >= CHUNK`.
 */
export function writeValue(x: number, p: number): number {
  const chars = charCodes;
  if (x >= -0x8000_0000 && x <= 0x7fff_ffff) {
    const n = CHARS_FOR_BITS[32 - Math.clz32(x ^ (x >> 31))]!;
    for (let k = 0; k < n - 1; k++) chars[p++] = 48 + (((x >> (5 * k)) & 31) | 32);
    chars[p++] = 48 + ((x >> (5 * (n - 1))) & 31);
    return p;
  }
  // |x| >= 2^31: the same coding with exact float arithmetic instead of 32-bit shifts.
  let v = x;
  for (;;) {
    const q = Math.floor(v / 32);
    let c = v - q * 32; // 0..31, as `v & 0x1f` would be in two's complement
    v = q;
    const more = (c & 0x10) !== 0 ? v !== -1 : v !== 0;
    if (more) c |= 0x20;
    chars[p++] = c + 48;
    if (!more) return p;
  }
}

/**
 * Writes `runs[0..n)` as a counts string. The runs are trusted (non-negative integers below
 * 2^32); public callers validate first.
 */
export function runsToString(runs: ArrayLike<number>, n: number): RleString {
  beginChars();
  let p = 0;
  let back2 = 0; // runs[i - 2]
  let back1 = 0; // runs[i - 1]
  for (let i = 0; i < n; i++) {
    if (p >= CHUNK) {
      flushChars(p);
      p = 0;
    }
    const run = runs[i]!;
    p = writeValue(i > 2 ? run - back2 : run, p);
    back2 = back1;
    back1 = run;
  }
  return finishChars(p) as RleString;
}

/** Throws `INVALID_RLE` unless every run is an integer in 0..2^32-1 (and, if given, they sum to `total`). */
export function checkRuns(runs: ArrayLike<number>, total?: number): void {
  let sum = 0;
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > MAX_RUN) {
      invalid(`run ${i} is ${String(r)}: runs must be integers in 0..2^32-1`);
    }
    sum += r;
  }
  if (total !== undefined && sum !== total) {
    invalid(`runs add up to ${sum} pixels, expected height * width = ${total}`);
  }
}

/**
 * Decodes a counts string into its raw runs (0-run first, alternating). With `height` and
 * `width`, also checks that the runs cover exactly `height * width` pixels.
 */
export function countsFromString(counts: RleString | string, height?: number, width?: number): Uint32Array {
  const total = height === undefined && width === undefined ? undefined : sizeTotal(height, width);
  return parseRuns(counts, total).slice();
}

/**
 * Encodes raw runs (0-run first, alternating, each an integer in 0..2^32-1) as a counts string,
 * exactly as pycocotools' `rleToString` would. With `height` and `width`, also checks that the
 * runs cover exactly `height * width` pixels.
 */
export function countsToString(runs: ArrayLike<number>, height?: number, width?: number): RleString {
  const total = height === undefined && width === undefined ? undefined : sizeTotal(height, width);
  checkRuns(runs, total);
  return runsToString(runs, runs.length);
}

function sizeTotal(height: number | undefined, width: number | undefined): number {
  return checkSize(height ?? NaN, width ?? NaN);
}
