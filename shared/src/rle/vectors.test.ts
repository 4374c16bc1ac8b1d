/**
 * The TS codec against vectors the real pycocotools generated at test time
 * (`gpu-worker/tests/test_rle_vectors.py`, run by `tools/vitest.global-setup.ts` when the file is
 * missing). Every expected value here comes from pycocotools; none is written by hand.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  area,
  bbox,
  countsFromString,
  countsToString,
  decode,
  decodeIntoLabelMap,
  encode,
  fromCocoRle,
  iou,
  merge,
} from './index.js';

interface MaskVector {
  name: string;
  h: number;
  w: number;
  mask: string;
  counts: string;
  area: number;
  bbox: [number, number, number, number];
  canonical: boolean;
  canonical_counts?: string;
  runs?: number[];
}
interface RunsVector {
  name: string;
  h: number;
  w: number;
  runs: number[];
  counts: string;
  area: number;
  bbox: [number, number, number, number];
}
interface VectorFile {
  format: number;
  generator: Record<string, unknown>;
  masks: MaskVector[];
  runs: RunsVector[];
  iou: { a: string; b: string; iou: number }[];
  merge: { names: string[]; counts: string }[];
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// Same place as tools/vitest.global-setup.ts (which generates the file when it is missing).
const vectorsPath = resolve(repoRoot, process.env.MASKROOM_VECTORS_DIR || '.vectors', 'rle.json.gz');
const file = JSON.parse(gunzipSync(readFileSync(vectorsPath)).toString('utf8')) as VectorFile;

const maskCache = new Map<string, Uint8Array>();
function maskOf(v: MaskVector): Uint8Array {
  let m = maskCache.get(v.name);
  if (m === undefined) {
    const bytes = inflateSync(Buffer.from(v.mask, 'base64'));
    m = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    maskCache.set(v.name, m);
  }
  return m;
}
const byName = new Map(file.masks.map((v) => [v.name, v]));
function vec(name: string): MaskVector {
  const v = byName.get(name);
  if (v === undefined) throw new Error(`no vector ${name}`);
  return v;
}
/** First index where two byte arrays differ, or -1: keeps failure messages short. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('pycocotools vectors file', () => {
  it('is the expected format and covers every kind of case', () => {
    expect(file.format).toBe(1);
    const names = file.masks.map((v) => v.name);
    for (const prefix of [
      'empty_',
      'full_',
      'px_',
      'row_1x',
      'col_',
      'blob_',
      'thin_',
      'noise_',
      'hd_',
      'large_',
      'weird_',
    ]) {
      expect(
        names.some((n) => n.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(file.runs.length).toBeGreaterThan(4);
    expect(file.iou.length).toBeGreaterThan(50);
    expect(file.merge.length).toBeGreaterThan(10);
  });
});

const canonical = file.masks.filter((v) => v.canonical);
const weird = file.masks.filter((v) => !v.canonical);

describe('encode matches pycocotools', () => {
  it.each(canonical.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(encode(maskOf(v), v.h, v.w)).toBe(v.counts);
  });
  it.each(weird.map((v) => [v.name, v] as const))('%s (canonical re-encoding)', (_name, v) => {
    expect(encode(maskOf(v), v.h, v.w)).toBe(v.canonical_counts);
  });
});

describe('decode matches pycocotools', () => {
  it.each(file.masks.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const got = decode(v.counts, v.h, v.w);
    expect(got.length).toBe(v.h * v.w);
    expect(firstDiff(got, maskOf(v))).toBe(-1);
  });
});

describe('decodeIntoLabelMap matches decode', () => {
  // Every vector in both layouts, painted over a background that must survive outside the mask.
  it.each(file.masks.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const mask = maskOf(v);
    const total = v.h * v.w;
    const rowMajor = new Uint8Array(total).fill(3);
    decodeIntoLabelMap(v.counts, v.h, v.w, rowMajor, 200);
    const colMajor = new Uint8Array(total).fill(3);
    decodeIntoLabelMap(v.counts, v.h, v.w, colMajor, 200, 'column-major');
    let bad = -1;
    for (let y = 0; y < v.h && bad < 0; y++) {
      for (let x = 0; x < v.w; x++) {
        const want = mask[y * v.w + x] ? 200 : 3;
        if (rowMajor[y * v.w + x] !== want || colMajor[x * v.h + y] !== want) {
          bad = y * v.w + x;
          break;
        }
      }
    }
    expect(bad).toBe(-1);
  });
});

describe('area, bbox and raw runs match pycocotools', () => {
  it.each(file.masks.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(area(v.counts)).toBe(v.area);
    expect(area(v.counts, v.h, v.w)).toBe(v.area);
    expect([...bbox(v.counts, v.h, v.w)]).toEqual(v.bbox);
    if (v.runs !== undefined) {
      expect([...countsFromString(v.counts, v.h, v.w)]).toEqual(v.runs);
      // pycocotools' frPyObjects built the string from this uncompressed run list.
      expect(countsToString(v.runs)).toBe(v.counts);
      expect(fromCocoRle({ size: [v.h, v.w], counts: v.runs }).counts).toBe(v.counts);
    }
  });
});

describe('run lists of huge frames (beyond 2^24, up to ~2^32 pixels)', () => {
  it.each(file.runs.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(countsToString(v.runs, v.h, v.w)).toBe(v.counts);
    expect(fromCocoRle({ size: [v.h, v.w], counts: v.runs }).counts).toBe(v.counts);
    expect([...countsFromString(v.counts, v.h, v.w)]).toEqual(v.runs);
    expect(area(v.counts, v.h, v.w)).toBe(v.area);
    expect([...bbox(v.counts, v.h, v.w)]).toEqual(v.bbox);
  });
});

describe('iou matches pycocotools', () => {
  it.each(file.iou.map((c) => [`${c.a} ~ ${c.b}`, c] as const))('%s', (_name, c) => {
    const a = vec(c.a);
    const b = vec(c.b);
    expect(iou(a.counts, b.counts, a.h, a.w)).toBe(c.iou);
    expect(iou(b.counts, a.counts, a.h, a.w)).toBe(c.iou);
  });
});

describe('merge matches pycocotools', () => {
  it.each(file.merge.map((c) => [c.names.join(' + '), c] as const))('%s', (_name, c) => {
    const first = vec(c.names[0]!);
    const list = c.names.map((n) => vec(n).counts);
    expect(merge(list, first.h, first.w)).toBe(c.counts);
  });
});
