/**
 * Versions and chunking of the session documents (DESIGN §3).
 */
import { asFrameIndex } from '../ids.js';
import type { FrameIndex } from '../ids.js';

/**
 * Named versions of the main doc's layout, oldest first. Add a name here together with its
 * migration step in `migrations.ts`; never renumber.
 */
export const MainDocVersions = {
  /** meta / objects (nested Y.Maps) / prompts / jobs / comments; masks in chunk docs. */
  Initial: 1,
} as const;

/** The main doc layout this code reads and writes (`meta.schemaVersion`). */
export const SCHEMA_VERSION: number = MainDocVersions.Initial;

/** Frames per mask chunk doc unless the session's `meta.chunkSize` says otherwise. */
export const CHUNK_SIZE = 64;

/** Frames `[start, end)` held by one mask chunk doc. */
export interface FrameRange {
  readonly start: FrameIndex;
  /** Exclusive. */
  readonly end: FrameIndex;
}

const checkChunkSize = (chunkSize: number): void => {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`not a chunk size: ${chunkSize}`);
  }
};

/** Index `k` of the mask chunk doc that holds `frame`. Throws a RangeError for a non-frame. */
export function chunkIndexOf(frame: FrameIndex | number, chunkSize: number = CHUNK_SIZE): number {
  checkChunkSize(chunkSize);
  return Math.floor(asFrameIndex(frame) / chunkSize);
}

/** The frames held by chunk `k`: `[k*chunkSize, (k+1)*chunkSize)`. Throws a RangeError for a bad k. */
export function chunkFrameRange(k: number, chunkSize: number = CHUNK_SIZE): FrameRange {
  checkChunkSize(chunkSize);
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`not a chunk index: ${k}`);
  const start = k * chunkSize;
  const end = start + chunkSize;
  if (!Number.isSafeInteger(end)) throw new RangeError(`chunk index out of range: ${k}`);
  return { start: start as FrameIndex, end: end as FrameIndex };
}

/** How many chunk docs a video of `numFrames` frames needs (0 for an empty video). */
export function chunkCount(numFrames: number, chunkSize: number = CHUNK_SIZE): number {
  checkChunkSize(chunkSize);
  if (!Number.isSafeInteger(numFrames) || numFrames < 0) {
    throw new RangeError(`not a frame count: ${numFrames}`);
  }
  return Math.ceil(numFrames / chunkSize);
}
