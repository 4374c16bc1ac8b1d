import { inflateSync } from 'node:zlib';
import { decode as decodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import { canonicalCodes, huffmanLengths, RunPngWriter } from './runPng.js';

function encodeRows(data: Uint8Array, width: number, height: number, palette?: Uint8Array): Uint8Array {
  const png = new RunPngWriter(width, height, palette === undefined ? {} : { palette });
  for (let y = 0; y < height; y++) png.row(data, y * width, width);
  return png.finish();
}

function zlibPayload(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let p = 8; p < png.length;) {
    const len = view.getUint32(p);
    if (String.fromCharCode(...png.subarray(p + 4, p + 8)) === 'IDAT')
      return png.subarray(p + 8, p + 8 + len);
    p += 12 + len;
  }
  throw new Error('no IDAT');
}

describe('RunPngWriter', () => {
  it('round-trips images of every run structure through zlib and a PNG decoder', () => {
    const random = seededRandom(5);
    // Widths around the 258-byte match limit, runs of 1..600 bytes, all byte values.
    for (const [width, height] of [
      [1, 1],
      [1, 7],
      [257, 3],
      [258, 2],
      [259, 4],
      [516, 3],
      [777, 5],
    ] as const) {
      const data = new Uint8Array(width * height);
      for (let i = 0; i < data.length;) {
        const n = 1 + Math.floor(random() ** 3 * 600);
        data.fill(random() < 0.3 ? 0 : Math.floor(random() * 256), i, i + n);
        i += n;
      }
      const png = encodeRows(data, width, height);
      const raw = inflateSync(zlibPayload(png)); // checks the Adler-32 too
      expect(raw.length).toBe((width + 1) * height);
      const decoded = decodePng(png);
      expect([decoded.width, decoded.height, decoded.channels]).toEqual([width, height, 1]);
      expect(Uint8Array.from(decoded.data)).toEqual(data);
    }
  });

  it('writes a palette and refuses runs that do not cover the image', () => {
    const palette = Uint8Array.from({ length: 768 }, (_, i) => i % 256);
    const png = encodeRows(Uint8Array.of(0, 1, 2, 3), 2, 2, palette);
    const decoded = decodePng(png);
    expect(decoded.palette?.[1]).toEqual([3, 4, 5]);
    expect(Uint8Array.from(decoded.data)).toEqual(Uint8Array.of(0, 1, 2, 3));
    const short = new RunPngWriter(4, 1);
    short.beginRow();
    short.run(0, 3);
    expect(() => short.finish()).toThrow(/expected 5/);
  });

  it('builds complete prefix codes', () => {
    const lengths = huffmanLengths([5, 1, 1, 2, 9, 1], 15);
    expect(lengths.reduce((sum, l) => sum + 2 ** -l, 0)).toBe(1);
    const codes = canonicalCodes(lengths);
    const words = codes.map((c, i) => c.toString(2).padStart(lengths[i]!, '0').split('').reverse().join(''));
    for (const a of words) for (const b of words) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });
});
