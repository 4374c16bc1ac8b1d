/** How the library shows sizes, durations and progress: pure, so the rules are tested once. */
import type { IngestPhase, StorageStatus, Video } from '@maskroom/shared';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Binary units with three significant digits at most: `512 B`, `1.5 KB`, `12.3 MB`, `128 GB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // 1023.9 KB would print as "1024 KB": carry into the next unit instead.
  let digits = value < 10 ? 1 : 0;
  if (Number(value.toFixed(digits)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
    digits = 1;
  }
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${UNITS[unit]}`;
}

/** `0:03`, `1:05`, `1:02:03`; durations under 10 s keep one decimal (`0:02.5`) when not whole. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const tenths = Math.round(seconds * 10);
  const whole = Math.floor(tenths / 10);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const frac = whole < 10 && tenths % 10 !== 0 ? `.${tenths % 10}` : '';
  const ss = `${String(s).padStart(2, '0')}${frac}`;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Whole percent of `done` out of `total`, clamped to [0, 100]; null when the total is unknown or
 * zero. 99.6 % shows as 99, not 100: 100 means finished.
 */
export function percent(done: number, total: number | null | undefined): number | null {
  if (total === null || total === undefined || !(total > 0) || !Number.isFinite(done)) return null;
  const p = Math.floor((Math.max(0, done) / total) * 100);
  return Math.min(100, p);
}

export const PHASE_LABELS: Record<IngestPhase, string> = {
  uploading: 'Receiving the file',
  probing: 'Reading the video',
  extracting: 'Extracting frames',
  finalizing: 'Finishing',
  ready: 'Ready',
};

export interface IngestView {
  readonly phase: IngestPhase;
  readonly label: string;
  /** Null while the amount of work is unknown (an indeterminate bar). */
  readonly percent: number | null;
  /** `12 / 30 frames`, once the frame count is known. */
  readonly detail: string | null;
}

/** What an ingesting video's progress looks like. */
export function ingestView(video: Pick<Video, 'ingest'>): IngestView {
  const { phase, framesDone, framesTotal, bytesReceived } = video.ingest;
  if (phase === 'uploading') {
    return { phase, label: PHASE_LABELS.uploading, percent: null, detail: formatBytes(bytesReceived) };
  }
  if (phase === 'ready' || phase === 'finalizing') {
    return {
      phase,
      label: PHASE_LABELS[phase],
      percent: 100,
      detail: framesTotal === null ? null : `${framesTotal} frames`,
    };
  }
  return {
    phase,
    label: PHASE_LABELS[phase],
    percent: percent(framesDone, framesTotal),
    detail: framesTotal === null ? null : `${framesDone} / ${framesTotal} frames`,
  };
}

/** `1.2 MB / 3.4 MB`, or only what was sent when the total is unknown. */
export function formatTransfer(sent: number, total: number | null): string {
  return total === null ? formatBytes(sent) : `${formatBytes(sent)} / ${formatBytes(total)}`;
}

export interface StorageView {
  /** Shares of the disk, in percent: Maskroom's videos, everything else, free. */
  readonly usedPercent: number;
  readonly otherPercent: number;
  readonly freePercent: number;
  readonly summary: string;
}

/**
 * The storage bar. Other files on the same disk count as used by others: total − free − ours.
 * Shares are rounded so they always add up to 100.
 */
export function storageView(s: StorageStatus): StorageView {
  const videos = `${s.videos} ${s.videos === 1 ? 'video' : 'videos'}`;
  const summary = `${formatBytes(s.usedBytes)} used by ${videos} · ${formatBytes(s.freeBytes)} free of ${formatBytes(s.totalBytes)}`;
  if (!(s.totalBytes > 0)) return { usedPercent: 0, otherPercent: 0, freePercent: 0, summary };
  const share = (n: number): number => (Math.max(0, n) / s.totalBytes) * 100;
  const usedPercent = Math.min(100, round1(share(s.usedBytes)));
  const freePercent = Math.min(100 - usedPercent, round1(share(s.freeBytes)));
  const otherPercent = round1(Math.max(0, 100 - usedPercent - freePercent));
  return { usedPercent, otherPercent, freePercent, summary };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** `320×240`. */
export const formatResolution = (width: number, height: number): string => `${width}×${height}`;
