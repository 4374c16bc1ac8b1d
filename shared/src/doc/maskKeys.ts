/**
 * Keys of the `masks` map of a chunk doc: `"<frame>/<objId>"`.
 */
import { isIdString } from '../ids.js';
import type { FrameIndex, ObjectId } from '../ids.js';

export interface MaskKey {
  readonly frame: FrameIndex;
  readonly objId: ObjectId;
}

const FRAME = /^(?:0|[1-9][0-9]{0,14})$/;

/** The key of one object's mask on one frame (arguments are assumed valid). */
export const maskKey = (frame: FrameIndex, objId: ObjectId): string => `${frame}/${objId}`;

/** Parses a mask key strictly; `null` for anything that {@link maskKey} would not produce. */
export function parseMaskKey(key: string): MaskKey | null {
  const slash = key.indexOf('/');
  if (slash < 0) return null;
  const frame = key.slice(0, slash);
  const objId = key.slice(slash + 1);
  if (!FRAME.test(frame) || !isIdString(objId)) return null;
  return { frame: Number(frame) as FrameIndex, objId: objId as ObjectId };
}
