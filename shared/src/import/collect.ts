/**
 * Gathers objects and masks while a file is read: one mask per object and frame (duplicates are
 * merged), empty masks dropped, warnings counted rather than repeated per annotation.
 */
import { merge } from '../rle/geometry.js';
import { canonicalCounts } from './runs.js';
import type { RleString } from '../rle/types.js';
import type { ImportResult, ImportSize, ImportedMask, ImportedObject } from './types.js';

interface Pending {
  counts: RleString;
  score: number | undefined;
}

export class Collector {
  readonly #objects = new Map<string, ImportedObject>();
  readonly #masks = new Map<string, Map<number, Pending>>();
  readonly #warnings: string[] = [];
  #empty = 0;
  #merged = 0;

  constructor(private readonly size: ImportSize) {}

  hasObject(key: string): boolean {
    return this.#objects.has(key);
  }

  getObject(key: string): ImportedObject | undefined {
    return this.#objects.get(key);
  }

  addObject(object: ImportedObject): void {
    if (!this.#objects.has(object.key)) this.#objects.set(object.key, object);
  }

  warn(message: string): void {
    this.#warnings.push(message);
  }

  /** Records a canonical mask; `area` 0 counts as empty and is skipped. */
  addMask(objectKey: string, frame: number, counts: RleString, area: number, score?: number): void {
    if (area === 0) {
      this.#empty++;
      return;
    }
    let frames = this.#masks.get(objectKey);
    if (frames === undefined) {
      frames = new Map();
      this.#masks.set(objectKey, frames);
    }
    const before = frames.get(frame);
    if (before === undefined) {
      frames.set(frame, { counts, score });
      return;
    }
    this.#merged++;
    const { height, width } = this.size;
    before.counts = canonicalCounts(merge([before.counts, counts], height, width), height * width).counts;
    if (score !== undefined) before.score = Math.max(before.score ?? score, score);
  }

  /**
   * The result: objects without any mask are left out (nothing to show), objects in `order`
   * (default: as added), masks by frame then object.
   */
  result(order?: (a: ImportedObject, b: ImportedObject) => number): ImportResult {
    const objects = [...this.#objects.values()].filter((o) => this.#masks.has(o.key));
    if (order) objects.sort(order);
    const rank = new Map(objects.map((o, i) => [o.key, i]));
    const masks: ImportedMask[] = [];
    for (const o of objects) {
      for (const [frame, m] of this.#masks.get(o.key)!) {
        masks.push({
          objectKey: o.key,
          frame,
          rle: m.counts,
          ...(m.score !== undefined ? { score: m.score } : {}),
        });
      }
    }
    masks.sort((a, b) => a.frame - b.frame || rank.get(a.objectKey)! - rank.get(b.objectKey)!);
    const warnings = [...this.#warnings];
    if (this.#empty > 0) warnings.push(`${this.#empty} empty mask(s) skipped`);
    if (this.#merged > 0)
      warnings.push(`${this.#merged} mask(s) of an object already on that frame merged into it`);
    const dropped = this.#objects.size - objects.length;
    if (dropped > 0) warnings.push(`${dropped} object(s) without any mask skipped`);
    return { objects, masks, warnings };
  }
}
