/**
 * The render bench's page: bundled by Vite from the real client modules, driven by
 * `bench/render/main.ts` through Playwright via `window.__renderBench`.
 */
import { seededRandom } from '@maskroom/shared';
import type {
  CheckResult,
  KeyScrubResult,
  RenderBenchApi,
  RunPlan,
  RunResult,
  ScenePlan,
} from '../protocol.js';
import { runChecks } from './check.js';
import { measurePath, nextFrame } from './measure.js';
import { Canvas2dPath, PixiPath, type DrawPath } from './paths.js';
import { buildScene, type Scene } from './scene.js';

declare global {
  interface Window {
    __renderBench?: RenderBenchApi;
  }
}

let cached: { key: string; scene: Scene; prepareMs: number } | null = null;

async function sceneFor(plan: ScenePlan): Promise<{ scene: Scene; prepareMs: number }> {
  const key = JSON.stringify(plan);
  if (cached?.key !== key) {
    cached?.scene.pictures.forEach((p) => p.close());
    const t0 = performance.now();
    const scene = await buildScene(plan);
    cached = { key, scene, prepareMs: performance.now() - t0 };
  }
  return cached;
}

const CHECK_SCENE: ScenePlan = { width: 1920, height: 1080, frames: 1, objects: 20, seed: 7 };

async function check(): Promise<CheckResult> {
  const { scene } = await sceneFor(CHECK_SCENE);
  return runChecks(scene);
}

async function run(plan: RunPlan): Promise<RunResult> {
  const { scene, prepareMs } = await sceneFor(plan.scene);
  const pixi = await PixiPath.create(scene, plan.cssWidth, plan.cssHeight);
  let pixiResult;
  try {
    pixiResult = await measurePath(pixi, plan);
  } finally {
    pixi.destroy();
  }
  const rendererName = pixi.renderer.rendererName;
  const canvas = Canvas2dPath.create(scene, plan.cssWidth, plan.cssHeight);
  let canvasResult;
  try {
    canvasResult = await measurePath(canvas, plan);
  } finally {
    canvas.destroy();
  }
  return {
    rendererName,
    userAgent: navigator.userAgent,
    devicePixelRatio,
    scene: {
      width: scene.width,
      height: scene.height,
      frames: scene.masks.length,
      objects: plan.scene.objects,
      coverage: scene.coverage,
      meanRleChars: scene.meanRleChars,
      prepareMs,
    },
    pixi: pixiResult,
    canvas2d: canvasResult,
  };
}

/**
 * Scrubbing by keyboard, timed by the browser itself: each ArrowRight (sent by Playwright as a
 * real input event) shows another frame at once, and the Event Timing API reports the time from
 * the key's timestamp to the presentation of the next frame painted after the handler ran.
 * Entries only exist for events of 16 ms or more (the API's smallest threshold).
 */
let keyScrub: {
  path: DrawPath;
  stop: () => void;
  durations: number[];
  presses: number;
} | null = null;

async function startKeyScrub(plan: RunPlan, which: 'pixi' | 'canvas2d'): Promise<void> {
  if (keyScrub !== null) throw new Error('a key scrub is already running');
  const { scene } = await sceneFor(plan.scene);
  const path: DrawPath =
    which === 'pixi'
      ? await PixiPath.create(scene, plan.cssWidth, plan.cssHeight)
      : Canvas2dPath.create(scene, plan.cssWidth, plan.cssHeight);
  const random = seededRandom(plan.scene.seed + 2);
  let frame = 0;
  path.change(frame);
  path.flush();
  const state = { path, durations: [] as number[], presses: 0, stop: () => {} };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key !== 'ArrowRight') return;
    state.presses++;
    frame = (frame + 1 + Math.floor(random() * (plan.scene.frames - 1))) % plan.scene.frames;
    path.change(frame);
  };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name === 'keydown') state.durations.push(entry.duration);
  });
  observer.observe({ type: 'event', durationThreshold: 16, buffered: false } as PerformanceObserverInit);
  document.addEventListener('keydown', onKey);
  state.stop = () => {
    document.removeEventListener('keydown', onKey);
    observer.disconnect();
  };
  keyScrub = state;
}

/** Resolves once the last key's frame has had time to be presented. */
async function keySettled(): Promise<void> {
  await nextFrame();
  await nextFrame();
}

async function stopKeyScrub(): Promise<KeyScrubResult> {
  const state = keyScrub;
  if (state === null) throw new Error('no key scrub is running');
  await keySettled();
  state.stop();
  state.path.destroy();
  keyScrub = null;
  return { presses: state.presses, durations: state.durations };
}

window.__renderBench = { check, run, startKeyScrub, keySettled, stopKeyScrub };
