/**
 * How many frames to extract: processing fps = min(source fps, maxFrames / duration) (DESIGN §7,
 * `MASKROOM_MAX_FRAMES` default 900: a 60 s clip at 30 fps is processed at 15 fps).
 */
import type { VideoProbe } from './probe.js';

export interface PlanOptions {
  readonly maxFrames: number;
}

export interface ExtractionPlan {
  /** Constant output frame rate; frame `i` shows the source at about `i / processingFps` s. */
  readonly processingFps: number;
  /**
   * Frames ffmpeg is expected to write: round(duration × processingFps), at least 1, at most
   * `maxFrames`. ffmpeg's fps filter lands on this or one off (the last frame's rounding); the
   * extraction reports what was really written.
   */
  readonly expectedFrames: number;
  /** Hard cap passed to ffmpeg (`-frames:v`). */
  readonly maxFrames: number;
}

/** Rates are kept to a thousandth of a frame per second and rounded down when capped. */
const FPS_STEP = 1000;

export function planExtraction(
  probe: Pick<VideoProbe, 'sourceFps' | 'durationSec'>,
  opts: PlanOptions,
): ExtractionPlan {
  const { sourceFps, durationSec } = probe;
  const maxFrames = Math.floor(opts.maxFrames);
  if (!(maxFrames >= 1)) throw new RangeError(`maxFrames must be at least 1, got ${opts.maxFrames}`);
  if (!(sourceFps > 0) || !Number.isFinite(sourceFps)) throw new RangeError(`bad source fps ${sourceFps}`);
  if (!(durationSec > 0) || !Number.isFinite(durationSec))
    throw new RangeError(`bad duration ${durationSec}`);

  let processingFps = sourceFps;
  if (durationSec * sourceFps > maxFrames) {
    processingFps = Math.floor((maxFrames / durationSec) * FPS_STEP) / FPS_STEP;
    // A clip so long that even a thousandth of an fps is too much is refused by the duration limit
    // long before this; keep the rate positive anyway.
    if (processingFps <= 0) processingFps = maxFrames / durationSec;
  }
  const expectedFrames = Math.min(maxFrames, Math.max(1, Math.round(durationSec * processingFps)));
  return { processingFps, expectedFrames, maxFrames };
}
