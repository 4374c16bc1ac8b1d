/** The three measurements of one draw path: rAF loop (main-thread ms, fps), to-pixels, scrub latency. */
import { seededRandom } from '@maskroom/shared';
import type { PathResult, RunPlan, Stats } from '../protocol.js';
import type { DrawPath } from './paths.js';

export const nextFrame = (): Promise<number> => new Promise((resolve) => requestAnimationFrame(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0)
    return { n: 0, mean: Number.NaN, median: Number.NaN, p95: Number.NaN, max: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    n: sorted.length,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    median: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1]!,
  };
}

/**
 * One frame change per animation frame for `loopMs`: changes/s, and main-thread ms per change
 * when changes come faster than the GPU process draws them (WebGL calls then wait for it).
 */
async function rafLoop(
  path: DrawPath,
  frames: number,
  loopMs: number,
): Promise<{ main: number[]; fps: number }> {
  const main: number[] = [];
  let frame = 0;
  await nextFrame();
  const start = performance.now();
  let end = start;
  while (end - start < loopMs) {
    await nextFrame();
    const t0 = performance.now();
    frame = (frame + 1) % frames;
    path.change(frame);
    end = performance.now();
    main.push(end - t0);
  }
  // Count the loop until the last change's animation frame has come round again.
  await nextFrame();
  const elapsed = performance.now() - start;
  return { main, fps: (main.length / elapsed) * 1000 };
}

/**
 * Changes one at a time, each starting with the GPU idle (the previous one was flushed): the
 * main-thread cost of a change itself, then what it costs until the pixels exist.
 */
async function flushed(
  path: DrawPath,
  frames: number,
  changes: number,
): Promise<{ main: number[]; overlay: number[]; toPixels: number[] }> {
  const main: number[] = [];
  const overlay: number[] = [];
  const toPixels: number[] = [];
  for (let i = 0; i < changes; i++) {
    await nextFrame();
    const t0 = performance.now();
    const timing = path.change((i * 7 + 3) % frames);
    main.push(performance.now() - t0);
    overlay.push(timing.overlay);
    path.flush();
    toPixels.push(performance.now() - t0);
  }
  return { main, overlay, toPixels };
}

/**
 * A scrub: the playhead jumps to a random frame at a random moment (not aligned with vsync); the
 * change is drawn at once (as a scrub's pointer move, which Chromium dispatches just before the
 * animation frame, gets drawn in that frame) and counts as on screen at the animation frame after
 * its drawing has finished (gl.finish / getImageData).
 */
async function scrub(path: DrawPath, frames: number, jumps: number, seed: number): Promise<number[]> {
  const random = seededRandom(seed);
  const out: number[] = [];
  let current = 0;
  for (let i = 0; i < jumps; i++) {
    await sleep(random() * 17);
    let target = Math.floor(random() * frames);
    if (target === current) target = (target + 1) % frames;
    current = target;
    const t0 = performance.now();
    path.change(target);
    path.flush();
    await nextFrame();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function measurePath(path: DrawPath, plan: RunPlan): Promise<PathResult> {
  const frames = plan.scene.frames;
  for (let i = 0; i < plan.warmupChanges; i++) {
    await nextFrame();
    path.change(i % frames);
  }
  path.flush();
  const loop = await rafLoop(path, frames, plan.loopMs);
  path.phases.clear();
  const idle = await flushed(path, frames, plan.toPixelsChanges);
  const phasesMs = Object.fromEntries([...path.phases].map(([name, samples]) => [name, stats(samples)]));
  const scrubs = await scrub(path, frames, plan.scrubJumps, plan.scene.seed + 1);
  return {
    overlayMs: stats(idle.overlay),
    mainMs: stats(idle.main),
    phasesMs,
    toPixelsMs: stats(idle.toPixels),
    loopMainMs: stats(loop.main),
    fps: loop.fps,
    loopChanges: loop.main.length,
    scrubMs: stats(scrubs),
  };
}
