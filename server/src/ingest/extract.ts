/**
 * ffmpeg → a folder of JPEG frames `000000.jpg`, `000001.jpg`, … (six or more digits, numbered from
 * 0, the naming SAM3's JPEG-folder loader sorts by integer stem), upright, at the displayed size
 * with square pixels, sampled at the plan's constant rate.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MaskroomError } from '@maskroom/shared';
import type { Logger } from '../log.js';
import { EXTRACT_FORMAT_WHITELIST, fileUrl, inputGuards } from './formats.js';
import type { ExtractionPlan } from './plan.js';
import type { VideoProbe } from './probe.js';
import { cancelled, isNoSpace, lastErrorLine, runTool, stderrTail } from './run-tool.js';
import type { FfmpegTools } from './tools.js';

/** Digits in a frame file name (more appear past 999999, as ffmpeg's `%06d` writes them). */
export const FRAME_DIGITS = 6;
export const frameName = (index: number): string => `${String(index).padStart(FRAME_DIGITS, '0')}.jpg`;
const FRAME_FILE = /^(\d{6,})\.jpg$/;

export interface ExtractOptions {
  readonly signal?: AbortSignal;
  /** Frames written so far and the expected total; at most 10 calls a second, `framesDone` never
   * decreases and never exceeds `framesTotal`. After success a last call reports
   * `(numFrames, numFrames)`. */
  readonly onProgress?: (framesDone: number, framesTotal: number) => void;
  /** JPEG quality as ffmpeg's `-q:v`: 2 (best, the default) … 31 (smallest). */
  readonly jpegQuality?: number;
  /** Kill ffmpeg (→ `INGEST_FAILED`) after this long. Default: no limit. */
  readonly timeoutMs?: number;
  /** SIGTERM → SIGKILL grace on cancel or timeout. Default 2000 ms. */
  readonly killGraceMs?: number;
  /** Called with ffmpeg's pid once it runs. */
  readonly onSpawn?: (pid: number) => void;
  readonly log?: Logger;
}

export interface ExtractResult {
  /** Frames actually written, `000000.jpg` … contiguous. */
  readonly numFrames: number;
  /** Their total size. */
  readonly bytes: number;
}

const PROGRESS_INTERVAL_MS = 100;
/** Fewer frames than this share of the plan means the file ended early (truncated/damaged). */
const MIN_SHARE_OF_PLAN = 0.9;

/**
 * Extracts the frames of `file` into `outDir` (created if missing; must be empty). Rejects with
 * `CANCELLED` (after ffmpeg has exited), `STORAGE_FULL`, `INGEST_FAILED` (ffmpeg failed, wrote no
 * frames, or far fewer than planned) or `INTERNAL`. Frames already written are left for the caller
 * to remove with the folder.
 */
export async function extractFrames(
  tools: FfmpegTools,
  file: string,
  outDir: string,
  probe: VideoProbe,
  plan: ExtractionPlan,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const { signal, onProgress } = opts;
  if (signal?.aborted) throw cancelled('Frame extraction');
  const quality = opts.jpegQuality ?? 2;
  if (!Number.isInteger(quality) || quality < 2 || quality > 31) {
    throw new RangeError(`jpegQuality must be an integer in 2..31, got ${quality}`);
  }
  const input = path.resolve(file);
  const dir = path.resolve(outDir);
  await prepareOutDir(dir);
  const args = extractArgs(input, dir, probe, plan, quality);
  opts.log?.debug('extracting frames', { args });

  const total = plan.expectedFrames;
  let reported = 0;
  let lastReportAt = 0;
  let frame = 0;
  const report = (done: number, of: number, force: boolean): void => {
    if (onProgress === undefined || signal?.aborted) return;
    const clamped = Math.min(done, of);
    const now = Date.now();
    if (clamped <= reported && !force) return;
    if (!force && now - lastReportAt < PROGRESS_INTERVAL_MS) return;
    reported = Math.max(reported, clamped);
    lastReportAt = now;
    try {
      onProgress(reported, of);
    } catch (error) {
      opts.log?.warn('onProgress threw', { error });
    }
  };
  const onStdoutLine = (line: string): void => {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'frame') {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 0) frame = Math.max(frame, n);
    } else if (key === 'progress') {
      report(frame, total, false);
    }
  };

  const started = Date.now();
  const result = await runTool(tools.ffmpeg.path, args, {
    signal,
    timeoutMs: opts.timeoutMs,
    killGraceMs: opts.killGraceMs,
    collectStdout: false,
    onStdoutLine,
    onSpawn: opts.onSpawn,
  });
  const tail = stderrTail(result.stderr, [
    [fileUrl(input), '<video>'],
    [input, '<video>'],
    [dir, '<frames>'],
  ]);
  const details = { stderr: tail, code: result.code, signal: result.signal };

  if (result.aborted) throw cancelled('Frame extraction');
  if (isNoSpace(result.stderr)) {
    throw new MaskroomError('STORAGE_FULL', 'The server ran out of disk space while extracting frames.', {
      details,
    });
  }
  if (result.timedOut) {
    throw new MaskroomError('INGEST_FAILED', 'Extracting the frames took too long.', { details });
  }
  if (result.code !== 0) {
    const why = lastErrorLine(tail);
    throw new MaskroomError(
      'INGEST_FAILED',
      `The video could not be decoded into frames${why === '' ? '.' : `: ${why}`}`,
      { details },
    );
  }

  const { numFrames, bytes } = await listFrames(dir);
  if (numFrames === 0) {
    const why = lastErrorLine(tail);
    throw new MaskroomError(
      'INGEST_FAILED',
      `No frame could be decoded from the video${why === '' ? '.' : `: ${why}`}`,
      { details },
    );
  }
  if (numFrames < Math.floor(plan.expectedFrames * MIN_SHARE_OF_PLAN) - 1) {
    throw new MaskroomError(
      'INGEST_FAILED',
      `The video stops early (${numFrames} of about ${plan.expectedFrames} frames could be decoded); ` +
        'the file may be truncated or damaged.',
      { details: { ...details, numFrames, expectedFrames: plan.expectedFrames } },
    );
  }
  report(numFrames, numFrames, true);
  opts.log?.info('frames extracted', {
    numFrames,
    expectedFrames: plan.expectedFrames,
    bytes,
    ms: Date.now() - started,
  });
  return { numFrames, bytes };
}

/**
 * The video filter: constant-rate sampling first (cheapest, and it turns VFR into CFR), then the
 * displayed size with square pixels (also normalises mid-stream size changes), then rotation
 * (ffmpeg's own autorotation is off, so what is applied is exactly what the probe reported).
 */
export function videoFilter(probe: VideoProbe, plan: ExtractionPlan): string {
  const swap = probe.rotation === 90 || probe.rotation === 270;
  const [w, h] = swap ? [probe.height, probe.width] : [probe.width, probe.height];
  const filters = [`fps=${formatRate(plan.processingFps)}`, `scale=${w}:${h}:flags=bicubic`, 'setsar=1'];
  if (probe.rotation === 90) filters.push('transpose=clock');
  else if (probe.rotation === 270) filters.push('transpose=cclock');
  else if (probe.rotation === 180) filters.push('hflip', 'vflip');
  return filters.join(',');
}

/** The ffmpeg command line; `input` and `outDir` are absolute paths the server chose. */
export function extractArgs(
  input: string,
  outDir: string,
  probe: VideoProbe,
  plan: ExtractionPlan,
  quality: number,
): string[] {
  // `%` is the image2 muxer's pattern character; a literal one in the folder name is `%%`.
  const pattern = path.join(outDir.split('%').join('%%'), `%0${FRAME_DIGITS}d.jpg`);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-nostats',
    '-progress',
    'pipe:1',
    '-stats_period',
    '0.1',
    ...inputGuards(EXTRACT_FORMAT_WHITELIST),
    '-noautorotate',
    '-i',
    fileUrl(input),
    '-map',
    `0:${probe.streamIndex}`,
    '-an',
    '-sn',
    '-dn',
    '-vf',
    videoFilter(probe, plan),
    '-fps_mode',
    'passthrough',
    '-frames:v',
    String(plan.maxFrames),
    '-q:v',
    String(quality),
    '-start_number',
    '0',
    '-f',
    'image2',
    pattern,
  ];
}

/** A rate for ffmpeg's fps filter, without exponent notation. */
const formatRate = (fps: number): string => String(Number(fps.toFixed(9)));

async function prepareOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw fsError('create the frames folder', error);
  }
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new MaskroomError('INTERNAL', 'The frames folder is not empty.', {
      details: { dir, entries: entries.length },
    });
  }
}

/** Counts the frames written and checks that they are `000000.jpg` … `N-1` without gaps. */
export async function listFrames(dir: string): Promise<ExtractResult> {
  const names = (await readdir(dir)).filter((n) => FRAME_FILE.test(n));
  const present = new Set(names);
  const indices = names.map((n) => Number(FRAME_FILE.exec(n)?.[1])).sort((a, b) => a - b);
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] !== i || !present.has(frameName(i))) {
      throw new MaskroomError('INGEST_FAILED', 'The extracted frames are not numbered contiguously.', {
        details: { dir, missing: frameName(i), count: indices.length },
      });
    }
  }
  let bytes = 0;
  for (const name of names) bytes += (await stat(path.join(dir, name))).size;
  return { numFrames: indices.length, bytes };
}

function fsError(what: string, error: unknown): MaskroomError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC')
    return new MaskroomError('STORAGE_FULL', `No disk space left to ${what}.`, { cause: error });
  return new MaskroomError('INTERNAL', `Could not ${what}.`, { cause: error });
}
