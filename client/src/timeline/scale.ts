/**
 * Geometry of the timeline: frame ↔ pixel, tick spacing, time labels. Each frame owns an equal
 * cell of the width; a frame's position is the centre of its cell.
 */

/** The frame under `x` (pixels from the left edge), clamped to `[0, numFrames - 1]`. */
export function frameFromPosition(x: number, width: number, numFrames: number): number {
  if (numFrames <= 1 || !(width > 0) || !Number.isFinite(x)) return 0;
  return clamp(Math.floor((x / width) * numFrames), 0, numFrames - 1);
}

/** The x (pixels) of the centre of `frame`'s cell. */
export function positionOfFrame(frame: number, width: number, numFrames: number): number {
  if (numFrames <= 0 || !(width > 0)) return 0;
  return ((clamp(frame, 0, numFrames - 1) + 0.5) * width) / numFrames;
}

/** `frame`'s cell centre as a percentage of the width (for CSS `left`). */
export function percentOfFrame(frame: number, numFrames: number): number {
  return numFrames <= 0 ? 0 : ((clamp(frame, 0, numFrames - 1) + 0.5) * 100) / numFrames;
}

export function clampFrame(frame: number, numFrames: number): number {
  return numFrames <= 0 ? 0 : clamp(Math.round(frame), 0, numFrames - 1);
}

const NICE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000];

/**
 * The smallest "nice" frame interval whose labelled ticks are at least `minSpacing` pixels apart,
 * and a minor interval (a divisor of it) for unlabelled ticks at least `minMinorSpacing` apart,
 * or 0 when minor ticks would be too dense.
 */
export function tickSteps(
  width: number,
  numFrames: number,
  minSpacing = 72,
  minMinorSpacing = 8,
): { major: number; minor: number } {
  const perFrame = numFrames > 0 && width > 0 ? width / numFrames : 0;
  if (perFrame === 0) return { major: Math.max(1, numFrames), minor: 0 };
  const major = NICE_STEPS.find((s) => s * perFrame >= minSpacing) ?? NICE_STEPS[NICE_STEPS.length - 1]!;
  const minor = [1, 2, 5, 10, 25, 50]
    .map((d) => major / d)
    .filter((m) => Number.isInteger(m) && m >= 1 && m < major && m * perFrame >= minMinorSpacing)
    .at(-1);
  return { major, minor: minor ?? 0 };
}

/** Multiples of `step` in `[0, numFrames)`. */
export function ticks(step: number, numFrames: number): number[] {
  const out: number[] = [];
  if (step <= 0) return out;
  for (let f = 0; f < numFrames; f += step) out.push(f);
  return out;
}

/** Seconds as `m:ss.cc` (or `ss.cc s` under a minute), the clock of a frame `t = frame / fps`. */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const cs = Math.round(seconds * 100);
  const minutes = Math.floor(cs / 6000);
  const rest = ((cs % 6000) / 100).toFixed(2);
  return minutes > 0 ? `${minutes}:${rest.padStart(5, '0')}` : `${rest} s`;
}

export function timeOfFrame(frame: number, fps: number): number {
  return fps > 0 ? frame / fps : 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
