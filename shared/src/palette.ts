/**
 * The default colors of objects and participants: distinct, saturated hues that read well over
 * video and stay apart from each other in order (object 1, 2, 3 … get clearly different colors).
 */
export const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
  '#dcbeff',
  '#9a6324',
  '#fffac8',
  '#800000',
  '#aaffc3',
  '#808000',
] as const;

/** The `index`-th palette color, cycling. */
export function paletteColor(index: number): string {
  const n = PALETTE.length;
  return PALETTE[((Math.trunc(index) % n) + n) % n]!;
}
