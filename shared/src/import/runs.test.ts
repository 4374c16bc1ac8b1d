import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import * as rle from '../rle/index.js';
import { canonicalString, labelRuns } from './runs.js';
import { randomLabels } from '../test/importMasks.js';

describe('labelRuns', () => {
  it('gives each label the runs rle.encode gives its mask', () => {
    const rand = seededRandom(3);
    for (let t = 0; t < 40; t++) {
      const h = 1 + Math.floor(rand() * 40);
      const w = 1 + Math.floor(rand() * 40);
      const labels = randomLabels(rand, h, w, 1 + Math.floor(rand() * 6));
      const found = labelRuns(labels, h, w);
      const present = new Set(labels.filter((v) => v !== 0));
      expect([...found.keys()].sort()).toEqual([...present].sort());
      for (const [label, runs] of found) {
        const mask = labels.map((v) => (v === label ? 1 : 0));
        expect(canonicalString(runs).counts, `label ${label}`).toBe(rle.encode(mask, h, w));
      }
    }
  });
});

describe('canonicalString', () => {
  it('drops empty runs and merges their neighbours without changing the mask', () => {
    const h = 4;
    const w = 5;
    const odd = [0, 3, 0, 2, 5, 0, 0, 4, 6];
    const { counts, area } = canonicalString(odd);
    expect(area).toBe(9);
    const decoded = rle.decode(rle.countsToString(odd), h, w);
    expect(rle.decode(counts, h, w)).toEqual(decoded);
    expect(counts).toBe(rle.encode(decoded, h, w));
  });
});
