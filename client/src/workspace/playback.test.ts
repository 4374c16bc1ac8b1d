import { describe, expect, it } from 'vitest';
import { classSuggestions, clampFrame, playbackFrame } from './playback.js';

describe('playback', () => {
  it('advances at the processing rate and stops after the last frame', () => {
    expect(playbackFrame(10, 0, 10, 30)).toBe(10);
    expect(playbackFrame(10, 99, 10, 30)).toBe(10);
    expect(playbackFrame(10, 100, 10, 30)).toBe(11);
    expect(playbackFrame(10, 1950, 10, 30)).toBe(29);
    expect(playbackFrame(10, 2000, 10, 30)).toBeNull();
  });

  it('clamps a jump to the video', () => {
    expect(clampFrame(-10, 30)).toBe(0);
    expect(clampFrame(35, 30)).toBe(29);
    expect(clampFrame(12.4, 30)).toBe(12);
  });
});

describe('classSuggestions', () => {
  it('lists each class once, most used first, ignoring blanks', () => {
    const objs = ['car', 'person', ' car', '', 'bike', 'person', 'car'].map((className) => ({ className }));
    expect(classSuggestions(objs)).toEqual(['car', 'person', 'bike']);
  });
});
