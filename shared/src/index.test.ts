import { describe, expect, it } from 'vitest';
import * as shared from '@maskroom/shared';

describe('@maskroom/shared package root', () => {
  it('exposes the RLE codec as rle.* and it works through the package entry', () => {
    const { rle } = shared;
    const names = ['encode', 'decode', 'decodeIntoLabelMap', 'area', 'bbox', 'iou', 'merge'] as const;
    for (const name of names) expect(typeof rle[name]).toBe('function');
    const mask = new Uint8Array([0, 1, 1, 1, 0, 0]); // 2×3 row-major
    const counts = rle.encode(mask, 2, 3);
    expect(rle.decode(counts, 2, 3)).toEqual(mask);
    expect(rle.area(counts)).toBe(3);
    expect(rle.bbox(counts, 2, 3)).toEqual([0, 0, 3, 2]);
  });

  it('exposes the document accessors, the protocol and the error table', () => {
    expect(typeof shared.MainDoc).toBe('function');
    expect(typeof shared.decodeMessage).toBe('function');
    expect(shared.ERROR_CODES.NOT_FOUND.httpStatus).toBe(404);
    expect(shared.CHUNK_SIZE).toBe(64);
  });
});
