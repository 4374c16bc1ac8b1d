import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatTransfer, ingestView, percent, storageView } from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [10 * 1024 + 300, '10 KB'],
    [5 * 1024 ** 2, '5 MB'],
    [12.34 * 1024 ** 3, '12 GB'],
    [2.25 * 1024 ** 4, '2.3 TB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('never prints 1024 of a unit', () => {
    expect(formatBytes(1024 ** 2 - 1)).toBe('1 MB');
    expect(formatBytes(1024 * 1023.8)).toBe('1 MB');
  });

  it('shows a dash for what is not a size', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [3, '0:03'],
    [2.5, '0:02.5'],
    [65, '1:05'],
    [65.4, '1:05'],
    [59.96, '1:00'],
    [3723, '1:02:03'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('percent', () => {
  it('is the whole percent done, rounded down so that 100 means finished', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(2, 3)).toBe(66);
    expect(percent(995, 1000)).toBe(99);
    expect(percent(30, 30)).toBe(100);
  });

  it('clamps out-of-range counts', () => {
    expect(percent(40, 30)).toBe(100);
    expect(percent(-5, 30)).toBe(0);
  });

  it('is null when the total is unknown', () => {
    expect(percent(5, null)).toBeNull();
    expect(percent(5, 0)).toBeNull();
    expect(percent(5, undefined)).toBeNull();
  });
});

describe('ingestView', () => {
  const ingest = (
    phase: 'uploading' | 'probing' | 'extracting' | 'finalizing',
    done = 0,
    total: number | null = null,
  ) => ({
    ingest: { phase, bytesReceived: 2048, framesDone: done, framesTotal: total },
  });

  it('counts extracted frames once the total is known', () => {
    expect(ingestView(ingest('extracting', 12, 30))).toEqual({
      phase: 'extracting',
      label: 'Extracting frames',
      percent: 40,
      detail: '12 / 30 frames',
    });
  });

  it('is indeterminate while the frame count is unknown', () => {
    const view = ingestView(ingest('probing'));
    expect(view.percent).toBeNull();
    expect(view.detail).toBeNull();
  });

  it('shows the bytes the server received while the file is still arriving', () => {
    expect(ingestView(ingest('uploading')).detail).toBe('2 KB');
  });

  it('is full once the frames are out', () => {
    expect(ingestView(ingest('finalizing', 30, 30)).percent).toBe(100);
  });
});

describe('formatTransfer', () => {
  it('shows sent over total, or only sent when the total is unknown', () => {
    expect(formatTransfer(512, 2048)).toBe('512 B / 2 KB');
    expect(formatTransfer(512, null)).toBe('512 B');
  });
});

describe('storageView', () => {
  const GB = 1024 ** 3;

  it("splits the disk into Maskroom's share, other files and free space", () => {
    const view = storageView({ videos: 3, usedBytes: 10 * GB, freeBytes: 60 * GB, totalBytes: 100 * GB });
    expect(view.usedPercent).toBe(10);
    expect(view.freePercent).toBe(60);
    expect(view.otherPercent).toBe(30);
    expect(view.summary).toBe('10 GB used by 3 videos · 60 GB free of 100 GB');
  });

  it('adds up to 100 after rounding', () => {
    const view = storageView({ videos: 1, usedBytes: 1, freeBytes: 2, totalBytes: 3 });
    expect(view.usedPercent + view.otherPercent + view.freePercent).toBeCloseTo(100, 6);
    expect(view.summary).toMatch(/by 1 video ·/);
  });

  it('stays within bounds when the numbers disagree (free + used over total)', () => {
    const view = storageView({ videos: 1, usedBytes: 80, freeBytes: 80, totalBytes: 100 });
    expect(view.usedPercent).toBe(80);
    expect(view.freePercent).toBe(20);
    expect(view.otherPercent).toBe(0);
  });

  it('shows empty shares for an unknown disk size', () => {
    expect(storageView({ videos: 0, usedBytes: 0, freeBytes: 0, totalBytes: 0 }).usedPercent).toBe(0);
  });
});
