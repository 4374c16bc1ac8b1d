/**
 * The synthetic session the render bench draws: `objects` wobbly ellipses of varied sizes that
 * move and turn from frame to frame, encoded with the real RLE codec before any timing (the state
 * of a client whose masks are already synced), plus one picture per frame.
 */
import { paletteColor, rle, seededRandom } from '@maskroom/shared';
import type { LabelMask } from '../../../client/src/render/labelMap.js';
import type { ScenePlan } from '../protocol.js';

export interface SceneMask extends LabelMask {
  readonly objectIndex: number;
}

export interface Scene {
  readonly width: number;
  readonly height: number;
  /** `masks[frame]`: one mask per object, labels 1..objects. */
  readonly masks: readonly (readonly SceneMask[])[];
  readonly pictures: readonly ImageBitmap[];
  /** `#rrggbb` of label `i` at index `i - 1`. */
  readonly colors: readonly string[];
  readonly coverage: number;
  readonly meanRleChars: number;
}

interface Blob2D {
  x: number;
  y: number;
  vx: number;
  vy: number;
  rx: number;
  ry: number;
  angle: number;
  spin: number;
  wobble: number;
}

/** Writes the blob's pixels (1) into the row-major `mask`, which must be all zeros. */
function rasterize(b: Blob2D, mask: Uint8Array, width: number, height: number): void {
  const reach = Math.max(b.rx, b.ry) * (1 + Math.abs(b.wobble));
  const x0 = Math.max(0, Math.floor(b.x - reach));
  const x1 = Math.min(width - 1, Math.ceil(b.x + reach));
  const y0 = Math.max(0, Math.floor(b.y - reach));
  const y1 = Math.min(height - 1, Math.ceil(b.y + reach));
  const cos = Math.cos(b.angle);
  const sin = Math.sin(b.angle);
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - b.y;
    const row = y * width;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - b.x;
      const u = (dx * cos + dy * sin) / b.rx;
      const v = (dy * cos - dx * sin) / b.ry;
      const rho2 = u * u + v * v;
      if (rho2 === 0) {
        mask[row + x] = 1;
        continue;
      }
      // A three-lobed wobble: cos 3θ = 4c³ - 3c with c = cos θ, no trigonometry per pixel.
      const c = u / Math.sqrt(rho2);
      const r = 1 + b.wobble * (4 * c * c * c - 3 * c);
      if (rho2 <= r * r) mask[row + x] = 1;
    }
  }
}

function makeBlobs(plan: ScenePlan): Blob2D[] {
  const random = seededRandom(plan.seed);
  const { width: w, height: h } = plan;
  return Array.from({ length: plan.objects }, (_, i) => {
    // Sizes from a few dozen pixels to a third of the frame height, spread evenly.
    const size = 24 + (i / Math.max(1, plan.objects - 1)) ** 1.5 * (h / 3);
    return {
      x: w * (0.1 + 0.8 * random()),
      y: h * (0.1 + 0.8 * random()),
      vx: (random() - 0.5) * 40,
      vy: (random() - 0.5) * 30,
      rx: size * (0.7 + 0.6 * random()),
      ry: size * (0.7 + 0.6 * random()),
      angle: random() * Math.PI,
      spin: (random() - 0.5) * 0.2,
      wobble: 0.05 + 0.15 * random(),
    };
  });
}

function step(b: Blob2D, width: number, height: number): void {
  b.x += b.vx;
  b.y += b.vy;
  if (b.x < 0 || b.x > width) b.vx = -b.vx;
  if (b.y < 0 || b.y > height) b.vy = -b.vy;
  b.angle += b.spin;
}

async function picture(width: number, height: number, frame: number, frames: number): Promise<ImageBitmap> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  const g = ctx.createLinearGradient(0, 0, width, height);
  const hue = (frame / frames) * 360;
  g.addColorStop(0, `hsl(${hue}, 40%, 30%)`);
  g.addColorStop(1, `hsl(${(hue + 90) % 360}, 40%, 60%)`);
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = 'rgba(255,255,255,0.6)';
  ctx.font = `${Math.round(height / 6)}px sans-serif`;
  ctx.fillText(`frame ${frame}`, width * 0.05, height * 0.9);
  // Through a JPEG, as frames reach the app (FrameCache: fetch → createImageBitmap(blob)).
  const jpeg = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  return createImageBitmap(jpeg);
}

export async function buildScene(plan: ScenePlan): Promise<Scene> {
  const { width, height } = plan;
  const blobs = makeBlobs(plan);
  const colors = blobs.map((_, i) => paletteColor(i));
  const mask = new Uint8Array(width * height);
  const union = new Uint8Array(width * height);
  const masks: SceneMask[][] = [];
  let covered = 0;
  let chars = 0;
  for (let f = 0; f < plan.frames; f++) {
    union.fill(0);
    const frameMasks: SceneMask[] = [];
    blobs.forEach((b, i) => {
      mask.fill(0);
      rasterize(b, mask, width, height);
      const counts = rle.encode(mask, height, width);
      chars += counts.length;
      frameMasks.push({ label: i + 1, rle: counts, area: rle.area(counts), objectIndex: i });
      for (let p = 0; p < mask.length; p++) if (mask[p] === 1) union[p] = 1;
      step(b, width, height);
    });
    for (let p = 0; p < union.length; p++) covered += union[p]!;
    masks.push(frameMasks);
  }
  const pictures = await Promise.all(
    Array.from({ length: plan.frames }, (_, f) => picture(width, height, f, plan.frames)),
  );
  return {
    width,
    height,
    masks,
    pictures,
    colors,
    coverage: covered / (plan.frames * width * height),
    meanRleChars: chars / (plan.frames * plan.objects),
  };
}
