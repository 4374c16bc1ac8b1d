import { describe, expect, it } from 'vitest';
import { MaskroomError } from '../errors.js';
import { seededRandom } from '../random.js';
import * as rle from '../rle/index.js';
import { importCoco } from './coco.js';
import { ImportError } from './ImportError.js';
import { randomMask } from '../test/importMasks.js';

const H = 24;
const W = 32;
const size = { width: W, height: H, numFrames: 10 };
const rand = seededRandom(11);
const masks = Array.from({ length: 6 }, () => randomMask(rand, H, W));
const counts = masks.map((m) => rle.encode(m, H, W));

function coco(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    images: [0, 3, 7].map((f, i) => ({
      id: i + 1,
      width: W,
      height: H,
      file_name: `${String(f).padStart(6, '0')}.jpg`,
    })),
    categories: [
      { id: 1, name: 'person' },
      { id: 2, name: 'ball' },
    ],
    annotations: [
      {
        id: 10,
        image_id: 1,
        category_id: 1,
        segmentation: { size: [H, W], counts: counts[0] },
        attributes: { track_id: 2, instance_name: 'Ann' },
        score: 0.5,
      },
      {
        id: 11,
        image_id: 2,
        category_id: 1,
        segmentation: { size: [H, W], counts: counts[1] },
        attributes: { track_id: 2 },
      },
      {
        id: 12,
        image_id: 1,
        category_id: 2,
        segmentation: { size: [H, W], counts: counts[2] },
        attributes: { track_id: 1 },
      },
      {
        id: 13,
        image_id: 3,
        category_id: 2,
        segmentation: { size: [H, W], counts: counts[3] },
        attributes: { track_id: 1 },
      },
    ],
    ...overrides,
  };
}

function expectInvalid(json: unknown, where: string | RegExp): ImportError {
  try {
    importCoco(json, size);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toBeInstanceOf(MaskroomError);
    const e = error as ImportError;
    expect(e.code).toBe('INVALID_IMPORT');
    expect(e.httpStatus).toBe(422);
    if (typeof where === 'string') expect(e.where).toBe(where);
    else expect(e.message).toMatch(where);
    return e;
  }
  throw new Error('expected INVALID_IMPORT');
}

describe('importCoco', () => {
  it('groups annotations by track id, ordered by track, frames from the file names', () => {
    const result = importCoco(coco(), size);
    expect(result.objects).toEqual([
      { key: '1', className: 'ball', instanceName: 'object 1' },
      { key: '2', className: 'person', instanceName: 'Ann' },
    ]);
    expect(result.masks).toEqual([
      { objectKey: '1', frame: 0, rle: counts[2] },
      { objectKey: '2', frame: 0, rle: counts[0], score: 0.5 },
      { objectKey: '2', frame: 3, rle: counts[1] },
      { objectKey: '1', frame: 7, rle: counts[3] },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('takes frame_index over file names, and image order when neither tells the frame', () => {
    const indexed = coco();
    (indexed['images'] as Record<string, unknown>[]).forEach((im, i) => (im['frame_index'] = 2 * i + 1));
    expect(importCoco(indexed, size).masks.map((m) => m.frame)).toEqual([1, 1, 3, 5]);
    const named = coco();
    (named['images'] as Record<string, unknown>[]).forEach(
      (im, i) => (im['file_name'] = `shot-${3 - i}.jpg`),
    );
    // No frame in the names: frames follow the image ids.
    expect(importCoco(named, size).masks.map((m) => m.frame)).toEqual([0, 0, 1, 2]);
  });

  it('makes each annotation its own object without track ids', () => {
    const json = coco();
    for (const a of json['annotations'] as Record<string, unknown>[]) delete a['attributes'];
    const result = importCoco(json, size);
    expect(result.objects.map((o) => [o.key, o.instanceName])).toEqual([
      ['annotation 10', 'object 1'],
      ['annotation 11', 'object 2'],
      ['annotation 12', 'object 3'],
      ['annotation 13', 'object 4'],
    ]);
  });

  it('reads uncompressed RLE and stores it compressed and canonical', () => {
    const runs = [...rle.countsFromString(counts[4]!)];
    // An empty run in the middle decodes to the same mask; the stored string must not keep it.
    const padded = [runs[0]!, 0, 0, ...runs.slice(1)];
    const json = coco({
      annotations: [
        { id: 1, image_id: 2, category_id: 2, segmentation: { size: [H, W], counts: padded }, iscrowd: 1 },
      ],
    });
    expect(importCoco(json, size).masks).toEqual([{ objectKey: 'annotation 1', frame: 3, rle: counts[4] }]);
  });

  it('merges two masks of one track on one frame and skips empty ones, with warnings', () => {
    const empty = rle.encode(new Uint8Array(H * W), H, W);
    const json = coco({
      annotations: [
        {
          id: 1,
          image_id: 1,
          category_id: 1,
          segmentation: { size: [H, W], counts: counts[0] },
          attributes: { track_id: 5 },
        },
        {
          id: 2,
          image_id: 1,
          category_id: 1,
          segmentation: { size: [H, W], counts: counts[1] },
          attributes: { track_id: 5 },
        },
        {
          id: 3,
          image_id: 2,
          category_id: 1,
          segmentation: { size: [H, W], counts: empty },
          attributes: { track_id: 5 },
        },
        {
          id: 4,
          image_id: 2,
          category_id: 1,
          segmentation: { size: [H, W], counts: empty },
          attributes: { track_id: 6 },
        },
      ],
    });
    const result = importCoco(json, size);
    const union = masks[0]!.map((v, i) => v | masks[1]![i]!);
    expect(result.masks).toEqual([{ objectKey: '5', frame: 0, rle: rle.encode(union, H, W) }]);
    expect(result.objects.map((o) => o.key)).toEqual(['5']);
    expect(result.warnings).toHaveLength(3);
  });

  it('refuses malformed files, naming the place', () => {
    expectInvalid('nope', /COCO JSON object/);
    expectInvalid({ images: [], categories: [] }, 'annotations');
    const ann = (patch: Record<string, unknown>) =>
      coco({
        annotations: [
          { id: 1, image_id: 1, category_id: 1, segmentation: { size: [H, W], counts: counts[0] }, ...patch },
        ],
      });
    expectInvalid(ann({ category_id: 9 }), 'annotations[0].category_id');
    expectInvalid(ann({ image_id: 9 }), 'annotations[0].image_id');
    expectInvalid(ann({ segmentation: { size: [H, W], counts: 'not rle!' } }), 'annotations[0].segmentation');
    expectInvalid(
      ann({ segmentation: { size: [H, W], counts: counts[0]!.slice(0, -2) } }),
      'annotations[0].segmentation',
    );
    expectInvalid(
      ann({ segmentation: { size: [H + 1, W], counts: counts[0] } }),
      'annotations[0].segmentation.size',
    );
    expectInvalid(ann({ segmentation: [[1, 2, 3]] }), 'annotations[0].segmentation[0]');
    expectInvalid(ann({ segmentation: 'x' }), 'annotations[0].segmentation');
    expectInvalid(ann({ score: 'high' }), 'annotations[0].score');
    const wide = coco();
    (wide['images'] as Record<string, unknown>[])[1]!['width'] = W + 1;
    expect(expectInvalid(wide, 'images[1].width').message).toContain(String(W));
    const late = coco();
    (late['images'] as Record<string, unknown>[])[2]!['file_name'] = '000010.jpg';
    expectInvalid(late, 'images[2]');
    const twice = coco();
    (twice['images'] as Record<string, unknown>[])[2]!['file_name'] = '000000.jpg';
    expectInvalid(twice, /also images\[0\]/);
  });
});
