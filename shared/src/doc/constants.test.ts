import { describe, expect, it } from 'vitest';
import {
  CHUNK_SIZE,
  MainDocVersions,
  SCHEMA_VERSION,
  chunkCount,
  chunkFrameRange,
  chunkIndexOf,
} from './constants.js';

describe('constants', () => {
  it('has the contract values', () => {
    expect(SCHEMA_VERSION).toBe(1);
    expect(SCHEMA_VERSION).toBe(Math.max(...Object.values(MainDocVersions)));
    expect(CHUNK_SIZE).toBe(64);
  });
});

describe('chunkIndexOf', () => {
  it('maps frames to chunks at the boundaries', () => {
    expect(chunkIndexOf(0)).toBe(0);
    expect(chunkIndexOf(63)).toBe(0);
    expect(chunkIndexOf(64)).toBe(1);
    expect(chunkIndexOf(127)).toBe(1);
    expect(chunkIndexOf(128)).toBe(2);
    expect(chunkIndexOf(899)).toBe(14);
    expect(chunkIndexOf(10, 10)).toBe(1);
    expect(chunkIndexOf(9, 10)).toBe(0);
    expect(chunkIndexOf(5, 1)).toBe(5);
  });

  it('rejects non-frames and bad chunk sizes', () => {
    for (const f of [-1, 1.5, Number.NaN, Infinity]) expect(() => chunkIndexOf(f)).toThrow(RangeError);
    for (const s of [0, -64, 2.5, Number.NaN]) expect(() => chunkIndexOf(1, s)).toThrow(RangeError);
  });

  it('agrees with chunkFrameRange for every frame of a long video', () => {
    for (const size of [1, 7, 64]) {
      for (let f = 0; f < 1000; f++) {
        const { start, end } = chunkFrameRange(chunkIndexOf(f, size), size);
        expect(start <= f && f < end).toBe(true);
      }
    }
  });
});

describe('chunkFrameRange', () => {
  it('gives [k*size, (k+1)*size)', () => {
    expect(chunkFrameRange(0)).toEqual({ start: 0, end: 64 });
    expect(chunkFrameRange(3)).toEqual({ start: 192, end: 256 });
    expect(chunkFrameRange(2, 10)).toEqual({ start: 20, end: 30 });
  });

  it('rejects bad chunk indexes', () => {
    for (const k of [-1, 0.5, Number.NaN, Number.MAX_SAFE_INTEGER]) {
      expect(() => chunkFrameRange(k)).toThrow(RangeError);
    }
  });
});

describe('chunkCount', () => {
  it('rounds up', () => {
    expect(chunkCount(0)).toBe(0);
    expect(chunkCount(1)).toBe(1);
    expect(chunkCount(64)).toBe(1);
    expect(chunkCount(65)).toBe(2);
    expect(chunkCount(900)).toBe(15);
    expect(() => chunkCount(-1)).toThrow(RangeError);
  });
});
