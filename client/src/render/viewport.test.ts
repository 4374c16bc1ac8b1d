import { describe, expect, it } from 'vitest';
import {
  Viewport,
  canvasPoint,
  normalizedPoint,
  normalizedToPixel,
  pixelPoint,
  pixelToNormalized,
} from './viewport.js';

describe('Viewport.fit', () => {
  it('letterboxes a wide frame in a taller canvas, centred', () => {
    const v = Viewport.fit(1920, 1080, 1000, 1000);
    expect(v.scale).toBeCloseTo(1000 / 1920);
    expect(v.offsetX).toBeCloseTo(0);
    expect(v.offsetY).toBeCloseTo((1000 - 1080 * v.scale) / 2);
    expect(v.fitted).toBe(true);
  });

  it('pillarboxes a tall frame', () => {
    const v = Viewport.fit(100, 400, 800, 200);
    expect(v.scale).toBeCloseTo(0.5);
    expect(v.offsetX).toBeCloseTo(375);
    expect(v.offsetY).toBeCloseTo(0);
  });

  it('rejects empty sizes', () => {
    expect(() => Viewport.fit(0, 10, 10, 10)).toThrow(RangeError);
    expect(() => Viewport.fit(10, 10, 10, Number.NaN)).toThrow(RangeError);
  });
});

describe('coordinate conversions', () => {
  const v = Viewport.fit(640, 480, 1280, 720);

  it('maps the frame corners to the letterboxed rectangle', () => {
    const tl = v.normalizedToCanvas(normalizedPoint(0, 0));
    const br = v.normalizedToCanvas(normalizedPoint(1, 1));
    expect(tl.y).toBeCloseTo(0);
    expect(br.y).toBeCloseTo(720);
    expect(tl.x).toBeCloseTo((1280 - 640 * 1.5) / 2);
    expect(br.x - tl.x).toBeCloseTo(960);
  });

  it('round-trips canvas ↔ normalized ↔ pixel', () => {
    const p = canvasPoint(500.25, 333.5);
    const n = v.canvasToNormalized(p);
    const back = v.normalizedToCanvas(n);
    expect(back.x).toBeCloseTo(p.x);
    expect(back.y).toBeCloseTo(p.y);
    const px = v.canvasToPixel(p);
    expect(px.x).toBeCloseTo(n.x * 640);
    expect(px.y).toBeCloseTo(n.y * 480);
    const c = v.pixelToCanvas(px);
    expect(c.x).toBeCloseTo(p.x);
    const n2 = pixelToNormalized(px, 640, 480);
    expect(n2.x).toBeCloseTo(n.x);
    expect(normalizedToPixel(n2, 640, 480).y).toBeCloseTo(px.y);
  });

  it('tells the frame from the letterbox', () => {
    expect(v.isInsideFrame(canvasPoint(640, 360))).toBe(true);
    expect(v.isInsideFrame(canvasPoint(100, 360))).toBe(false);
    expect(v.isInsideFrame(canvasPoint(1200, 360))).toBe(false);
    const left = v.normalizedToCanvas(normalizedPoint(0, 0.5));
    expect(v.isInsideFrame(canvasPoint(left.x + 0.01, left.y))).toBe(true);
    expect(v.isInsideFrame(canvasPoint(left.x - 0.01, left.y))).toBe(false);
  });
});

describe('zoomAt', () => {
  it('keeps the frame point under the cursor fixed', () => {
    const v = Viewport.fit(1920, 1080, 1280, 720);
    const at = canvasPoint(300, 200);
    const before = v.canvasToPixel(at);
    const z = v.zoomAt(at, 3);
    expect(z.scale).toBeCloseTo(v.scale * 3);
    const after = z.canvasToPixel(at);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
    expect(z.fitted).toBe(false);
    const out = z.zoomAt(at, 1 / 3);
    expect(out.offsetX).toBeCloseTo(v.offsetX);
    expect(out.offsetY).toBeCloseTo(v.offsetY);
  });

  it('clamps the scale between half the fitted scale and maxScale', () => {
    const v = Viewport.fit(100, 100, 200, 200, { maxScale: 8 });
    const centre = canvasPoint(100, 100);
    expect(v.zoomAt(centre, 1e6).scale).toBe(8);
    expect(v.zoomAt(centre, 1e-6).scale).toBeCloseTo(1);
    expect(v.zoomAt(centre, 1e6).zoomAt(centre, 1e6).scale).toBe(8);
  });

  it('rejects a non-positive factor', () => {
    expect(() => Viewport.fit(10, 10, 10, 10).zoomAt(canvasPoint(0, 0), 0)).toThrow(RangeError);
  });
});

describe('panBy', () => {
  it('moves the frame by the drag distance', () => {
    const v = Viewport.fit(1920, 1080, 1280, 720).zoomAt(canvasPoint(640, 360), 4);
    const p = v.panBy(30, -20);
    expect(p.offsetX).toBeCloseTo(v.offsetX + 30);
    expect(p.offsetY).toBeCloseTo(v.offsetY - 20);
    expect(p.scale).toBe(v.scale);
  });

  it('never pans the frame out of sight', () => {
    const v = Viewport.fit(1920, 1080, 1280, 720, { keepVisible: 50 });
    const gone = v.panBy(1e5, 1e5);
    expect(gone.offsetX).toBeCloseTo(1280 - 50);
    expect(gone.offsetY).toBeCloseTo(720 - 50);
    const other = v.panBy(-1e5, -1e5);
    expect(other.offsetX + 1920 * other.scale).toBeCloseTo(50);
    expect(other.offsetY + 1080 * other.scale).toBeCloseTo(50);
  });
});

describe('resized', () => {
  it('refits a fitted view', () => {
    const v = Viewport.fit(1920, 1080, 1280, 720).resized(640, 360);
    expect(v.scale).toBeCloseTo(1 / 3);
    expect(v.fitted).toBe(true);
  });

  it('keeps the scale and the centred frame point of a zoomed view', () => {
    const v = Viewport.fit(1920, 1080, 1280, 720).zoomAt(canvasPoint(200, 100), 5);
    const centre = v.canvasToPixel(canvasPoint(640, 360));
    const r = v.resized(1000, 500);
    expect(r.scale).toBe(v.scale);
    const c = r.canvasToPixel(canvasPoint(500, 250));
    expect(c.x).toBeCloseTo(centre.x);
    expect(c.y).toBeCloseTo(centre.y);
  });
});

describe('branded spaces', () => {
  // Checked by `tsc`: an unused @ts-expect-error is itself an error.
  it('does not accept a point of another space', () => {
    const v = Viewport.fit(10, 10, 10, 10);
    // @ts-expect-error a PixelPoint is not a CanvasPoint
    v.canvasToPixel(pixelPoint(1, 1));
    // @ts-expect-error a CanvasPoint is not a NormalizedPoint
    v.normalizedToCanvas(canvasPoint(1, 1));
  });
});
