/**
 * COCO JSON RLE objects (`{size: [h, w], counts}`), compressed or uncompressed.
 */
import { RleError, checkSize } from './errors.js';
import { checkRuns, parseRuns, runsToString } from './counts.js';
import type { CocoRle, CocoRleInput, RleString } from './types.js';

function readSize(size: unknown): [number, number] {
  if (!Array.isArray(size) || size.length !== 2) {
    throw new RleError('INVALID_SIZE', 'size must be [height, width]');
  }
  const [h, w] = size as [unknown, unknown];
  if (typeof h !== 'number' || typeof w !== 'number') {
    throw new RleError('INVALID_SIZE', 'size must be [height, width] numbers');
  }
  checkSize(h, w);
  return [h, w];
}

/**
 * Reads a COCO RLE object: compressed (`counts` string, checked and kept as it is) or
 * uncompressed (`counts: number[]`, as `iscrowd` annotations carry; converted exactly as
 * pycocotools' `frPyObjects` does). The runs must cover exactly `height * width` pixels.
 *
 * @throws RleError `INVALID_SIZE` for a bad `size`, `INVALID_RLE` for bad counts.
 */
export function fromCocoRle(rle: CocoRleInput): CocoRle {
  if (typeof rle !== 'object' || rle === null) throw new RleError('INVALID_RLE', 'RLE must be an object');
  const size = readSize(rle.size);
  const total = size[0] * size[1];
  const counts: unknown = rle.counts;
  if (typeof counts === 'string') {
    parseRuns(counts, total);
    return { size, counts: counts as RleString };
  }
  if (!Array.isArray(counts)) {
    throw new RleError('INVALID_RLE', 'counts must be a string or an array of run lengths');
  }
  checkRuns(counts as unknown[] as number[], total);
  return { size, counts: runsToString(counts as number[], counts.length) };
}

/** Wraps a counts string into COCO's JSON form after checking it covers `height * width` pixels. */
export function toCocoRle(counts: RleString | string, height: number, width: number): CocoRle {
  const total = checkSize(height, width);
  parseRuns(counts, total);
  return { size: [height, width], counts: counts as RleString };
}

/** Checks a counts string against a frame size and brands it. */
export function asRleString(counts: string, height: number, width: number): RleString {
  const total = checkSize(height, width);
  parseRuns(counts, total);
  return counts as RleString;
}

/** Whether `counts` is a well-formed counts string covering exactly `height * width` pixels. */
export function isValidRle(counts: unknown, height: number, width: number): counts is RleString {
  try {
    if (typeof counts !== 'string') return false;
    parseRuns(counts, checkSize(height, width));
    return true;
  } catch (e) {
    if (e instanceof RleError) return false;
    throw e;
  }
}
