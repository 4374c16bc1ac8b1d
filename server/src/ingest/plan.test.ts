import { describe, expect, it } from 'vitest';
import { planExtraction } from './plan.js';

describe('planExtraction', () => {
  it('processes a 60 s 30 fps clip at 15 fps: 900 frames (DESIGN default)', () => {
    expect(planExtraction({ sourceFps: 30, durationSec: 60 }, { maxFrames: 900 })).toEqual({
      processingFps: 15,
      expectedFrames: 900,
      maxFrames: 900,
    });
  });

  it('keeps the source rate when the clip fits', () => {
    expect(planExtraction({ sourceFps: 30, durationSec: 2 }, { maxFrames: 900 })).toEqual({
      processingFps: 30,
      expectedFrames: 60,
      maxFrames: 900,
    });
    expect(
      planExtraction({ sourceFps: 30000 / 1001, durationSec: 30 }, { maxFrames: 900 }).processingFps,
    ).toBe(30000 / 1001);
    // Exactly at the cap: still the source rate.
    expect(planExtraction({ sourceFps: 30, durationSec: 30 }, { maxFrames: 900 })).toMatchObject({
      processingFps: 30,
      expectedFrames: 900,
    });
  });

  it('rounds a capped rate down to a thousandth so the plan never exceeds maxFrames', () => {
    const plan = planExtraction({ sourceFps: 30, durationSec: 37 }, { maxFrames: 900 });
    expect(plan.processingFps).toBe(24.324); // 900 / 37 = 24.3243…
    expect(plan.expectedFrames).toBe(900);
  });

  it('never plans more than maxFrames nor fewer than one frame', () => {
    for (const sourceFps of [1, 10, 23.976, 25, 29.97, 30, 59.94, 60, 120, 240]) {
      for (const durationSec of [0.01, 0.5, 1, 7.3, 33.3, 59.99, 60, 60.5, 600]) {
        for (const maxFrames of [1, 10, 300, 900, 901]) {
          const plan = planExtraction({ sourceFps, durationSec }, { maxFrames });
          expect(plan.expectedFrames).toBeLessThanOrEqual(maxFrames);
          expect(plan.expectedFrames).toBeGreaterThanOrEqual(1);
          expect(plan.processingFps).toBeGreaterThan(0);
          expect(plan.processingFps).toBeLessThanOrEqual(sourceFps);
          expect(durationSec * plan.processingFps).toBeLessThanOrEqual(maxFrames + 1e-9);
        }
      }
    }
  });

  it('rejects nonsense input', () => {
    expect(() => planExtraction({ sourceFps: 30, durationSec: 2 }, { maxFrames: 0 })).toThrow(RangeError);
    expect(() => planExtraction({ sourceFps: 0, durationSec: 2 }, { maxFrames: 900 })).toThrow(RangeError);
    expect(() => planExtraction({ sourceFps: 30, durationSec: Number.NaN }, { maxFrames: 900 })).toThrow(
      RangeError,
    );
  });
});
