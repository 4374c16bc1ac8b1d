/**
 * COCO compressed RLE, byte-for-byte compatible with pycocotools (DESIGN §3: mask chunk docs store
 * `rle` as pycocotools' `counts` string at full frame size).
 *
 * Masks are row-major `Uint8Array`s (`y * width + x`, non-zero = inside); RLE is column-major.
 */
export { encode, decode } from './codec.js';
export { decodeIntoLabelMap } from './labelmap.js';
export { area, bbox, iou, merge } from './geometry.js';
export { countsFromString, countsToString } from './counts.js';
export { fromCocoRle, toCocoRle, asRleString, isValidRle } from './coco.js';
export { RleError, isRleError, MAX_RLE_PIXELS } from './errors.js';
export type { RleErrorCode } from './errors.js';
export type { RleString, CocoRle, CocoRleInput, MaskLayout } from './types.js';
