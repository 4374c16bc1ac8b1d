/**
 * What the render bench's Node side and its browser page say to each other (`page.evaluate`).
 * Types only: the page is bundled by Vite, the Node side runs under tsx.
 */

export interface ScenePlan {
  width: number;
  height: number;
  /** Distinct frames whose masks are encoded before any timing ("masks already synced"). */
  frames: number;
  objects: number;
  seed: number;
}

export interface RunPlan {
  scene: ScenePlan;
  /** CSS size of the canvas both paths draw into. */
  cssWidth: number;
  cssHeight: number;
  /** Untimed frame changes before each path's measurements. */
  warmupChanges: number;
  /** Length of the requestAnimationFrame loop of frame changes, per path. */
  loopMs: number;
  /** Frame changes each started with the GPU idle and flushed to pixels (gl.finish / getImageData), per path. */
  toPixelsChanges: number;
  /** Random frame jumps timed from the change to the frame on screen, per path. */
  scrubJumps: number;
  /** Frame jumps by real key presses, timed by the Event Timing API, per path. */
  keyJumps: number;
}

export interface Stats {
  n: number;
  mean: number;
  median: number;
  p95: number;
  max: number;
}

export interface PathResult {
  /**
   * Main-thread ms of the overlay's part of one frame change (the labels or the per-pixel overlay
   * and its submission, not the new picture), started with the GPU idle.
   */
  overlayMs: Stats;
  /** Main-thread ms of the whole frame change, new picture included, started with the GPU idle. */
  mainMs: Stats;
  /** The same, step by step. */
  phasesMs: Record<string, Stats>;
  /** The same change plus a flush until the GPU (or the 2D rasterizer) is done. */
  toPixelsMs: Stats;
  /** Main-thread ms per change in the rAF loop, where changes can outrun the GPU process. */
  loopMainMs: Stats;
  /** Frame changes per second over the rAF loop. */
  fps: number;
  loopChanges: number;
  /** Change → next animation frame after the flush, ms. */
  scrubMs: Stats;
}

export interface SceneInfo {
  width: number;
  height: number;
  frames: number;
  objects: number;
  /** Mean share of the frame covered by at least one object. */
  coverage: number;
  meanRleChars: number;
  /** Time the page took to build the masks and encode them (not part of any timing). */
  prepareMs: number;
}

export interface RunResult {
  rendererName: string;
  userAgent: string;
  devicePixelRatio: number;
  scene: SceneInfo;
  pixi: PathResult;
  canvas2d: PathResult;
}

export interface CheckCase {
  name: string;
  checked: number;
  failures: string[];
}

export interface CheckResult {
  ok: boolean;
  rendererName: string;
  cases: CheckCase[];
}

export interface KeyScrubResult {
  /** Keys handled by the page. */
  presses: number;
  /** Event Timing durations (key timestamp → next frame presented) of the presses that took ≥ 16 ms. */
  durations: number[];
}

export interface RenderBenchApi {
  check(): Promise<CheckResult>;
  run(plan: RunPlan): Promise<RunResult>;
  startKeyScrub(plan: RunPlan, which: 'pixi' | 'canvas2d'): Promise<void>;
  keySettled(): Promise<void>;
  stopKeyScrub(): Promise<KeyScrubResult>;
}
