/**
 * The per-frame label map the overlay shader colours (DESIGN §8): one byte per frame pixel holding
 * the label of the object drawn there (0 = background, 1..255 = an object's label).
 *
 * The bytes are COLUMN-MAJOR (`data[x * height + y]`), the order of COCO RLE runs, so painting a
 * mask is one contiguous `fill` per run; the renderer uploads the buffer as a texture of width
 * `height` and height `width` and swaps the texture coordinates in its shader instead of
 * transposing on the CPU.
 */
import { rle } from '@maskroom/shared';

export interface LabelMap {
  readonly width: number;
  readonly height: number;
  /** `width * height` bytes, `data[x * height + y]`. */
  readonly data: Uint8Array;
}

/** One mask to paint: the RLE counts string at full frame size, its label and its pixel area. */
export interface LabelMask {
  readonly label: number;
  readonly rle: string;
  readonly area: number;
}

export function createLabelMap(width: number, height: number): LabelMap {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new RangeError(`label map size must be positive integers, got ${width}×${height}`);
  }
  return { width, height, data: new Uint8Array(width * height) };
}

const byAreaDescending = (a: LabelMask, b: LabelMask): number => b.area - a.area || a.label - b.label;

/**
 * Clears `map` and paints every mask into it, the largest first and the smallest last: a label map
 * keeps one label per pixel, and painting small objects last keeps them visible where they overlap
 * a large one (a person's hand over the person).
 *
 * A mask whose RLE is malformed, whose size does not match the map, or whose label is outside
 * 1..255 is skipped (the codec validates a string completely before writing, so nothing of it is
 * painted) and returned, so one bad record cannot blank the rest of the frame.
 *
 * @returns the masks that were not painted, in painting order.
 */
export function paintMasks<M extends LabelMask>(map: LabelMap, masks: readonly M[]): M[] {
  const { data, height, width } = map;
  data.fill(0);
  const skipped: M[] = [];
  const ordered = [...masks].sort(byAreaDescending);
  for (const mask of ordered) {
    // Label 0 would erase what larger masks painted: it is a caller error, not a background paint.
    if (!Number.isInteger(mask.label) || mask.label < 1 || mask.label > 255) {
      skipped.push(mask);
      continue;
    }
    try {
      rle.decodeIntoLabelMap(mask.rle, height, width, data, mask.label, 'column-major');
    } catch (err) {
      if (!rle.isRleError(err)) throw err;
      skipped.push(mask);
    }
  }
  return skipped;
}

/** The label at frame pixel (`px`, `py`) (fractions are floored); 0 outside the frame. */
export function labelAt(map: LabelMap, px: number, py: number): number {
  const x = Math.floor(px);
  const y = Math.floor(py);
  // The negated comparisons also reject NaN.
  if (!(x >= 0 && x < map.width && y >= 0 && y < map.height)) return 0;
  return map.data[x * map.height + y]!;
}
