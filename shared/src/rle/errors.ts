/**
 * The one error type the RLE codec throws. `code` is stable and meant for programs; `message` is
 * for people and may change.
 */

/**
 * - `INVALID_RLE`: a counts string or run list is malformed — a character outside `'0'..'o'`
 *   (ASCII 48..111), a value cut off at the end of the string, a run that is negative or beyond
 *   2^32 - 1, or runs that do not add up to exactly `height * width`.
 * - `INVALID_SIZE`: a height or width that is not a non-negative integer, or a frame larger than
 *   {@link MAX_RLE_PIXELS} pixels.
 * - `INVALID_MASK`: a mask or label-map buffer whose length is not `height * width`.
 * - `INVALID_ARGUMENT`: any other bad argument (a label value outside 0..255, an unknown layout).
 */
export type RleErrorCode = 'INVALID_RLE' | 'INVALID_SIZE' | 'INVALID_MASK' | 'INVALID_ARGUMENT';

export class RleError extends Error {
  override readonly name = 'RleError';
  readonly code: RleErrorCode;

  constructor(code: RleErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export const isRleError = (value: unknown): value is RleError => value instanceof RleError;

/**
 * Largest `height * width` the codec accepts: 2^32 - 1. pycocotools keeps runs in a 32-bit
 * `uint`, so larger frames cannot round-trip through it anyway. Every position and run the codec
 * handles stays below 2^32, which JS numbers hold exactly; the code never applies 32-bit bitwise
 * operators to such values (they would wrap above 2^31).
 */
export const MAX_RLE_PIXELS = 0xffff_ffff;

/** Throws `INVALID_SIZE` unless `height` and `width` describe a frame the codec can handle. */
export function checkSize(height: number, width: number): number {
  if (!Number.isInteger(height) || height < 0 || !Number.isInteger(width) || width < 0) {
    throw new RleError(
      'INVALID_SIZE',
      `height and width must be non-negative integers, got ${String(height)}×${String(width)}`,
    );
  }
  const total = height * width;
  if (total > MAX_RLE_PIXELS) {
    throw new RleError(
      'INVALID_SIZE',
      `${height}×${width} = ${total} pixels exceeds the RLE limit of ${MAX_RLE_PIXELS} (2^32 - 1)`,
    );
  }
  return total;
}

/** Throws `INVALID_MASK` unless `buffer` is a byte array of exactly `total` elements. */
export function checkBuffer(buffer: unknown, total: number, what: string): void {
  if (!(buffer instanceof Uint8Array)) {
    throw new RleError('INVALID_MASK', `${what} must be a Uint8Array`);
  }
  if (buffer.length !== total) {
    throw new RleError(
      'INVALID_MASK',
      `${what} has ${buffer.length} elements, expected height * width = ${total}`,
    );
  }
}
