/** Random masks and label maps for the import tests. */
import type { Random } from '../random.js';

/** A row-major 0/1 mask of a few random rectangles (possibly empty when `count` is 0). */
export function randomMask(rand: Random, height: number, width: number, count = 3): Uint8Array {
  const mask = new Uint8Array(height * width);
  for (let r = 0; r < count; r++) {
    const x0 = Math.floor(rand() * width);
    const y0 = Math.floor(rand() * height);
    const x1 = Math.min(width, x0 + 1 + Math.floor(rand() * width * 0.5));
    const y1 = Math.min(height, y0 + 1 + Math.floor(rand() * height * 0.5));
    for (let y = y0; y < y1; y++) mask.fill(1, y * width + x0, y * width + x1);
  }
  return mask;
}

/** A row-major label map with labels 0..maxLabel painted as random rectangles. */
export function randomLabels(rand: Random, height: number, width: number, maxLabel: number): Uint8Array {
  const labels = new Uint8Array(height * width);
  for (let label = 1; label <= maxLabel; label++) {
    const mask = randomMask(rand, height, width, 2);
    for (let i = 0; i < mask.length; i++) if (mask[i]) labels[i] = label;
  }
  return labels;
}
