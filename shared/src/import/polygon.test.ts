/**
 * Polygon rasterization against the real pycocotools (`frPyObjects` + `merge`, as `annToRLE`
 * does), run at test time through the repo's Python (tools/py.sh), like the RLE vectors.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import * as rle from '../rle/index.js';
import { importCoco } from './coco.js';
import { polygonToRle } from './polygon.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const PY = `
import json, sys
from pycocotools import mask as m
cases = json.load(sys.stdin)
out = []
for c in cases:
    rles = m.frPyObjects(c['polygons'], c['h'], c['w'])
    merged = m.merge(rles) if len(rles) > 1 else rles[0]
    out.append({'each': [r['counts'].decode() for r in rles], 'merged': merged['counts'].decode()})
json.dump(out, sys.stdout)
`;

interface Case {
  h: number;
  w: number;
  polygons: number[][];
}

function pycocotools(cases: Case[]): { each: string[]; merged: string }[] {
  const run = spawnSync('bash', ['tools/py.sh', '-c', PY], {
    cwd: root,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`pycocotools failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { each: string[]; merged: string }[];
}

function randomPolygon(rand: () => number, h: number, w: number, kind: number): number[] {
  const n = 3 + Math.floor(rand() * 12);
  const out: number[] = [];
  if (kind === 0) {
    // Star-shaped around a centre: concave, never self-crossing.
    const cx = rand() * w;
    const cy = rand() * h;
    for (let i = 0; i < n; i++) {
      const a = (i / n) * 2 * Math.PI;
      const r = 2 + rand() * Math.min(h, w) * 0.5;
      out.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
    }
  } else {
    // Arbitrary points, partly outside the frame: self-crossing outlines (even-odd fill).
    for (let i = 0; i < n; i++) out.push(rand() * (w + 20) - 10, rand() * (h + 20) - 10);
  }
  // Half the cases on integer coordinates, as many tools write them.
  return kind === 2 ? out.map(Math.round) : out;
}

describe('polygon rasterization', () => {
  const rand = seededRandom(8);
  const cases: Case[] = [];
  for (let i = 0; i < 150; i++) {
    const h = 5 + Math.floor(rand() * 60);
    const w = 5 + Math.floor(rand() * 60);
    const parts = 1 + Math.floor(rand() * 3);
    cases.push({
      h,
      w,
      polygons: Array.from({ length: parts }, () => randomPolygon(rand, h, w, Math.floor(rand() * 3))),
    });
  }
  // Hand-picked edges: a box on pixel borders, a sliver, a triangle touching every frame edge.
  cases.push({ h: 10, w: 12, polygons: [[2, 2, 8, 2, 8, 6, 2, 6]] });
  cases.push({ h: 10, w: 12, polygons: [[0.2, 5, 11.8, 5.1, 11.8, 5.3]] });
  cases.push({ h: 9, w: 9, polygons: [[0, 0, 9, 0, 4.5, 9]] });
  const expected = pycocotools(cases);

  it('gives every polygon the very RLE pycocotools gives it', () => {
    cases.forEach((c, i) => {
      c.polygons.forEach((p, j) =>
        expect(polygonToRle(p, c.h, c.w), `case ${i} polygon ${j}`).toBe(expected[i]!.each[j]),
      );
    });
  });

  it('imports multi-polygon annotations as the union pycocotools decodes (IoU 1)', () => {
    cases.forEach((c, i) => {
      const result = importCoco(
        {
          images: [{ id: 1, width: c.w, height: c.h, file_name: '000000.jpg' }],
          categories: [{ id: 1, name: 'thing' }],
          annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: c.polygons }],
        },
        { width: c.w, height: c.h, numFrames: 1 },
      );
      const want = rle.decode(expected[i]!.merged, c.h, c.w);
      if (rle.area(expected[i]!.merged, c.h, c.w) === 0) {
        expect(result.masks, `case ${i}`).toHaveLength(0);
        return;
      }
      expect(rle.decode(result.masks[0]!.rle, c.h, c.w), `case ${i}`).toEqual(want);
      // Stored canonical: what rle.encode writes for that mask.
      expect(result.masks[0]!.rle).toBe(rle.encode(want, c.h, c.w));
    });
  });
});
