import { encode } from 'fast-png';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import * as rle from '../rle/index.js';
import { randomLabels, randomMask } from '../test/importMasks.js';
import { importZip } from './zip.js';

const H = 16;
const W = 20;
const size = { width: W, height: H, numFrames: 3 };
const rand = seededRandom(21);
const json = (v: unknown) => strToU8(JSON.stringify(v));
const labels = randomLabels(rand, H, W, 2);
const davisPng = encode({
  width: W,
  height: H,
  data: labels,
  depth: 8,
  channels: 1,
  palette: [
    [0, 0, 0],
    [255, 0, 0],
    [0, 0, 255],
  ],
});
const a = rle.encode(randomMask(rand, H, W), H, W);
const cocoJson = {
  images: [{ id: 1, width: W, height: H, file_name: 'images/000001.jpg', frame_index: 1 }],
  categories: [{ id: 3, name: 'car' }],
  annotations: [
    {
      id: 1,
      image_id: 1,
      category_id: 3,
      segmentation: { size: [H, W], counts: a },
      attributes: { track_id: 2 },
    },
  ],
};
const manifest = {
  objects: [{ number: 2, id: 'obj_x', instanceName: 'red car', className: 'vehicle', color: '#112233' }],
};

describe('importZip', () => {
  it('prefers COCO over DAVIS and applies the manifest', () => {
    const zip = zipSync({
      'maskroom.json': json(manifest),
      'coco/annotations.json': json(cocoJson),
      'davis/000000.png': davisPng,
      'png/1_car/000000.png': new Uint8Array([0]),
    });
    const result = importZip(zip, size);
    expect(result.objects).toEqual([
      { key: '2', className: 'vehicle', instanceName: 'red car', color: '#112233' },
    ]);
    expect(result.masks).toEqual([{ objectKey: '2', frame: 1, rle: a }]);
  });

  it('finds a COCO JSON under any name and DAVIS PNGs in a folder', () => {
    expect(importZip(zipSync({ 'export/train.json': json(cocoJson) }), size).masks).toHaveLength(1);
    const davis = importZip(
      zipSync({ 'x/davis/000002.png': davisPng, 'x/images/000002.png': davisPng }),
      size,
    );
    expect(davis.objects.map((o) => o.color)).toEqual(
      [...new Set(labels)]
        .filter((v) => v !== 0)
        .sort()
        .map((v) => (v === 1 ? '#ff0000' : '#0000ff')),
    );
    expect(davis.masks.every((m) => m.frame === 2)).toBe(true);
  });

  it('refuses what is not a ZIP of annotations', () => {
    expect(() => importZip(strToU8('hello'), size)).toThrow(/not a readable ZIP/);
    expect(() => importZip(zipSync({ 'readme.txt': strToU8('x') }), size)).toThrow(/neither COCO/);
    expect(() => importZip(zipSync({ 'coco/annotations.json': strToU8('{oops') }), size)).toThrow(
      /coco\/annotations.json: not valid JSON/,
    );
  });

  it('warns about and ignores a manifest it cannot read', () => {
    const result = importZip(zipSync({ 'maskroom.json': strToU8('[]'), 'a.json': json(cocoJson) }), size);
    expect(result.objects[0]!.instanceName).toBe('object 1');
    expect(result.warnings).toEqual(['maskroom.json is not a Maskroom manifest; ignored']);
  });
});
