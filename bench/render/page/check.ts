/**
 * Correctness of the real OverlayRenderer in the browser: every pixel of the drawing buffer is
 * compared with what the label map, the palette and the viewport say it must be.
 *
 * The frames have odd sizes (321×241, 97×61) on purpose: the column-major label texture is then
 * 241 or 61 texels wide, not a multiple of 4, which shears rows unless UNPACK_ALIGNMENT is 1; a
 * swapped u/v or a wrong stride shows up as pixels of the wrong label. Noise masks make every
 * texel count.
 */
import { rle, seededRandom } from '@maskroom/shared';
import { OverlayRenderer } from '../../../client/src/render/OverlayRenderer.js';
import {
  createLabelMap,
  labelAt,
  paintMasks,
  type LabelMap,
  type LabelMask,
} from '../../../client/src/render/labelMap.js';
import { buildPalette, type PaletteEntry, type PaletteOptions } from '../../../client/src/render/palette.js';
import { Viewport, canvasPoint, pixelPoint } from '../../../client/src/render/viewport.js';
import type { CheckCase, CheckResult } from '../protocol.js';
import type { Scene } from './scene.js';

const CSS_W = 640;
const CSS_H = 480;
/** Canvas pixels whose centre lies this close (in frame pixels) to a pixel edge are ambiguous. */
const EDGE = 0.02;

type Rgb = readonly [number, number, number];

function maskFrom(width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inside(x, y)) m[y * width + x] = 1;
  return m;
}

function labelMask(label: number, mask: Uint8Array, width: number, height: number): LabelMask {
  const counts = rle.encode(mask, height, width);
  return { label, rle: counts, area: rle.area(counts) };
}

/** Shapes that probe the edges: a block, an overlapping ellipse, the last row, the last column, a corner pixel. */
function shapes(width: number, height: number, shift: number): LabelMask[] {
  const w = width;
  const h = height;
  return [
    labelMask(
      1,
      maskFrom(w, h, (x, y) => x >= 20 + shift && x < 200 + shift && y >= 30 && y < 200),
      w,
      h,
    ),
    labelMask(
      2,
      maskFrom(w, h, (x, y) => (x - 120 - shift) ** 2 / 1600 + (y - 100) ** 2 / 900 <= 1),
      w,
      h,
    ),
    labelMask(
      3,
      maskFrom(w, h, (x) => x === 250 - shift),
      w,
      h,
    ),
    labelMask(
      4,
      maskFrom(w, h, (_x, y) => y === h - 1),
      w,
      h,
    ),
    labelMask(
      5,
      maskFrom(w, h, (x, y) => x === w - 1 && y === 0),
      w,
      h,
    ),
    labelMask(
      6,
      maskFrom(w, h, (x) => x === w - 1),
      w,
      h,
    ),
  ];
}

/** Three labels scattered pixel by pixel. */
function noise(width: number, height: number, seed: number): LabelMask[] {
  const random = seededRandom(seed);
  const which = Array.from({ length: width * height }, () => Math.floor(random() * 4));
  return [1, 2, 3].map((label) =>
    labelMask(
      label,
      maskFrom(width, height, (x, y) => which[y * width + x] === label),
      width,
      height,
    ),
  );
}

const ENTRIES: PaletteEntry[] = [
  { label: 1, color: '#e6194b', hidden: false },
  { label: 2, color: '#3cb44b', hidden: false },
  { label: 3, color: '#4363d8', hidden: false },
  { label: 4, color: '#f58231', hidden: false },
  { label: 5, color: '#ffffff', hidden: false },
  { label: 6, color: '#42d4f4', hidden: false },
];

async function solidPicture(width: number, height: number, rgb: Rgb): Promise<ImageBitmap> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = `rgb(${rgb.join(',')})`;
  ctx.fillRect(0, 0, width, height);
  return createImageBitmap(canvas);
}

class Checker {
  readonly cases: CheckCase[] = [];
  constructor(readonly renderer: OverlayRenderer) {}

  /**
   * Renders and compares every canvas pixel with the expectation: the palette colour of the
   * label under the pixel centre (premultiplied, over the picture or the black background).
   */
  expectFrame(
    name: string,
    map: LabelMap,
    palette: Uint8Array,
    viewport: Viewport,
    picture: Rgb | null,
    tolerance: number,
  ): void {
    const snap = this.renderer.snapshot();
    const failures: string[] = [];
    let checked = 0;
    let labelled = 0;
    for (let y = 0; y < snap.height; y++) {
      for (let x = 0; x < snap.width; x++) {
        const css = canvasPoint((x + 0.5) / snap.resolution, (y + 0.5) / snap.resolution);
        const px = viewport.canvasToPixel(css);
        const fx = px.x - Math.floor(px.x);
        const fy = px.y - Math.floor(px.y);
        if (fx < EDGE || fx > 1 - EDGE || fy < EDGE || fy > 1 - EDGE) continue;
        let expected: [number, number, number, number];
        if (!viewport.isInsideFrame(css)) {
          expected = [0, 0, 0, 255];
        } else {
          const label = labelAt(map, px.x, px.y);
          if (label !== 0) labelled++;
          const o = label * 4;
          const a = palette[o + 3]! / 255;
          const under = picture ?? [0, 0, 0];
          expected = [
            palette[o]! + under[0] * (1 - a),
            palette[o + 1]! + under[1] * (1 - a),
            palette[o + 2]! + under[2] * (1 - a),
            255,
          ];
        }
        checked++;
        const i = (y * snap.width + x) * 4;
        const got = [snap.data[i]!, snap.data[i + 1]!, snap.data[i + 2]!, snap.data[i + 3]!];
        if (got.some((v, c) => Math.abs(v - expected[c]!) > tolerance) && failures.length < 8) {
          failures.push(
            `canvas (${x}, ${y}) = frame (${px.x.toFixed(2)}, ${px.y.toFixed(2)}) label ${labelAt(map, px.x, px.y)}: ` +
              `got [${got.join(', ')}], expected [${expected.map((v) => Math.round(v)).join(', ')}]`,
          );
        }
      }
    }
    if (checked === 0)
      failures.push('every canvas pixel centre fell on a frame pixel edge: the case checks nothing');
    else if (labelled === 0) failures.push('no labelled pixel was on screen: the case checks nothing');
    this.cases.push({ name, checked, failures });
  }

  /** `readPixel` at the centre of one frame pixel (the hook E2E tests use) against its palette colour. */
  expectPixel(
    name: string,
    map: LabelMap,
    palette: Uint8Array,
    viewport: Viewport,
    fx: number,
    fy: number,
  ): void {
    const c = viewport.pixelToCanvas(pixelPoint(fx + 0.5, fy + 0.5));
    const got = this.renderer.readPixel(c.x, c.y);
    const label = labelAt(map, fx, fy);
    const expected = [...palette.subarray(label * 4, label * 4 + 3), 255];
    const failures: string[] = [];
    if (label === 0) failures.push(`frame pixel (${fx}, ${fy}) is background: pick an object pixel`);
    if (got.some((v, i) => Math.abs(v - expected[i]!) > 2)) {
      failures.push(
        `readPixel at frame (${fx}, ${fy}) label ${label}: got [${got.join(', ')}], expected [${expected.join(', ')}]`,
      );
    }
    this.cases.push({ name, checked: 1, failures });
  }
}

function interiorPixel(
  map: LabelMap,
  label: number,
  bx: number,
  by: number,
  bw: number,
  bh: number,
): [number, number] | null {
  const cx = Math.floor(bx + bw / 2);
  const cy = Math.floor(by + bh / 2);
  // Spiral out from the bbox centre: the first pixel with a 3×3 neighbourhood of `label`.
  for (let r = 0; r < Math.max(bw, bh); r++) {
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
        const x = cx + dx;
        const y = cy + dy;
        let all = true;
        for (let j = -1; j <= 1 && all; j++)
          for (let i = -1; i <= 1 && all; i++) all = labelAt(map, x + i, y + j) === label;
        if (all) return [x, y];
      }
    }
  }
  return null;
}

export async function runChecks(scene: Scene): Promise<CheckResult> {
  const div = document.createElement('div');
  div.style.width = `${CSS_W}px`;
  div.style.height = `${CSS_H}px`;
  document.body.appendChild(div);
  const renderer = await OverlayRenderer.create(div);
  const checker = new Checker(renderer);
  try {
    // 1. Odd 321×241 frame, fitted, no picture.
    let w = 321;
    let h = 241;
    renderer.setFrameSize(w, h);
    renderer.setImage(null);
    let map = createLabelMap(w, h);
    const skipped = paintMasks(map, shapes(w, h, 0));
    if (skipped.length > 0) throw new Error('the check shapes did not paint');
    let palette = buildPalette(ENTRIES, { opacity: 0.6 });
    renderer.setPalette(palette);
    renderer.setLabels(map);
    let view = Viewport.fit(w, h, CSS_W, CSS_H);
    renderer.setViewport(view);
    checker.expectFrame('321×241 fitted', map, palette, view, null, 2);
    checker.expectPixel('readPixel: small object over large (321×241)', map, palette, view, 120, 100);
    checker.expectPixel('readPixel: last row (321×241)', map, palette, view, 5, h - 1);

    // 2. Zoomed and panned.
    view = view.zoomAt(canvasPoint(400, 200), 3.7).panBy(-35, 20);
    renderer.setViewport(view);
    checker.expectFrame('321×241 zoomed ×3.7 and panned', map, palette, view, null, 2);

    // 3. Palette-only changes: hide, select, hover, then solo.
    const paletteCase = (opts: PaletteOptions, hidden: number[]): void => {
      palette = buildPalette(
        ENTRIES.map((e) => ({ ...e, hidden: hidden.includes(e.label) })),
        { opacity: 0.6, ...opts },
      );
      renderer.setPalette(palette);
      checker.expectFrame(
        `palette only: ${JSON.stringify({ ...opts, hidden })}`,
        map,
        palette,
        view,
        null,
        2,
      );
    };
    view = Viewport.fit(w, h, CSS_W, CSS_H);
    renderer.setViewport(view);
    paletteCase({ selectedLabel: 2, hoverLabel: 3 }, [1]);
    paletteCase({ soloLabel: 1 }, []);

    // 4. A picture under the overlay.
    const pictureRgb: Rgb = [40, 80, 200];
    palette = buildPalette(ENTRIES, { opacity: 0.6 });
    renderer.setPalette(palette);
    const picture = await solidPicture(w, h, pictureRgb);
    renderer.setImage(picture);
    checker.expectFrame('321×241 over a picture', map, palette, view, pictureRgb, 3);

    // 5. Next frame, same size: texSubImage2D must replace the labels.
    const second = createLabelMap(w, h);
    paintMasks(second, shapes(w, h, 37));
    renderer.setLabels(second);
    checker.expectFrame('321×241 next frame (sub-image upload)', second, palette, view, pictureRgb, 3);
    map = second;
    renderer.setImage(null);

    // 6. Another odd size, pixel noise, magnified.
    w = 97;
    h = 61;
    renderer.setFrameSize(w, h);
    map = createLabelMap(w, h);
    paintMasks(map, noise(w, h, 11));
    renderer.setLabels(map);
    view = Viewport.fit(w, h, CSS_W, CSS_H);
    renderer.setViewport(view);
    checker.expectFrame('97×61 noise, fitted', map, palette, view, null, 2);

    // 7. The bench's 1920×1080 frame, shown at 1:1 around an object.
    w = scene.width;
    h = scene.height;
    renderer.setFrameSize(w, h);
    map = createLabelMap(w, h);
    paintMasks(map, scene.masks[0]!);
    const sceneEntries = scene.colors.map((color, i) => ({ label: i + 1, color, hidden: false }));
    palette = buildPalette(sceneEntries, { opacity: 0.5 });
    renderer.setPalette(palette);
    renderer.setLabels(map);
    const target = scene.masks[0]!.reduce((a, b) => (b.area > a.area ? b : a));
    const [bx, by, bw, bh] = rle.bbox(target.rle, h, w);
    const centre = canvasPoint(CSS_W / 2, CSS_H / 2);
    view = Viewport.fit(w, h, CSS_W, CSS_H);
    const fitted = view;
    const focus = view.pixelToCanvas(pixelPoint(bx + bw / 2, by + bh / 2));
    view = view.panBy(centre.x - focus.x, centre.y - focus.y).zoomAt(centre, 1 / fitted.scale);
    // Whole-pixel offset: at 1:1 a half-pixel offset would put every canvas pixel centre on a frame pixel edge.
    view = view.panBy(Math.round(view.offsetX) - view.offsetX, Math.round(view.offsetY) - view.offsetY);
    renderer.setViewport(view);
    checker.expectFrame('1920×1080 bench frame at 1:1', map, palette, view, null, 2);
    // A pixel of the largest object whose neighbours are all that object too.
    const probe = interiorPixel(map, target.label, bx, by, bw, bh);
    if (probe !== null) checker.expectPixel('readPixel: bench object colour', map, palette, view, ...probe);
    else
      checker.cases.push({
        name: 'readPixel: bench object colour',
        checked: 0,
        failures: ['no probe pixel'],
      });
    renderer.setViewport(fitted);
    checker.expectFrame('1920×1080 bench frame fitted (minified)', map, palette, fitted, null, 2);
    picture.close();
    return {
      ok: checker.cases.every((c) => c.failures.length === 0),
      rendererName: renderer.rendererName,
      cases: checker.cases,
    };
  } finally {
    renderer.destroy();
    div.remove();
  }
}
