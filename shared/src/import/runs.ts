/**
 * Raw run lists (column-major, 0-run first) as the importers build them, brought to the one
 * canonical form `rle.encode` writes: no empty run except a leading empty 0-run. Files written by
 * other tools may carry empty runs that decode to the same mask; storing the canonical string
 * keeps export → import → export identical.
 */
import { parseRuns, runsToString } from '../rle/counts.js';
import type { RleString } from '../rle/types.js';

/** Canonical counts string of `runs` (which must add up to the frame size). */
export function canonicalString(runs: ArrayLike<number>): { counts: RleString; area: number } {
  const out: number[] = [];
  let area = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    const inside = i % 2 === 1;
    if (inside) area += run;
    if (run === 0 && i > 0) continue;
    // Runs alternate: a run of the same kind as the last kept one extends it.
    if (out.length > 0 && (out.length % 2 === 1) !== inside) out[out.length - 1] = out[out.length - 1]! + run;
    else out.push(run);
  }
  return { counts: runsToString(out, out.length), area };
}

/** Parses (and checks against the frame size) then canonicalizes a counts string. */
export function canonicalCounts(counts: string, total: number): { counts: RleString; area: number } {
  return canonicalString(parseRuns(counts, total));
}

/**
 * Splits a row-major label map (`labels[y * width + x]`, 0 = background) into one run list per
 * non-zero label, in a single column-major pass.
 */
export function labelRuns(labels: ArrayLike<number>, height: number, width: number): Map<number, number[]> {
  const runs = new Map<number, number[]>();
  // Per label: where its last 1-run ended (the next 0-run starts there).
  const lastEnd = new Map<number, number>();
  let current = 0;
  let start = 0;
  const close = (label: number, end: number): void => {
    let list = runs.get(label);
    if (list === undefined) {
      list = [];
      runs.set(label, list);
    }
    list.push(start - (lastEnd.get(label) ?? 0), end - start);
    lastEnd.set(label, end);
  };
  let p = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0, i = x; y < height; y++, i += width, p++) {
      const label = labels[i]!;
      if (label === current) continue;
      if (current !== 0) close(current, p);
      current = label;
      start = p;
    }
  }
  if (current !== 0) close(current, p);
  for (const [label, list] of runs) {
    const end = lastEnd.get(label)!;
    if (end < p) list.push(p - end);
  }
  return runs;
}
