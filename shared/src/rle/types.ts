import type { Brand } from '../ids.js';

/**
 * A COCO compressed-RLE `counts` string exactly as pycocotools writes it: column-major runs
 * (index `x * height + y`) that alternate 0 and 1 and always start with a (possibly empty) 0-run,
 * coded 5 bits per character into ASCII 48..111, each run from the fourth on stored as the
 * difference to the run two places before it. The string alone does not carry the frame size.
 */
export type RleString = Brand<string, 'RleString'>;

/** The COCO JSON form of a compressed RLE mask: `size` is `[height, width]`. */
export interface CocoRle {
  readonly size: readonly [number, number];
  readonly counts: RleString;
}

/** What COCO files may hold: compressed (`counts` string) or uncompressed (`counts` run list). */
export interface CocoRleInput {
  readonly size: readonly number[];
  readonly counts: string | readonly number[];
}

/** Memory layout of a label map or mask buffer: index `y * width + x` or `x * height + y`. */
export type MaskLayout = 'row-major' | 'column-major';
