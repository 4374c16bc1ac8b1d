/** File and folder names inside an export. */

/** `<frame>` in every path: the frame index zero-padded to 6 digits (`000012`). */
export const frameName = (frame: number): string => String(frame).padStart(6, '0');

/**
 * A name safe in any file system and ZIP tool: ASCII letters, digits, `.`, `_`, `-`; everything
 * else becomes `_`; at most 60 characters; never empty, never only dots.
 */
export function safeName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[_.]+|_+$/g, '')
    .slice(0, 60);
  return cleaned.length === 0 ? 'object' : cleaned;
}

/** The PNG folder of an instance: `<number>_<safe name>`, the number zero-padded to 3 digits. */
export const pngFolder = (number: number, name: string): string =>
  `${String(number).padStart(3, '0')}_${safeName(name)}`;
