import { rle, seededRandom } from '@maskroom/shared';
import { describe, expect, it } from 'vitest';
import { createLabelMap, labelAt, paintMasks, type LabelMask } from './labelMap.js';

/** A row-major 0/1 mask of the axis-aligned rectangle [x0, x1) × [y0, y1). */
function rect(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * width + x] = 1;
  return m;
}

function maskOf(label: number, mask: Uint8Array, width: number, height: number): LabelMask {
  const counts = rle.encode(mask, height, width);
  return { label, rle: counts, area: rle.area(counts) };
}

describe('createLabelMap', () => {
  it('allocates width × height zeroed bytes', () => {
    const map = createLabelMap(7, 5);
    expect(map.data.length).toBe(35);
    expect(map.data.every((v) => v === 0)).toBe(true);
  });

  it('rejects empty or fractional sizes', () => {
    expect(() => createLabelMap(0, 5)).toThrow(RangeError);
    expect(() => createLabelMap(4, 2.5)).toThrow(RangeError);
  });
});

describe('paintMasks', () => {
  it('lays pixels out column-major, matching the decoded row-major mask', () => {
    const w = 13;
    const h = 7; // odd sizes catch a swapped stride
    const random = seededRandom(3);
    const mask = new Uint8Array(w * h).map(() => (random() < 0.4 ? 1 : 0));
    const map = createLabelMap(w, h);
    expect(paintMasks(map, [maskOf(9, mask, w, h)])).toEqual([]);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        expect(map.data[x * h + y]).toBe(mask[y * w + x] === 1 ? 9 : 0);
        expect(labelAt(map, x, y)).toBe(mask[y * w + x] === 1 ? 9 : 0);
      }
    }
  });

  it('paints the largest mask first so a smaller overlapping one stays visible, whatever the input order', () => {
    const w = 20;
    const h = 10;
    const big = maskOf(1, rect(w, h, 0, 0, 20, 10), w, h);
    const small = maskOf(2, rect(w, h, 4, 2, 8, 6), w, h);
    for (const order of [
      [big, small],
      [small, big],
    ]) {
      const map = createLabelMap(w, h);
      paintMasks(map, order);
      expect(labelAt(map, 5, 3)).toBe(2);
      expect(labelAt(map, 15, 8)).toBe(1);
    }
  });

  it('clears what the previous frame painted', () => {
    const w = 8;
    const h = 6;
    const map = createLabelMap(w, h);
    paintMasks(map, [maskOf(4, rect(w, h, 0, 0, 4, 6), w, h)]);
    expect(labelAt(map, 1, 1)).toBe(4);
    paintMasks(map, [maskOf(5, rect(w, h, 5, 0, 8, 6), w, h)]);
    expect(labelAt(map, 1, 1)).toBe(0);
    expect(labelAt(map, 6, 1)).toBe(5);
  });

  it('skips and returns invalid masks instead of throwing half-way, painting the rest', () => {
    const w = 10;
    const h = 10;
    const good = maskOf(3, rect(w, h, 1, 1, 3, 3), w, h);
    const other = maskOf(6, rect(w, h, 6, 6, 9, 9), w, h);
    const garbage: LabelMask = { label: 4, rle: '!!not-rle', area: 1000 };
    const wrongSize = { ...maskOf(5, rect(w + 1, h, 0, 0, 11, 10), w + 1, h), area: 500 };
    const badLabel = { ...good, label: 0 };
    const hugeLabel = { ...good, label: 256 };
    const map = createLabelMap(w, h);
    const skipped = paintMasks(map, [good, garbage, wrongSize, badLabel, other, hugeLabel]);
    expect(new Set(skipped)).toEqual(new Set([garbage, wrongSize, badLabel, hugeLabel]));
    expect(labelAt(map, 2, 2)).toBe(3);
    expect(labelAt(map, 7, 7)).toBe(6);
    let painted = 0;
    for (const v of map.data) if (v !== 0) painted++;
    expect(painted).toBe(good.area + other.area);
  });
});

describe('labelAt', () => {
  it('floors fractional coordinates and answers 0 outside the frame', () => {
    const w = 5;
    const h = 4;
    const map = createLabelMap(w, h);
    paintMasks(map, [maskOf(7, rect(w, h, 4, 3, 5, 4), w, h)]);
    expect(labelAt(map, 4.9, 3.2)).toBe(7);
    expect(labelAt(map, 5, 3)).toBe(0);
    expect(labelAt(map, -0.5, 0)).toBe(0);
    expect(labelAt(map, 0, 4)).toBe(0);
    expect(labelAt(map, Number.NaN, 1)).toBe(0);
  });
});
