/**
 * DAVIS-style indexed PNGs → objects and masks: one PNG per frame (`<frame>.png`), pixel value =
 * object index (0 = background), colors in the PNG palette. Object `i` is keyed `"i"`, named
 * `object i` and colored by palette entry `i`.
 */
import { decode } from 'fast-png';
import { Collector } from './collect.js';
import { frameOfFileName } from './coco.js';
import { ImportError } from './ImportError.js';
import { canonicalString, labelRuns } from './runs.js';
import type { ImportResult, ImportSize } from './types.js';

const hex = (v: number): string => v.toString(16).padStart(2, '0');

/** Index values of an indexed PNG, one byte per pixel whatever the bit depth. */
function indices(data: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  if (depth === 8) return data instanceof Uint8Array ? data : Uint8Array.from(data);
  // Bit depths 1, 2 and 4 keep rows packed, each row starting on a byte.
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = data[y * rowBytes + Math.floor(x / perByte)]!;
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}

/**
 * Reads DAVIS palette PNGs keyed by path; every `*.png` whose name is a frame number counts
 * (`davis/000012.png`, `00012.png`). Throws `ImportError` for a PNG that does not decode, is not
 * indexed (no palette), has the wrong size or a frame outside the session.
 */
export function importDavis(files: ReadonlyMap<string, Uint8Array>, size: ImportSize): ImportResult {
  const frames: { path: string; frame: number }[] = [];
  for (const path of files.keys()) {
    if (!path.toLowerCase().endsWith('.png')) continue;
    const frame = frameOfFileName(path);
    if (frame === undefined) continue;
    if (frame >= size.numFrames) {
      throw new ImportError(path, `frame ${frame} is outside the session (frames 0-${size.numFrames - 1})`);
    }
    frames.push({ path, frame });
  }
  if (frames.length === 0) throw new ImportError('', 'no frame PNGs (named like 000012.png) found');
  frames.sort((a, b) => a.frame - b.frame);
  const out = new Collector(size);
  const seen = new Map<number, string>();
  for (const { path, frame } of frames) {
    const other = seen.get(frame);
    if (other !== undefined) throw new ImportError(path, `frame ${frame} is also ${other}`);
    seen.set(frame, path);
    let png: ReturnType<typeof decode>;
    try {
      png = decode(files.get(path)!);
    } catch (error) {
      throw new ImportError(
        path,
        `not a readable PNG (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (png.palette === undefined || png.channels !== 1) {
      throw new ImportError(
        path,
        'not an indexed (palette) PNG: DAVIS masks store object numbers as palette indices',
      );
    }
    if (png.width !== size.width || png.height !== size.height) {
      throw new ImportError(
        path,
        `${png.width}×${png.height} does not match the session's frame size ${size.width}×${size.height}`,
      );
    }
    const labels = indices(png.data, png.width, png.height, png.depth);
    const palette = png.palette;
    for (const [index, runs] of labelRuns(labels, size.height, size.width)) {
      const key = String(index);
      if (!out.hasObject(key)) {
        const rgb = palette[index];
        out.addObject({
          key,
          className: '',
          instanceName: `object ${index}`,
          ...(rgb !== undefined ? { color: `#${hex(rgb[0]!)}${hex(rgb[1]!)}${hex(rgb[2]!)}` } : {}),
        });
      }
      const { counts, area } = canonicalString(runs);
      out.addMask(key, frame, counts, area);
    }
  }
  return out.result((a, b) => Number(a.key) - Number(b.key));
}
