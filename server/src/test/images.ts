/** Reading JPEG frames back in tests: their size from the header, their pixels through ffmpeg. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Width and height from a JPEG's SOF header (baseline or progressive). */
export async function jpegSize(file: string): Promise<{ width: number; height: number }> {
  const buf = await readFile(file);
  if (buf[0] !== 0xff || buf[1] !== 0xd8) throw new Error(`${file} is not a JPEG`);
  let at = 2;
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) throw new Error(`${file}: bad JPEG marker at ${at}`);
    const marker = buf[at + 1] ?? 0;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = buf.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: buf.readUInt16BE(at + 5), width: buf.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  throw new Error(`${file}: no SOF marker`);
}

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** rgb24, row-major. */
  readonly data: Buffer;
}

/** Decodes an image to rgb24 with ffmpeg. */
export async function readRgb(file: string): Promise<RgbImage> {
  const { width, height } = await jpegSize(file);
  const { stdout } = await run(
    process.env.FFMPEG_PATH ?? 'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-i',
      file,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  if (stdout.length !== width * height * 3) {
    throw new Error(`${file}: decoded ${stdout.length} bytes, expected ${width}×${height}×3`);
  }
  return { width, height, data: stdout };
}

/** Mean colour of a rectangle given as fractions of the image (x, y, w, h in [0, 1]). */
export function meanColor(
  img: RgbImage,
  fx: number,
  fy: number,
  fw: number,
  fh: number,
): [number, number, number] {
  const x0 = Math.floor(fx * img.width);
  const y0 = Math.floor(fy * img.height);
  const x1 = Math.max(x0 + 1, Math.floor((fx + fw) * img.width));
  const y1 = Math.max(y0 + 1, Math.floor((fy + fh) * img.height));
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 3;
      r += img.data[i] ?? 0;
      g += img.data[i + 1] ?? 0;
      b += img.data[i + 2] ?? 0;
    }
  }
  const n = (x1 - x0) * (y1 - y0);
  return [r / n, g / n, b / n];
}

/** Names a clearly saturated colour; anything else is `other` (grey texture, mixtures). */
export function colorName([r, g, b]: readonly [number, number, number]): 'red' | 'blue' | 'yellow' | 'other' {
  if (r > 170 && g < 90 && b < 90) return 'red';
  if (b > 170 && r < 90 && g < 90) return 'blue';
  if (r > 170 && g > 170 && b < 90) return 'yellow';
  return 'other';
}

/** The colour names of the four corner regions (each an eighth of the width and height). */
export function cornerColors(img: RgbImage): { tl: string; tr: string; bl: string; br: string } {
  const c = (fx: number, fy: number): string => colorName(meanColor(img, fx, fy, 1 / 8, 1 / 8));
  return {
    tl: c(0.02, 0.02),
    tr: c(1 - 1 / 8 - 0.02, 0.02),
    bl: c(0.02, 1 - 1 / 8 - 0.02),
    br: c(1 - 1 / 8 - 0.02, 1 - 1 / 8 - 0.02),
  };
}
