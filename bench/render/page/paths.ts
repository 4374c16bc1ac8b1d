/**
 * The two ways of showing a frame's masks that the bench compares, behind one interface:
 * - `PixiPath`: the real client renderer (label map + r8unorm texture + palette shader);
 * - `Canvas2dPath`: the baseline a single-user demo would write: decode every RLE to a full
 *   mask, paint its pixels into an RGBA `ImageData`, `putImageData`, then `drawImage` the frame
 *   picture and the overlay into the visible canvas.
 */
import { rle } from '@maskroom/shared';
import { OverlayRenderer } from '../../../client/src/render/OverlayRenderer.js';
import { createLabelMap, paintMasks, type LabelMap } from '../../../client/src/render/labelMap.js';
import { buildPalette, parseHexColor } from '../../../client/src/render/palette.js';
import { Viewport } from '../../../client/src/render/viewport.js';
import type { Scene } from './scene.js';

export const OVERLAY_OPACITY = 0.5;

/** Main-thread ms of one frame change, split into the overlay's part and the picture's part. */
export interface ChangeTiming {
  overlay: number;
  picture: number;
}

export interface DrawPath {
  readonly name: string;
  /** Shows `frame` (picture + masks) and submits the drawing. Everything on the main thread. */
  change(frame: number): ChangeTiming;
  /** Waits until the drawing of the last change is done (GPU finish / 2D raster). */
  flush(): void;
  /** Main-thread ms of each step of `change`, one sample per change since the last reset. */
  readonly phases: Map<string, number[]>;
  destroy(): void;
}

function record(phases: Map<string, number[]>, name: string, ms: number): void {
  let list = phases.get(name);
  if (list === undefined) phases.set(name, (list = []));
  list.push(ms);
}

function host(cssWidth: number, cssHeight: number): HTMLDivElement {
  const div = document.createElement('div');
  div.style.width = `${cssWidth}px`;
  div.style.height = `${cssHeight}px`;
  document.body.appendChild(div);
  return div;
}

export class PixiPath implements DrawPath {
  readonly name = 'PixiJS label map';
  readonly phases = new Map<string, number[]>();
  private readonly map: LabelMap;

  private constructor(
    private readonly scene: Scene,
    readonly renderer: OverlayRenderer,
    private readonly div: HTMLDivElement,
  ) {
    this.map = createLabelMap(scene.width, scene.height);
  }

  static async create(scene: Scene, cssWidth: number, cssHeight: number): Promise<PixiPath> {
    const div = host(cssWidth, cssHeight);
    const renderer = await OverlayRenderer.create(div);
    renderer.setFrameSize(scene.width, scene.height);
    renderer.setPalette(
      buildPalette(
        scene.colors.map((color, i) => ({ label: i + 1, color, hidden: false })),
        { opacity: OVERLAY_OPACITY },
      ),
    );
    renderer.setViewport(Viewport.fit(scene.width, scene.height, cssWidth, cssHeight));
    return new PixiPath(scene, renderer, div);
  }

  change(frame: number): ChangeTiming {
    const t0 = performance.now();
    const skipped = paintMasks(this.map, this.scene.masks[frame]!);
    if (skipped.length > 0) throw new Error(`${skipped.length} masks of frame ${frame} did not paint`);
    const t1 = performance.now();
    this.renderer.setLabels(this.map);
    const t2 = performance.now();
    this.renderer.setImage(this.scene.pictures[frame]!);
    const t3 = performance.now();
    this.renderer.renderNow();
    const t4 = performance.now();
    record(this.phases, 'paintMasks', t1 - t0);
    record(this.phases, 'setLabels (texSubImage2D)', t2 - t1);
    record(this.phases, 'setImage (picture upload)', t3 - t2);
    record(this.phases, 'render submission', t4 - t3);
    return { overlay: t2 - t0 + (t4 - t3), picture: t3 - t2 };
  }

  flush(): void {
    this.renderer.finish();
  }

  destroy(): void {
    this.renderer.destroy();
    this.div.remove();
  }
}

export class Canvas2dPath implements DrawPath {
  readonly name = 'Canvas2D per-pixel';
  readonly phases = new Map<string, number[]>();
  private readonly ctx: CanvasRenderingContext2D;
  private readonly overlay: ImageData;
  private readonly overlayCanvas: OffscreenCanvas;
  private readonly overlayCtx: OffscreenCanvasRenderingContext2D;
  private readonly scratch: Uint8Array;
  private readonly rgba: (readonly [number, number, number])[];
  private readonly rect: { x: number; y: number; w: number; h: number };

  constructor(
    private readonly scene: Scene,
    private readonly canvas: HTMLCanvasElement,
  ) {
    const { width, height } = scene;
    this.ctx = canvas.getContext('2d')!;
    this.overlayCanvas = new OffscreenCanvas(width, height);
    this.overlayCtx = this.overlayCanvas.getContext('2d')!;
    this.overlay = new ImageData(width, height);
    this.scratch = new Uint8Array(width * height);
    this.rgba = scene.colors.map(parseHexColor);
    const v = Viewport.fit(width, height, canvas.width, canvas.height);
    this.rect = { x: v.offsetX, y: v.offsetY, w: width * v.scale, h: height * v.scale };
  }

  static create(scene: Scene, cssWidth: number, cssHeight: number): Canvas2dPath {
    const canvas = document.createElement('canvas');
    // Display size × devicePixelRatio, as the Pixi path draws.
    canvas.width = Math.round(cssWidth * devicePixelRatio);
    canvas.height = Math.round(cssHeight * devicePixelRatio);
    canvas.style.width = `${cssWidth}px`;
    canvas.style.height = `${cssHeight}px`;
    canvas.style.display = 'block';
    document.body.appendChild(canvas);
    return new Canvas2dPath(scene, canvas);
  }

  change(frame: number): ChangeTiming {
    const t0 = performance.now();
    const { width, height } = this.scene;
    const data = this.overlay.data;
    data.fill(0);
    const alpha = Math.round(OVERLAY_OPACITY * 255);
    const masks = [...this.scene.masks[frame]!].sort((a, b) => b.area - a.area);
    for (const m of masks) {
      const mask = rle.decode(m.rle, height, width, this.scratch);
      const [r, g, b] = this.rgba[m.label - 1]!;
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] !== 0) {
          const o = i * 4;
          data[o] = r;
          data[o + 1] = g;
          data[o + 2] = b;
          data[o + 3] = alpha;
        }
      }
    }
    const t1 = performance.now();
    this.overlayCtx.putImageData(this.overlay, 0, 0);
    const t2 = performance.now();
    const { x, y, w, h } = this.rect;
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.drawImage(this.scene.pictures[frame]!, x, y, w, h);
    const t3 = performance.now();
    this.ctx.drawImage(this.overlayCanvas, x, y, w, h);
    const t4 = performance.now();
    record(this.phases, 'decode + per-pixel ImageData fill', t1 - t0);
    record(this.phases, 'putImageData', t2 - t1);
    record(this.phases, 'drawImage picture', t3 - t2);
    record(this.phases, 'drawImage overlay', t4 - t3);
    return { overlay: t2 - t0 + (t4 - t3), picture: t3 - t2 };
  }

  flush(): void {
    // Reading one pixel back forces the canvas's recorded drawing to be rasterized now.
    this.ctx.getImageData(0, 0, 1, 1);
  }

  destroy(): void {
    this.canvas.remove();
  }
}
