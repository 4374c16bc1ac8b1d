import { describe, expect, it } from 'vitest';
import {
  clampFrame,
  formatTime,
  frameFromPosition,
  percentOfFrame,
  positionOfFrame,
  tickSteps,
  ticks,
} from './scale.js';

describe('frame ↔ position', () => {
  it('round-trips every frame for several widths', () => {
    for (const [width, n] of [
      [800, 900],
      [1234.5, 300],
      [90, 900],
      [1000, 1],
      [3, 7],
    ] as const) {
      for (let f = 0; f < n; f++) expect(frameFromPosition(positionOfFrame(f, width, n), width, n)).toBe(f);
    }
  });

  it('gives each frame an equal cell and clamps outside the track', () => {
    expect(frameFromPosition(0, 100, 10)).toBe(0);
    expect(frameFromPosition(9.99, 100, 10)).toBe(0);
    expect(frameFromPosition(10, 100, 10)).toBe(1);
    expect(frameFromPosition(100, 100, 10)).toBe(9);
    expect(frameFromPosition(-50, 100, 10)).toBe(0);
    expect(frameFromPosition(500, 100, 10)).toBe(9);
    expect(positionOfFrame(0, 100, 10)).toBe(5);
    expect(positionOfFrame(99, 100, 10)).toBe(95);
    expect(percentOfFrame(4, 10)).toBe(45);
  });

  it('degenerates safely', () => {
    expect(frameFromPosition(50, 0, 10)).toBe(0);
    expect(frameFromPosition(Number.NaN, 100, 10)).toBe(0);
    expect(frameFromPosition(50, 100, 0)).toBe(0);
    expect(positionOfFrame(3, 100, 0)).toBe(0);
    expect(clampFrame(12.4, 10)).toBe(9);
    expect(clampFrame(-3, 10)).toBe(0);
    expect(clampFrame(2.6, 10)).toBe(3);
  });
});

describe('ticks', () => {
  it('spaces labelled ticks at least the minimum apart, with the smallest nice step', () => {
    for (const [width, n] of [
      [800, 900],
      [1600, 900],
      [300, 60],
      [2000, 30],
    ] as const) {
      const { major, minor } = tickSteps(width, n);
      const perFrame = width / n;
      expect(major * perFrame).toBeGreaterThanOrEqual(72);
      if (major > 1) {
        const smaller = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].filter((s) => s < major);
        for (const s of smaller) expect(s * perFrame).toBeLessThan(72);
      }
      if (minor > 0) {
        expect(major % minor).toBe(0);
        expect(minor * perFrame).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it('lists multiples of the step inside the video', () => {
    expect(ticks(25, 100)).toEqual([0, 25, 50, 75]);
    expect(ticks(0, 100)).toEqual([]);
  });
});

describe('formatTime', () => {
  it('formats seconds and minutes', () => {
    expect(formatTime(0)).toBe('0.00 s');
    expect(formatTime(12.345)).toBe('12.35 s');
    expect(formatTime(59.999)).toBe('1:00.00');
    expect(formatTime(75.5)).toBe('1:15.50');
    expect(formatTime(-1)).toBe('–');
  });
});
