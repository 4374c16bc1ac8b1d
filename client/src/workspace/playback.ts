/** Playhead arithmetic and the class-name suggestions of the objects panel. */
import type { ObjectRecord } from '@maskroom/shared';

export const clampFrame = (frame: number, numFrames: number): number =>
  Math.max(0, Math.min(numFrames - 1, Math.round(frame)));

/**
 * The frame to show `elapsedMs` after playback started at `startFrame`, at the processing rate
 * `fps`; playback stops at the last frame (null = finished).
 */
export function playbackFrame(
  startFrame: number,
  elapsedMs: number,
  fps: number,
  numFrames: number,
): number | null {
  const frame = startFrame + Math.floor((elapsedMs * fps) / 1000);
  return frame >= numFrames ? null : frame;
}

/** Class names in use, most used first (then alphabetically), to suggest when naming an object. */
export function classSuggestions(objects: Iterable<Pick<ObjectRecord, 'className'>>): string[] {
  const counts = new Map<string, number>();
  for (const o of objects) {
    const name = o.className.trim();
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([name]) => name);
}
