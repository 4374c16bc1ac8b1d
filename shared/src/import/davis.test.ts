import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import * as rle from '../rle/index.js';
import { randomLabels } from '../test/importMasks.js';
import { importDavis } from './davis.js';
import { ImportError } from './ImportError.js';

const H = 20;
const W = 28;
const size = { width: W, height: H, numFrames: 5 };
const palette: [number, number, number][] = [
  [0, 0, 0],
  [230, 25, 75],
  [60, 180, 75],
  [67, 99, 216],
  [245, 130, 49],
];

/** Packs one-byte indices into rows of `depth` bits, as PNG stores them. */
function pack(labels: Uint8Array, depth: number): Uint8Array {
  if (depth === 8) return labels;
  const rowBytes = Math.ceil((W * depth) / 8);
  const out = new Uint8Array(rowBytes * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bit = x * depth;
      out[y * rowBytes + (bit >> 3)]! |= labels[y * W + x]! << (8 - depth - (bit & 7));
    }
  }
  return out;
}

const png = (labels: Uint8Array, depth: 4 | 8 = 8) =>
  encode({ width: W, height: H, data: pack(labels, depth), depth, channels: 1, palette });

describe('importDavis', () => {
  const rand = seededRandom(5);
  const frames = [0, 2, 4].map(() => randomLabels(rand, H, W, 4));

  it('reads each index as an object with its palette color, masks exactly as painted', () => {
    const files = new Map<string, Uint8Array>([
      ['davis/000000.png', png(frames[0]!)],
      ['davis/000002.png', png(frames[1]!, 4)],
      ['davis/000004.png', png(frames[2]!)],
      ['davis/notes.txt', new Uint8Array([1])],
    ]);
    const result = importDavis(files, size);
    const present = new Set(frames.flatMap((f) => [...f].filter((v) => v !== 0)));
    expect(result.objects.map((o) => o.key)).toEqual([...present].sort().map(String));
    expect(result.objects.find((o) => o.key === '1')).toEqual({
      key: '1',
      className: '',
      instanceName: 'object 1',
      color: '#e6194b',
    });
    let n = 0;
    [0, 2, 4].forEach((frame, i) => {
      for (const label of new Set(frames[i]!)) {
        if (label === 0) continue;
        const mask = result.masks.find((m) => m.frame === frame && m.objectKey === String(label));
        expect(mask?.rle).toBe(
          rle.encode(
            frames[i]!.map((v) => (v === label ? 1 : 0)),
            H,
            W,
          ),
        );
        n++;
      }
    });
    expect(result.masks).toHaveLength(n);
  });

  it('refuses PNGs without a palette, of another size, or beyond the session', () => {
    const gray = encode({ width: W, height: H, data: frames[0]!, depth: 8, channels: 1 });
    expect(() => importDavis(new Map([['000000.png', gray]]), size)).toThrow(/not an indexed/);
    const small = encode({
      width: W - 1,
      height: H,
      data: new Uint8Array((W - 1) * H),
      depth: 8,
      channels: 1,
      palette,
    });
    expect(() => importDavis(new Map([['000001.png', small]]), size)).toThrow(ImportError);
    expect(() => importDavis(new Map([['000009.png', png(frames[0]!)]]), size)).toThrow(
      /outside the session/,
    );
    expect(() => importDavis(new Map([['000001.png', new Uint8Array([1, 2, 3])]]), size)).toThrow(
      /readable PNG/,
    );
    expect(() => importDavis(new Map([['mask.png', png(frames[0]!)]]), size)).toThrow(/no frame PNGs/);
  });
});
