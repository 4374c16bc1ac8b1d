/**
 * Properties of the codec on seeded random masks (round trips, layouts, buffer reuse, odd
 * alignments) and its error contract. Exact agreement with pycocotools is vectors.test.ts' job.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_RLE_PIXELS,
  RleError,
  area,
  asRleString,
  bbox,
  countsFromString,
  countsToString,
  decode,
  decodeIntoLabelMap,
  encode,
  fromCocoRle,
  iou,
  isRleError,
  isValidRle,
  merge,
  toCocoRle,
} from './index.js';
import type { RleErrorCode } from './index.js';
import { countsFromString as runsOf } from './counts.js';
import { paintStrided, paintToggleSweep } from './paint.js';
import { seededRandom as prng } from '../random.js';

type Rand = () => number;
const int = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** A random row-major mask mixing rectangles, noise and lines; values are 0/1 unless `values`. */
function randomMask(rand: Rand, h: number, w: number, values = false): Uint8Array {
  const m = new Uint8Array(h * w);
  const on = (): number => (values ? int(rand, 1, 255) : 1);
  const kind = int(rand, 0, 4);
  if (kind === 0 || kind === 4) {
    for (let r = int(rand, 0, 4); r > 0; r--) {
      const y0 = int(rand, 0, h - 1);
      const x0 = int(rand, 0, w - 1);
      const y1 = int(rand, y0, h - 1);
      const x1 = int(rand, x0, w - 1);
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * w + x] = on();
    }
  }
  if (kind === 1 || kind === 4) {
    const d = rand();
    for (let i = 0; i < m.length; i++) if (rand() < d) m[i] = m[i] ? 0 : on();
  }
  if (kind === 2) {
    for (let i = 0; i < Math.min(h, w); i++) m[i * w + i] = on();
    for (let x = 0; x < w; x++) m[(h - 1) * w + x] = on();
  }
  if (kind === 3 && rand() < 0.5) m.fill(1);
  return m;
}

const binary = (m: Uint8Array): Uint8Array => m.map((v) => (v !== 0 ? 1 : 0));

/** Byte-for-byte equality as one cheap assertion (vitest's deep equality is slow on big arrays). */
function expectSameBytes(got: Uint8Array, want: Uint8Array): void {
  let diff = got.length === want.length ? -1 : Math.min(got.length, want.length);
  for (let i = 0; diff < 0 && i < got.length; i++) if (got[i] !== want[i]) diff = i;
  expect(diff, 'first differing byte').toBe(-1);
}

function expectRleError(fn: () => unknown, code: RleErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an RleError').toBeInstanceOf(RleError);
  expect(isRleError(caught)).toBe(true);
  expect((caught as RleError).code).toBe(code);
  expect((caught as RleError).name).toBe('RleError');
}

/** Sizes: degenerate, tiny, odd and word-aligned widths, a few medium ones. */
function randomSize(rand: Rand): [number, number] {
  const r = rand();
  if (r < 0.1) return [int(rand, 1, 3), int(rand, 1, 3)];
  if (r < 0.2) return [1, int(rand, 1, 80)];
  if (r < 0.3) return [int(rand, 1, 80), 1];
  if (r < 0.9) return [int(rand, 1, 60), int(rand, 1, 60)];
  return [int(rand, 100, 240), 4 * int(rand, 20, 80)];
}

describe('round trips on seeded random masks', () => {
  it('decode(encode(m)) === (m != 0) and encode(decode(s)) === s', () => {
    const rand = prng(1);
    for (let iter = 0; iter < 1500; iter++) {
      const [h, w] = randomSize(rand);
      const m = randomMask(rand, h, w, iter % 3 === 0);
      const s = encode(m, h, w);
      const d = decode(s, h, w);
      expectSameBytes(d, binary(m));
      expect(encode(d, h, w)).toBe(s);
      expect(area(s, h, w)).toBe(d.reduce((a, v) => a + v, 0));
      expect(isValidRle(s, h, w)).toBe(true);
    }
  });

  it('treats every non-zero byte as inside', () => {
    const rand = prng(2);
    for (let iter = 0; iter < 200; iter++) {
      const [h, w] = randomSize(rand);
      const m = randomMask(rand, h, w, true);
      expect(encode(m, h, w)).toBe(encode(binary(m), h, w));
    }
  });

  it('gives the same answer for unaligned buffers (byteOffset 1..3) and either code path', () => {
    const rand = prng(3);
    for (let iter = 0; iter < 300; iter++) {
      const h = int(rand, 1, 50);
      const w = 4 * int(rand, 1, 20); // word-aligned width: fast path when aligned
      const m = randomMask(rand, h, w, iter % 2 === 0);
      const s = encode(m, h, w);
      const off = int(rand, 1, 3);
      const backing = new Uint8Array(h * w + 4);
      const shifted = backing.subarray(off, off + h * w);
      shifted.set(m);
      expect(encode(shifted, h, w)).toBe(s);
      const out = new Uint8Array(h * w + 4).subarray(off, off + h * w).fill(9);
      expect(decode(s, h, w, out)).toBe(out);
      expectSameBytes(out, binary(m));
    }
  });

  it('reuses an output buffer, clearing what was there', () => {
    const rand = prng(4);
    const h = 37;
    const w = 64;
    const out = new Uint8Array(h * w);
    for (let iter = 0; iter < 100; iter++) {
      const m = randomMask(rand, h, w);
      const s = encode(m, h, w);
      expect(decode(s, h, w, out)).toBe(out);
      expectSameBytes(out, binary(m));
    }
  });

  it('handles very tall and very wide frames', () => {
    const rand = prng(11);
    for (const [h, w] of [
      [200_000, 1],
      [1, 200_000],
      [40_000, 7],
      [3, 40_000],
      [5, 4 * 9_000],
    ] as const) {
      const m = new Uint8Array(h * w);
      for (let i = 0; i < m.length; i += 1 + int(rand, 0, 400)) m.fill(1, i, i + int(rand, 0, 300));
      const s = encode(m, h, w);
      expectSameBytes(decode(s, h, w), m);
      expect(area(s, h, w)).toBe(m.reduce((a, v) => a + v, 0));
    }
  });

  it('handles zero-sized frames', () => {
    for (const [h, w] of [
      [0, 0],
      [0, 5],
      [5, 0],
    ] as const) {
      const s = encode(new Uint8Array(0), h, w);
      expect(decode(s, h, w)).toEqual(new Uint8Array(0));
      expect(area(s, h, w)).toBe(0);
      expect([...bbox(s, h, w)]).toEqual([0, 0, 0, 0]);
    }
  });
});

describe('both decode painters', () => {
  it('strided writes and the toggle sweep (word and byte variants) give the same mask', () => {
    const rand = prng(10);
    for (let iter = 0; iter < 800; iter++) {
      const [h, w] = randomSize(rand);
      const m = binary(randomMask(rand, h, w));
      const runs = runsOf(encode(m, h, w));
      const strided = new Uint8Array(h * w);
      paintStrided(runs, h, w, strided, 1);
      expectSameBytes(strided, m);
      const swept = new Uint8Array(h * w);
      paintToggleSweep(runs, h, w, swept);
      expectSameBytes(swept, m);
      const off = int(rand, 1, 3); // unaligned: the sweep falls back to bytes
      const unaligned = new Uint8Array(h * w + 4).subarray(off, off + h * w);
      paintToggleSweep(runs, h, w, unaligned);
      expectSameBytes(unaligned, m);
    }
  });
});

describe('decodeIntoLabelMap', () => {
  it('equals decode in both layouts and leaves other pixels alone', () => {
    const rand = prng(5);
    for (let iter = 0; iter < 600; iter++) {
      const [h, w] = randomSize(rand);
      const s = encode(randomMask(rand, h, w), h, w);
      const mask = decode(s, h, w);
      const bg = randomMask(rand, h, w, true);
      const value = int(rand, 0, 255);
      const rowMajor = bg.slice();
      decodeIntoLabelMap(s, h, w, rowMajor, value, 'row-major');
      const colMajor = new Uint8Array(h * w);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) colMajor[x * h + y] = bg[y * w + x]!;
      decodeIntoLabelMap(s, h, w, colMajor, value, 'column-major');
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const want = mask[y * w + x] ? value : bg[y * w + x];
          if (rowMajor[y * w + x] !== want || colMajor[x * h + y] !== want) {
            throw new Error(`iteration ${iter}: pixel (${x}, ${y}) of ${h}×${w} differs`);
          }
        }
      }
    }
  });

  it('defaults to row-major, and paints objects last-writer-wins', () => {
    const rand = prng(6);
    const h = 90;
    const w = 160;
    const masks = [1, 2, 3].map(() => randomMask(rand, h, w));
    const labels = new Uint8Array(h * w);
    masks.forEach((m, i) => decodeIntoLabelMap(encode(m, h, w), h, w, labels, i + 1));
    const want = labels.map((_, i) => (masks[2]![i] ? 3 : masks[1]![i] ? 2 : masks[0]![i] ? 1 : 0));
    expectSameBytes(labels, want);
  });

  it('paints whole-column runs (row fills) correctly', () => {
    const h = 30;
    const w = 50;
    const m = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 3; x < 41; x++) m[y * w + x] = 1;
    m[5 * w + 2] = 1; // run starts mid-column 2
    m[7 * w + 41] = 1; // and a separate pixel after
    for (let y = 0; y < 9; y++) m[y * w + 42] = 1; // a run that starts at the top of column 42
    const s = encode(m, h, w);
    const labels = new Uint8Array(h * w);
    decodeIntoLabelMap(s, h, w, labels, 1);
    expectSameBytes(labels, m);
    expectSameBytes(decode(s, h, w), m);
  });
});

describe('counts strings and run lists', () => {
  it('round-trip random run lists, including runs up to 2^32 - 1 and large negative deltas', () => {
    const rand = prng(7);
    for (let iter = 0; iter < 2000; iter++) {
      const n = int(rand, 1, 12);
      const big = rand() < 0.5;
      const runs = Array.from({ length: n }, () => {
        if (!big) return int(rand, 0, 100);
        const r = rand();
        return r < 0.3
          ? int(rand, 0, 40)
          : r < 0.6
            ? 0xffff_ffff - int(rand, 0, 5)
            : Math.floor(rand() * 2 ** 32);
      });
      const s = countsToString(runs);
      expect([...countsFromString(s)]).toEqual(runs);
      expect(area(s)).toBe(runs.reduce((a, r, i) => (i % 2 ? a + r : a), 0));
    }
  });

  it('accepts exactly 2^32 - 1 pixels and rejects more', () => {
    expect(MAX_RLE_PIXELS).toBe(2 ** 32 - 1);
    const s = countsToString([0, 2 ** 32 - 1], 65535, 65537);
    expect(area(s, 65535, 65537)).toBe(2 ** 32 - 1);
    expect([...bbox(s, 65535, 65537)]).toEqual([0, 0, 65537, 65535]);
    expectRleError(() => countsToString([0, 2 ** 32], 65536, 65536), 'INVALID_SIZE');
    expectRleError(() => decode('0', 65536, 65536), 'INVALID_SIZE');
  });

  it('reads COCO uncompressed and compressed RLE objects', () => {
    const rand = prng(8);
    for (let iter = 0; iter < 50; iter++) {
      const [h, w] = randomSize(rand);
      const s = encode(randomMask(rand, h, w), h, w);
      const runs = [...countsFromString(s, h, w)];
      expect(fromCocoRle({ size: [h, w], counts: runs })).toEqual({ size: [h, w], counts: s });
      expect(fromCocoRle({ size: [h, w], counts: s })).toEqual({ size: [h, w], counts: s });
      expect(toCocoRle(s, h, w)).toEqual({ size: [h, w], counts: s });
      expect(asRleString(s, h, w)).toBe(s);
    }
  });
});

describe('iou and merge on random masks', () => {
  it('agree with the decoded pixels', () => {
    const rand = prng(9);
    for (let iter = 0; iter < 300; iter++) {
      const [h, w] = randomSize(rand);
      const ms = [0, 1, 2].map(() => randomMask(rand, h, w));
      const ss = ms.map((m) => encode(m, h, w));
      let inter = 0;
      let union = 0;
      const u = new Uint8Array(h * w);
      for (let i = 0; i < h * w; i++) {
        const a = ms[0]![i] !== 0;
        const b = ms[1]![i] !== 0;
        if (a && b) inter++;
        if (a || b) union++;
        u[i] = a || b || ms[2]![i] !== 0 ? 1 : 0;
      }
      expect(iou(ss[0]!, ss[1]!, h, w)).toBe(inter === 0 ? 0 : inter / union);
      expect(merge(ss, h, w)).toBe(encode(u, h, w));
      expect(merge([ss[0]!], h, w)).toBe(ss[0]);
    }
  });

  it('merge of no masks is the empty mask of that size', () => {
    expect(merge([], 4, 6)).toBe(encode(new Uint8Array(24), 4, 6));
  });
});

describe('errors', () => {
  it('rejects characters outside ASCII 48..111', () => {
    for (const s of ['1 1', '1p', '/', '12\u0100', '1\n'])
      expectRleError(() => decode(s, 1, 1), 'INVALID_RLE');
    expectRleError(() => countsFromString('ab~'), 'INVALID_RLE');
    expectRleError(() => area('x y'), 'INVALID_RLE');
  });

  it('rejects a value cut off at the end of the string', () => {
    // 'P' = 48 + 32: "more characters follow", but none do.
    expectRleError(() => countsFromString('1P'), 'INVALID_RLE');
  });

  it('rejects negative runs and runs beyond 2^32 - 1', () => {
    // Run 3 is stored relative to run 1: '0' then 'O' (-1) makes it 0 - 1.
    expectRleError(() => countsFromString('101O'), 'INVALID_RLE');
    expectRleError(() => countsFromString('oooooo?'), 'INVALID_RLE'); // 2^34 - 1
    expectRleError(() => countsFromString('ooooooooo0'), 'INVALID_RLE'); // longer than 7 chars
    expectRleError(() => countsToString([1, -2, 3]), 'INVALID_RLE');
    expectRleError(() => countsToString([1, 2.5]), 'INVALID_RLE');
    expectRleError(() => countsToString([2 ** 32]), 'INVALID_RLE');
    expectRleError(() => fromCocoRle({ size: [1, 2], counts: [1, Number.NaN] }), 'INVALID_RLE');
  });

  it('rejects runs that do not cover exactly height * width pixels', () => {
    const s = encode(new Uint8Array(12).fill(1), 3, 4);
    expectRleError(() => decode(s, 3, 5), 'INVALID_RLE'); // short
    expectRleError(() => decode(s, 3, 3), 'INVALID_RLE'); // beyond
    expectRleError(() => decode('', 3, 4), 'INVALID_RLE');
    expectRleError(() => bbox(s, 2, 4), 'INVALID_RLE');
    expectRleError(() => area(s, 2, 4), 'INVALID_RLE');
    expectRleError(() => iou(s, s, 4, 4), 'INVALID_RLE');
    expectRleError(() => merge([s, s], 4, 4), 'INVALID_RLE');
    expectRleError(() => countsFromString(s, 4, 4), 'INVALID_RLE');
    expectRleError(() => countsToString([1, 2], 2, 2), 'INVALID_RLE');
    expectRleError(() => fromCocoRle({ size: [3, 3], counts: s }), 'INVALID_RLE');
    expectRleError(() => fromCocoRle({ size: [2, 2], counts: [1, 2] }), 'INVALID_RLE');
    expect(isValidRle(s, 3, 5)).toBe(false);
    expect(isValidRle(42, 3, 4)).toBe(false);
  });

  it('rejects bad sizes', () => {
    for (const [h, w] of [
      [-1, 4],
      [4, -1],
      [1.5, 4],
      [4, Number.NaN],
      [Infinity, 1],
      [65536, 65536],
    ] as const) {
      expectRleError(() => decode('0', h, w), 'INVALID_SIZE');
      expectRleError(() => encode(new Uint8Array(0), h, w), 'INVALID_SIZE');
      expectRleError(() => bbox('0', h, w), 'INVALID_SIZE');
    }
    expectRleError(() => fromCocoRle({ size: [3], counts: '0' }), 'INVALID_SIZE');
    expectRleError(() => fromCocoRle({ size: ['3', 4] as unknown as number[], counts: '0' }), 'INVALID_SIZE');
  });

  it('rejects masks and label maps of the wrong length', () => {
    expectRleError(() => encode(new Uint8Array(11), 3, 4), 'INVALID_MASK');
    expectRleError(() => encode([0, 1] as unknown as Uint8Array, 1, 2), 'INVALID_MASK');
    const s = encode(new Uint8Array(12), 3, 4);
    expectRleError(() => decode(s, 3, 4, new Uint8Array(13)), 'INVALID_MASK');
    expectRleError(() => decodeIntoLabelMap(s, 3, 4, new Uint8Array(10), 1), 'INVALID_MASK');
  });

  it('rejects bad label values and layouts, leaving the label map untouched on any error', () => {
    const s = encode(new Uint8Array(12).fill(1), 3, 4);
    const labels = new Uint8Array(12);
    expectRleError(() => decodeIntoLabelMap(s, 3, 4, labels, 256), 'INVALID_ARGUMENT');
    expectRleError(() => decodeIntoLabelMap(s, 3, 4, labels, 1.5), 'INVALID_ARGUMENT');
    expectRleError(
      () => decodeIntoLabelMap(s, 3, 4, labels, 1, 'diagonal' as unknown as 'row-major'),
      'INVALID_ARGUMENT',
    );
    // A string whose runs go beyond the frame only after painting could have started.
    const tooLong = countsToString([0, 12, 5]);
    expectRleError(() => decodeIntoLabelMap(tooLong, 3, 4, labels, 1), 'INVALID_RLE');
    expect(labels.every((v) => v === 0)).toBe(true);
  });
});
