/**
 * Zoom and pan of the frame inside the canvas, as pure maths.
 *
 * Three coordinate spaces meet here and are all `{x, y}` numbers at runtime, so each has its own
 * brand and mixing them is a compile error:
 * - {@link NormalizedPoint}: 0..1 of the frame's width and height (what prompts store);
 * - {@link PixelPoint}: pixels of the full-size frame, pixel (i, j) covering [i, i+1) × [j, j+1);
 * - {@link CanvasPoint}: CSS pixels from the top-left of the canvas element (what pointer events
 *   give after subtracting the element's client rect).
 *
 * The transform is `canvas = pixel * scale + offset`.
 */
import type { Brand, NormalizedPoint, PixelPoint } from '@maskroom/shared';

/** CSS pixels inside the canvas element. */
export type CanvasPoint = Brand<{ readonly x: number; readonly y: number }, 'CanvasPoint'>;

export const canvasPoint = (x: number, y: number): CanvasPoint => ({ x, y }) as CanvasPoint;
export const pixelPoint = (x: number, y: number): PixelPoint => ({ x, y }) as PixelPoint;
export const normalizedPoint = (x: number, y: number): NormalizedPoint => ({ x, y }) as NormalizedPoint;

export interface ViewportLimits {
  /** Smallest scale as a fraction of the fitted scale (how far one may zoom out). Default 0.5. */
  minFitFraction: number;
  /** Largest scale in CSS px per frame pixel (how far one may zoom in). Default 32. */
  maxScale: number;
  /** CSS px of the frame that panning always leaves inside the canvas. Default 48. */
  keepVisible: number;
}

export const DEFAULT_VIEWPORT_LIMITS: ViewportLimits = { minFitFraction: 0.5, maxScale: 32, keepVisible: 48 };

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}`);
}

/** An immutable zoom/pan state; every change returns a new `Viewport`. */
export class Viewport {
  private constructor(
    readonly frameWidth: number,
    readonly frameHeight: number,
    readonly canvasWidth: number,
    readonly canvasHeight: number,
    /** CSS px per frame pixel. */
    readonly scale: number,
    /** Canvas position of the frame's top-left corner, CSS px. */
    readonly offsetX: number,
    readonly offsetY: number,
    /** True while the view is the fitted one: a resize then refits instead of keeping the zoom. */
    readonly fitted: boolean,
    readonly limits: ViewportLimits,
  ) {}

  /** The whole frame, as large as fits, centred (letterboxed). */
  static fit(
    frameWidth: number,
    frameHeight: number,
    canvasWidth: number,
    canvasHeight: number,
    limits: Partial<ViewportLimits> = {},
  ): Viewport {
    checkPositive('frameWidth', frameWidth);
    checkPositive('frameHeight', frameHeight);
    checkPositive('canvasWidth', canvasWidth);
    checkPositive('canvasHeight', canvasHeight);
    const scale = Viewport.fitScale(frameWidth, frameHeight, canvasWidth, canvasHeight);
    return new Viewport(
      frameWidth,
      frameHeight,
      canvasWidth,
      canvasHeight,
      scale,
      (canvasWidth - frameWidth * scale) / 2,
      (canvasHeight - frameHeight * scale) / 2,
      true,
      { ...DEFAULT_VIEWPORT_LIMITS, ...limits },
    );
  }

  private static fitScale(fw: number, fh: number, cw: number, ch: number): number {
    return Math.min(cw / fw, ch / fh);
  }

  get minScale(): number {
    return (
      Viewport.fitScale(this.frameWidth, this.frameHeight, this.canvasWidth, this.canvasHeight) *
      this.limits.minFitFraction
    );
  }

  get maxScale(): number {
    return Math.max(this.limits.maxScale, this.minScale);
  }

  /** A zoomed or panned (no longer fitted) view with this scale and offset, the pan kept in bounds. */
  private with(scale: number, offsetX: number, offsetY: number): Viewport {
    const w = this.frameWidth * scale;
    const h = this.frameHeight * scale;
    // Never lose the frame: at least `keep` px of it (or all of it, if smaller) stays on screen.
    const keepX = Math.min(this.limits.keepVisible, w, this.canvasWidth);
    const keepY = Math.min(this.limits.keepVisible, h, this.canvasHeight);
    return new Viewport(
      this.frameWidth,
      this.frameHeight,
      this.canvasWidth,
      this.canvasHeight,
      scale,
      clamp(offsetX, keepX - w, this.canvasWidth - keepX),
      clamp(offsetY, keepY - h, this.canvasHeight - keepY),
      false,
      this.limits,
    );
  }

  /**
   * Zooms by `factor` (>1 in, <1 out) around `at`: the frame point under `at` stays under it.
   * The scale is clamped to [{@link minScale}, {@link maxScale}]; near the pan bounds the point may
   * drift by what the pan clamp takes away.
   */
  zoomAt(at: CanvasPoint, factor: number): Viewport {
    checkPositive('factor', factor);
    const scale = clamp(this.scale * factor, this.minScale, this.maxScale);
    const k = scale / this.scale;
    return this.with(scale, at.x - (at.x - this.offsetX) * k, at.y - (at.y - this.offsetY) * k);
  }

  /** Moves the frame by (`dx`, `dy`) CSS px (a drag's movement). */
  panBy(dx: number, dy: number): Viewport {
    return this.with(this.scale, this.offsetX + dx, this.offsetY + dy);
  }

  /**
   * The same view in a canvas of another size: refits when the view was fitted, otherwise keeps
   * the scale and the frame point at the canvas centre.
   */
  resized(canvasWidth: number, canvasHeight: number): Viewport {
    if (this.fitted) {
      return Viewport.fit(this.frameWidth, this.frameHeight, canvasWidth, canvasHeight, this.limits);
    }
    checkPositive('canvasWidth', canvasWidth);
    checkPositive('canvasHeight', canvasHeight);
    const centre = this.canvasToPixel(canvasPoint(this.canvasWidth / 2, this.canvasHeight / 2));
    const moved = new Viewport(
      this.frameWidth,
      this.frameHeight,
      canvasWidth,
      canvasHeight,
      this.scale,
      canvasWidth / 2 - centre.x * this.scale,
      canvasHeight / 2 - centre.y * this.scale,
      false,
      this.limits,
    );
    return moved.with(clamp(this.scale, moved.minScale, moved.maxScale), moved.offsetX, moved.offsetY);
  }

  canvasToPixel(p: CanvasPoint): PixelPoint {
    return pixelPoint((p.x - this.offsetX) / this.scale, (p.y - this.offsetY) / this.scale);
  }

  pixelToCanvas(p: PixelPoint): CanvasPoint {
    return canvasPoint(p.x * this.scale + this.offsetX, p.y * this.scale + this.offsetY);
  }

  canvasToNormalized(p: CanvasPoint): NormalizedPoint {
    const px = this.canvasToPixel(p);
    return normalizedPoint(px.x / this.frameWidth, px.y / this.frameHeight);
  }

  normalizedToCanvas(p: NormalizedPoint): CanvasPoint {
    return this.pixelToCanvas(pixelPoint(p.x * this.frameWidth, p.y * this.frameHeight));
  }

  /** Whether the canvas point lies on the frame (not on the letterbox or beyond). */
  isInsideFrame(p: CanvasPoint): boolean {
    const px = this.canvasToPixel(p);
    return px.x >= 0 && px.x < this.frameWidth && px.y >= 0 && px.y < this.frameHeight;
  }
}

/** Frame pixels → normalized frame coordinates. */
export function pixelToNormalized(p: PixelPoint, frameWidth: number, frameHeight: number): NormalizedPoint {
  return normalizedPoint(p.x / frameWidth, p.y / frameHeight);
}

/** Normalized frame coordinates → frame pixels. */
export function normalizedToPixel(p: NormalizedPoint, frameWidth: number, frameHeight: number): PixelPoint {
  return pixelPoint(p.x * frameWidth, p.y * frameHeight);
}
