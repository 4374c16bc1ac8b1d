/**
 * The export bench's session: `objects` ellipses moving over `frames` frames, each mask encoded
 * once with the shared codec ("masks already synced"). The same JSON feeds the Web Worker and
 * the Python reference.
 */
import { rle, seededRandom } from '@maskroom/shared';

export interface Dataset {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly objects: readonly {
    readonly id: string;
    readonly className: string;
    readonly instanceName: string;
  }[];
  /** `masks[frame][object]`: counts string, or null when the object is off-frame. */
  readonly masks: readonly (readonly (string | null)[])[];
}

const CLASSES = ['person', 'car', 'bicycle', 'dog'];

export function makeDataset(
  width: number,
  height: number,
  frames: number,
  objects: number,
  seed = 11,
): Dataset {
  const random = seededRandom(seed);
  const specs = Array.from({ length: objects }, () => ({
    cx: random() * width,
    cy: random() * height,
    vx: (random() - 0.5) * 6,
    vy: (random() - 0.5) * 4,
    a: 30 + random() * 110,
    b: 20 + random() * 80,
    spin: (random() - 0.5) * 0.04,
    t0: random() * Math.PI,
  }));
  const mask = new Uint8Array(width * height);
  const masks: (string | null)[][] = [];
  for (let f = 0; f < frames; f++) {
    const row: (string | null)[] = [];
    for (const s of specs) {
      // Bounce inside the frame so that every object keeps a mask.
      const px = bounce(s.cx + s.vx * f, width);
      const py = bounce(s.cy + s.vy * f, height);
      const t = s.t0 + s.spin * f;
      const r = Math.ceil(Math.max(s.a, s.b));
      const x0 = Math.max(0, Math.floor(px - r));
      const x1 = Math.min(width - 1, Math.ceil(px + r));
      const y0 = Math.max(0, Math.floor(py - r));
      const y1 = Math.min(height - 1, Math.ceil(py + r));
      const cos = Math.cos(t);
      const sin = Math.sin(t);
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const dx = x - px;
          const dy = y - py;
          const u = (dx * cos + dy * sin) / s.a;
          const v = (-dx * sin + dy * cos) / s.b;
          mask[y * width + x] = u * u + v * v <= 1 ? 1 : 0;
        }
      }
      row.push(rle.encode(mask, height, width));
      for (let y = y0; y <= y1; y++) mask.fill(0, y * width + x0, y * width + x1 + 1);
    }
    masks.push(row);
  }
  return {
    width,
    height,
    frames,
    objects: specs.map((_, k) => ({
      id: `obj${String(k + 1).padStart(2, '0')}`,
      className: CLASSES[k % CLASSES.length]!,
      instanceName: `${CLASSES[k % CLASSES.length]!} ${Math.floor(k / CLASSES.length) + 1}`,
    })),
    masks,
  };
}

function bounce(v: number, size: number): number {
  const period = 2 * size;
  const m = ((v % period) + period) % period;
  return m < size ? m : period - m;
}
