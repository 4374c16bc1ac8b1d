/**
 * Realistic 1920×1080 test masks for the RLE bench, from a seeded PRNG (same masks every run).
 * Row-major, 0/1.
 */
import { seededRandom as prng } from '@maskroom/shared';

export interface BenchMask {
  name: string;
  description: string;
  height: number;
  width: number;
  mask: Uint8Array;
}

type Rand = () => number;

/** Sets (or clears) a rotated ellipse, visiting only its bounding square. */
function ellipse(
  m: Uint8Array,
  h: number,
  w: number,
  cx: number,
  cy: number,
  a: number,
  b: number,
  t: number,
  value: 0 | 1,
): void {
  const r = Math.max(a, b);
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(h - 1, Math.ceil(cy + r));
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(w - 1, Math.ceil(cx + r));
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const u = (dx * cos + dy * sin) / a;
      const v = (-dx * sin + dy * cos) / b;
      if (u * u + v * v <= 1) m[y * w + x] = value;
    }
  }
}

/** A segmenter-like object: a body of overlapping ellipses, with a hole or two. */
function object(rand: Rand, m: Uint8Array, h: number, w: number, scale: number): void {
  const cx = w * (0.15 + 0.7 * rand());
  const cy = h * (0.15 + 0.7 * rand());
  const parts = 3 + Math.floor(rand() * 4);
  for (let i = 0; i < parts; i++) {
    ellipse(
      m,
      h,
      w,
      cx + (rand() - 0.5) * scale,
      cy + (rand() - 0.5) * scale,
      scale * (0.2 + 0.5 * rand()),
      scale * (0.2 + 0.5 * rand()),
      rand() * Math.PI,
      1,
    );
  }
  if (rand() < 0.7) ellipse(m, h, w, cx, cy, scale * 0.08, scale * 0.05, rand() * Math.PI, 0);
}

function line(m: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number): void {
  const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0));
  for (let i = 0; i <= n; i++) {
    const x = Math.round(x0 + ((x1 - x0) * i) / n);
    const y = Math.round(y0 + ((y1 - y0) * i) / n);
    m[y * w + x] = 1;
  }
}

export function benchMasks(seed = 1): BenchMask[] {
  const rand = prng(seed);
  const h = 1080;
  const w = 1920;
  const out: BenchMask[] = [];
  const add = (name: string, description: string, mask: Uint8Array): void => {
    out.push({ name, description, height: h, width: w, mask });
  };

  const small = new Uint8Array(h * w);
  object(rand, small, h, w, 180);
  add('small-object', 'one compact object (~3% of the frame)', small);

  const people = new Uint8Array(h * w);
  for (let i = 0; i < 5; i++) object(rand, people, h, w, 260 + rand() * 120);
  add('blobs', 'five overlapping objects with holes', people);

  const large = new Uint8Array(h * w);
  for (let i = 0; i < 3; i++) object(rand, large, h, w, 900);
  add('large-object', 'one object covering most of the frame', large);

  const thin = new Uint8Array(h * w);
  for (let i = 0; i < 30; i++) {
    line(
      thin,
      w,
      Math.floor(rand() * w),
      Math.floor(rand() * h),
      Math.floor(rand() * w),
      Math.floor(rand() * h),
    );
  }
  for (let x = 0; x < w; x += 97) line(thin, w, x, 0, x, h - 1);
  for (let y = 0; y < h; y += 89) line(thin, w, 0, y, w - 1, y);
  add('thin', '1-px lines: random segments, a sparse grid', thin);

  const speckle = people.slice();
  for (let i = 0; i < speckle.length; i++) if (rand() < 0.01) speckle[i] = speckle[i]! ^ 1;
  add('speckled', 'the blobs with 1% salt-and-pepper noise', speckle);

  const noise = new Uint8Array(h * w);
  for (let i = 0; i < noise.length; i++) noise[i] = rand() < 0.5 ? 1 : 0;
  add('noise-50', 'worst case: every pixel a coin flip', noise);

  return out;
}
