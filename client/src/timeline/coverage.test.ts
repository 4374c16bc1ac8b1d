import { seededRandom } from '@maskroom/shared';
import { describe, expect, it } from 'vitest';
import { CoverageIndex, toRuns } from './coverage.js';

/** Runs from a plain set, the slow obvious way. */
function naiveRuns(frames: Set<number>): [number, number][] {
  const runs: [number, number][] = [];
  const max = Math.max(-1, ...frames);
  for (let f = 0; f <= max; f++) {
    if (!frames.has(f)) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[1] === f) last[1] = f + 1;
    else runs.push([f, f + 1]);
  }
  return runs;
}

describe('CoverageIndex', () => {
  it('merges contiguous frames into runs', () => {
    const c = new CoverageIndex();
    for (const f of [5, 3, 4, 9, 0, 10, 11]) c.add('a', f);
    expect(c.runsOf('a')).toEqual([
      [0, 1],
      [3, 6],
      [9, 12],
    ]);
    expect(c.framesOf('a')).toEqual([0, 3, 4, 5, 9, 10, 11]);
    expect(c.count('a')).toBe(7);
    c.remove('a', 4);
    expect(c.runsOf('a')).toEqual([
      [0, 1],
      [3, 4],
      [5, 6],
      [9, 12],
    ]);
  });

  it('reports whether a call changed anything and bumps the version only then', () => {
    const c = new CoverageIndex();
    const v0 = c.version;
    expect(c.add('a', 1)).toBe(true);
    expect(c.add('a', 1)).toBe(false);
    expect(c.remove('a', 2)).toBe(false);
    expect(c.removeObject('b')).toBe(false);
    expect(c.version).toBe(v0 + 1);
    expect(c.remove('a', 1)).toBe(true);
    expect(c.objects()).toEqual([]);
    expect(c.version).toBe(v0 + 2);
  });

  it('caches runs until the object changes, independently per object', () => {
    const c = new CoverageIndex();
    c.add('a', 1);
    c.add('b', 1);
    const a = c.runsOf('a');
    const b = c.runsOf('b');
    expect(c.runsOf('a')).toBe(a);
    c.add('b', 2);
    expect(c.runsOf('a')).toBe(a);
    expect(c.runsOf('b')).not.toBe(b);
    expect(c.runsOf('b')).toEqual([[1, 3]]);
  });

  it('removes an object and everything at once', () => {
    const c = new CoverageIndex();
    for (let f = 0; f < 10; f++) c.add('a', f);
    c.add('b', 3);
    expect(c.removeObject('a')).toBe(true);
    expect(c.count('a')).toBe(0);
    expect(c.runsOf('a')).toEqual([]);
    expect(c.objects()).toEqual(['b']);
    c.clear();
    expect(c.objects()).toEqual([]);
    expect(c.has('b', 3)).toBe(false);
  });

  it('applies a batch of observed mask changes with one notification', () => {
    const c = new CoverageIndex();
    let calls = 0;
    const off = c.subscribe(() => calls++);
    c.apply([
      { frame: 1, objId: 'a', action: 'add' },
      { frame: 2, objId: 'a', action: 'add' },
      { frame: 2, objId: 'a', action: 'update' },
      { frame: 7, objId: 'b', action: 'add' },
      { frame: 1, objId: 'a', action: 'delete' },
    ]);
    expect(calls).toBe(1);
    expect(c.framesOf('a')).toEqual([2]);
    expect(c.framesOf('b')).toEqual([7]);
    c.apply([{ frame: 9, objId: 'z', action: 'delete' }]);
    expect(calls).toBe(1);
    off();
    c.add('a', 3);
    expect(calls).toBe(1);
  });

  it('rejects non-frame indices', () => {
    const c = new CoverageIndex();
    expect(() => c.add('a', -1)).toThrow(RangeError);
    expect(() => c.add('a', 1.5)).toThrow(RangeError);
  });

  it('agrees with a naive set model over a seeded random sequence', () => {
    for (const seed of [1, 7, 42]) {
      const rnd = seededRandom(seed);
      const c = new CoverageIndex();
      const model = new Map<string, Set<number>>();
      const ids = ['a', 'b', 'c'];
      for (let i = 0; i < 3000; i++) {
        const id = ids[Math.floor(rnd() * ids.length)] as string;
        const frame = Math.floor(rnd() * 60);
        const r = rnd();
        const set = model.get(id) ?? new Set<number>();
        model.set(id, set);
        if (r < 0.55) {
          expect(c.add(id, frame)).toBe(!set.has(frame));
          set.add(frame);
        } else if (r < 0.99) {
          expect(c.remove(id, frame)).toBe(set.has(frame));
          set.delete(frame);
        } else {
          expect(c.removeObject(id)).toBe(set.size > 0);
          set.clear();
        }
        // Interleave reads so the caches are exercised between writes.
        if (i % 7 === 0) {
          for (const k of ids) {
            const s = model.get(k) ?? new Set<number>();
            expect(c.count(k)).toBe(s.size);
            expect(c.runsOf(k)).toEqual(naiveRuns(s));
            expect(c.framesOf(k)).toEqual([...s].sort((x, y) => x - y));
          }
        }
      }
    }
  });
});

describe('toRuns', () => {
  it('handles empty, single and fully contiguous input', () => {
    expect(toRuns([])).toEqual([]);
    expect(toRuns([4])).toEqual([[4, 5]]);
    expect(toRuns([0, 1, 2, 3])).toEqual([[0, 4]]);
  });
});
