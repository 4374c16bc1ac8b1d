/**
 * A small seeded PRNG (mulberry32) for reproducible synthetic data: test fixtures, fuzz tests
 * (a failing seed replays exactly) and benchmark inputs. Not for anything secret.
 */
export type Random = () => number;

/** Uniform floats in [0, 1), the same sequence for the same seed on every platform. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
