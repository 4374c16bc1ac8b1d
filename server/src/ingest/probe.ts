/**
 * ffprobe → what Maskroom needs to know about an upload, or a refusal with a stable code
 * (`UNSUPPORTED_MEDIA`, `VIDEO_TOO_LONG`, `RESOLUTION_TOO_HIGH`) and a message a user understands.
 *
 * Sizes are reported as DISPLAYED: the coded picture with non-square pixels made square (the width
 * is scaled by the sample aspect ratio and rounded to an even number) and then rotated as the
 * container's display matrix (or legacy `rotate` tag) says, so a portrait phone clip coded
 * 1920×1080 with a 90° rotation is 1080×1920. Frames are extracted at exactly this size.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { MaskroomError } from '@maskroom/shared';
import { PROBE_FORMAT_WHITELIST, fileUrl, imageKind, inputGuards, isImageContainer } from './formats.js';
import { cancelled, runTool, stderrTail } from './run-tool.js';
import type { FfmpegTools } from './tools.js';

export interface ProbeLimits {
  readonly maxDurationSec: number;
  /** The resolution limit is orientation-free: the displayed long side is checked against the
   * larger of `maxWidth`/`maxHeight` and the short side against the smaller, so a 1080×1920
   * portrait clip passes a 1920×1080 limit. */
  readonly maxWidth: number;
  readonly maxHeight: number;
}

export type Rotation = 0 | 90 | 180 | 270;

export interface VideoProbe {
  /** ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`. */
  readonly container: string;
  /** The video codec, e.g. `h264`, `vp9`, `mjpeg`. */
  readonly codec: string;
  /** ffprobe index of the chosen video stream (cover art and attached pictures are skipped). */
  readonly streamIndex: number;
  /** Displayed size: square pixels, rotation applied. The size of every extracted frame. */
  readonly width: number;
  readonly height: number;
  /** Decoded picture size as stored (ffprobe `width`/`height`), before pixel aspect and rotation. */
  readonly codedWidth: number;
  readonly codedHeight: number;
  /** Clockwise degrees a player turns the coded picture to show it (a portrait phone clip: 90). */
  readonly rotation: Rotation;
  /** Width of a pixel over its height; 1 for square pixels. */
  readonly sampleAspectRatio: number;
  /** Average frame rate of the source (frames per second). */
  readonly sourceFps: number;
  /** Variable frame rate: the stream's base rate differs from its average rate. */
  readonly vfr: boolean;
  /** Duration of the video stream (else of the container) in seconds. */
  readonly durationSec: number;
  /** Frames in the stream when the container says (`nb_frames`), else null. */
  readonly frameCount: number | null;
  readonly pixelFormat: string | null;
  readonly hasAudio: boolean;
}

/** A clip may exceed the duration limit by this much (container rounding, audio priming). */
export const DURATION_GRACE_SEC = 0.5;
const PROBE_TIMEOUT_MS = 60_000;
/** Frame rates above this are treated as bogus timing information. */
const MAX_SANE_FPS = 1000;

/**
 * Probes `file` (a path the server chose) and checks it against `limits`. Rejects with
 * `UNSUPPORTED_MEDIA`, `VIDEO_TOO_LONG`, `RESOLUTION_TOO_HIGH`, `CANCELLED`, `INGEST_FAILED`
 * (ffprobe misbehaved) or `INTERNAL` (the file is missing or unreadable).
 */
export async function probeVideo(
  tools: FfmpegTools,
  file: string,
  limits: ProbeLimits,
  signal?: AbortSignal,
): Promise<VideoProbe> {
  const abs = path.resolve(file);
  let size: number;
  try {
    size = (await stat(abs)).size;
  } catch (error) {
    throw new MaskroomError('INTERNAL', 'The uploaded file could not be read.', {
      cause: error,
      details: { file: abs },
    });
  }
  if (size === 0) throw unsupported('The file is empty.', { file: abs });

  const args = [
    '-v',
    'error',
    '-hide_banner',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    ...inputGuards(PROBE_FORMAT_WHITELIST),
    fileUrl(abs),
  ];
  const json = await runProbe(tools, args, abs, signal);
  const fields = readProbe(json);
  if (fields.kind === 'need-scan') {
    const scan = await scanPackets(tools, abs, fields.streamIndex, limits, signal);
    return checkProbe(finishProbe(fields.partial, scan), limits);
  }
  return checkProbe(fields.probe, limits);
}

/** What reading the packets of a stream found (for files without a duration in their header). */
export interface PacketScan {
  readonly count: number;
  /** From the first packet's start to the last one's end; null when no timestamps were usable. */
  readonly durationSec: number | null;
}

/**
 * Interprets ffprobe's JSON (`-show_format -show_streams`) and applies the limits; pure. `scan`
 * stands in for the packet scan `probeVideo` runs when the header has no duration.
 */
export function interpretProbe(
  json: unknown,
  limits: ProbeLimits,
  scan: PacketScan | null = null,
): VideoProbe {
  const fields = readProbe(json);
  const probe = fields.kind === 'need-scan' ? finishProbe(fields.partial, scan) : fields.probe;
  return checkProbe(probe, limits);
}

async function runProbe(
  tools: FfmpegTools,
  args: string[],
  abs: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const result = await runTool(tools.ffprobe.path, args, { signal, timeoutMs: PROBE_TIMEOUT_MS });
  if (result.aborted) throw cancelled('Reading the video');
  if (result.stdoutTruncated) {
    throw new MaskroomError('INGEST_FAILED', 'ffprobe gave an answer too large to read.');
  }
  const tail = stderrTail(result.stderr, [
    [fileUrl(abs), '<upload>'],
    [abs, '<upload>'],
  ]);
  if (result.timedOut) {
    throw new MaskroomError('INGEST_FAILED', 'Reading the video took too long.', {
      details: { stderr: tail },
    });
  }
  if (result.code !== 0) {
    // The file itself could not be opened (as opposed to its contents being unreadable).
    const url = escapeRegExp(fileUrl(abs));
    if (new RegExp(`${url}: (Permission denied|No such file or directory)`).test(result.stderr)) {
      throw new MaskroomError('INTERNAL', 'The uploaded file could not be read.', {
        details: { stderr: tail },
      });
    }
    throw unsupported('This file is not a video Maskroom can read (unknown or damaged format).', {
      stderr: tail,
    });
  }
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch (error) {
    throw new MaskroomError('INGEST_FAILED', 'ffprobe gave an unreadable answer.', {
      cause: error,
      details: { stdout: result.stdout.slice(0, 500) },
    });
  }
}

/**
 * Reads the packet timestamps of one stream, for files whose header has no duration (a webm
 * recorded by a browser's MediaRecorder, a live-muxed Matroska file). Only the first
 * `maxDurationSec` + a little is read: anything longer is too long anyway.
 */
async function scanPackets(
  tools: FfmpegTools,
  abs: string,
  streamIndex: number,
  limits: ProbeLimits,
  signal?: AbortSignal,
): Promise<PacketScan | null> {
  const horizon = Math.ceil(limits.maxDurationSec + DURATION_GRACE_SEC + 2);
  const args = [
    '-v',
    'error',
    '-hide_banner',
    '-select_streams',
    String(streamIndex),
    '-read_intervals',
    `%+${horizon}`,
    '-show_entries',
    'packet=pts_time,duration_time',
    '-print_format',
    'csv=p=0',
    ...inputGuards(PROBE_FORMAT_WHITELIST),
    fileUrl(abs),
  ];
  const result = await runTool(tools.ffprobe.path, args, {
    signal,
    timeoutMs: PROBE_TIMEOUT_MS,
    maxStdoutBytes: 64 * 1024 * 1024,
  });
  if (result.aborted) throw cancelled('Reading the video');
  if (result.code !== 0 || result.timedOut || result.stdoutTruncated) return null;
  return parsePacketTimes(result.stdout);
}

/** `pts_time,duration_time` lines → packet count and time span. */
export function parsePacketTimes(csv: string): PacketScan | null {
  let count = 0;
  let start = Infinity;
  let end = -Infinity;
  for (const line of csv.split('\n')) {
    if (line.trim() === '') continue;
    count++;
    const [ptsText, durText] = line.split(',');
    const pts = num(ptsText);
    if (pts === null) continue;
    start = Math.min(start, pts);
    end = Math.max(end, pts + (num(durText) ?? 0));
  }
  if (count === 0) return null;
  return { count, durationSec: end > start ? end - start : null };
}

type Partial = Omit<VideoProbe, 'durationSec'> & { durationSec: number | null; fpsKnown: boolean };
type ReadResult =
  { kind: 'done'; probe: Partial } | { kind: 'need-scan'; partial: Partial; streamIndex: number };

function readProbe(json: unknown): ReadResult {
  const root = asRecord(json);
  const format = asRecord(root?.format);
  const streams = asArray(root?.streams)
    .map(asRecord)
    .filter((s): s is Rec => s !== null);
  const container = str(format?.format_name) ?? 'unknown';

  if (isImageContainer(container)) {
    const first = streams.find((s) => s.codec_type === 'video');
    throw unsupported(
      `This is a still image (${imageKind(container, str(first?.codec_name))}), not a video.`,
      {
        container,
      },
    );
  }
  const video = streams.find((s) => s.codec_type === 'video' && !isAttachedPicture(s));
  const hasAudio = streams.some((s) => s.codec_type === 'audio');
  if (video === undefined) {
    throw unsupported(
      hasAudio ? 'This file has no video track: it holds only audio.' : 'This file has no video track.',
      { container },
    );
  }
  const codedWidth = positiveInt(video.width);
  const codedHeight = positiveInt(video.height);
  if (codedWidth === null || codedHeight === null) {
    throw unsupported('The video track has no picture size; the file may be damaged.', { container });
  }

  const rotation = readRotation(video);
  const sampleAspectRatio = readSar(video.sample_aspect_ratio);
  const uprightWidth =
    Math.abs(sampleAspectRatio - 1) < 1e-3 ? codedWidth : evenRound(codedWidth * sampleAspectRatio);
  const swap = rotation === 90 || rotation === 270;

  const frameCount = positiveInt(video.nb_frames);
  const streamDuration = positive(num(video.duration)) ?? positive(parseClock(tagValue(video, 'DURATION')));
  const formatDuration = positive(num(format?.duration));
  const durationSec = streamDuration ?? formatDuration;

  const avg = saneFps(parseRational(video.avg_frame_rate));
  const base = saneFps(parseRational(video.r_frame_rate));
  let sourceFps = avg ?? base;
  if (sourceFps === null && frameCount !== null && durationSec !== null)
    sourceFps = saneFps(frameCount / durationSec);
  const vfr = avg !== null && base !== null && Math.abs(avg - base) / base > 0.01;

  const partial: Partial = {
    container,
    codec: str(video.codec_name) ?? 'unknown',
    streamIndex: nonNegativeInt(video.index) ?? 0,
    width: swap ? codedHeight : uprightWidth,
    height: swap ? uprightWidth : codedHeight,
    codedWidth,
    codedHeight,
    rotation,
    sampleAspectRatio,
    sourceFps: sourceFps ?? 0,
    fpsKnown: sourceFps !== null,
    vfr,
    durationSec,
    frameCount,
    pixelFormat: str(video.pix_fmt),
    hasAudio,
  };
  if (durationSec === null) return { kind: 'need-scan', partial, streamIndex: partial.streamIndex };
  return { kind: 'done', probe: partial };
}

/** Completes a probe whose header had no duration from a scan of its packets. */
function finishProbe(partial: Partial, scan: PacketScan | null): Partial {
  if (scan === null) return partial;
  const frameCount = scan.count;
  if (frameCount === 1) return { ...partial, frameCount };
  const durationSec = scan.durationSec ?? (partial.fpsKnown ? frameCount / partial.sourceFps : null);
  if (!partial.fpsKnown && durationSec !== null) {
    const fps = saneFps(frameCount / durationSec);
    if (fps !== null) return { ...partial, frameCount, durationSec, sourceFps: fps, fpsKnown: true };
  }
  return { ...partial, frameCount, durationSec };
}

function checkProbe(p: Partial, limits: ProbeLimits): VideoProbe {
  const details = { container: p.container, codec: p.codec };
  if (p.frameCount === 1 || (p.durationSec !== null && p.fpsKnown && p.durationSec * p.sourceFps < 1.5)) {
    throw unsupported('This file holds a single still picture, not a video.', details);
  }
  if (p.durationSec === null) {
    throw unsupported('The length of this video cannot be determined; the file may be damaged.', details);
  }
  if (!p.fpsKnown) {
    throw unsupported('The frame rate of this video cannot be determined; the file may be damaged.', details);
  }
  if (p.durationSec > limits.maxDurationSec + DURATION_GRACE_SEC) {
    throw new MaskroomError(
      'VIDEO_TOO_LONG',
      `The video is ${p.durationSec.toFixed(1)} s long; the limit is ${limits.maxDurationSec} s.`,
      { details: { ...details, durationSec: p.durationSec, maxDurationSec: limits.maxDurationSec } },
    );
  }
  const long = Math.max(p.width, p.height);
  const short = Math.min(p.width, p.height);
  if (
    long > Math.max(limits.maxWidth, limits.maxHeight) ||
    short > Math.min(limits.maxWidth, limits.maxHeight)
  ) {
    throw new MaskroomError(
      'RESOLUTION_TOO_HIGH',
      `The video is ${p.width}×${p.height}; the limit is ${limits.maxWidth}×${limits.maxHeight}.`,
      { details: { ...details, width: p.width, height: p.height, ...limits } },
    );
  }
  const { fpsKnown: _fpsKnown, ...probe } = p;
  return { ...probe, durationSec: p.durationSec };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const unsupported = (message: string, details: Record<string, unknown>): MaskroomError =>
  new MaskroomError('UNSUPPORTED_MEDIA', message, { details });

// ---- ffprobe field readers ----

type Rec = Record<string, unknown>;
const asRecord = (v: unknown): Rec | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : null;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}
const positive = (n: number | null): number | null => (n !== null && n > 0 ? n : null);
function nonNegativeInt(v: unknown): number | null {
  const n = num(v);
  return n !== null && Number.isInteger(n) && n >= 0 ? n : null;
}
function positiveInt(v: unknown): number | null {
  const n = nonNegativeInt(v);
  return n !== null && n > 0 ? n : null;
}

function isAttachedPicture(stream: Rec): boolean {
  const disposition = asRecord(stream.disposition);
  return num(disposition?.attached_pic) === 1 || num(disposition?.timed_thumbnails) === 1;
}

function tagValue(stream: Rec, key: string): string | null {
  const tags = asRecord(stream.tags);
  if (tags === null) return null;
  const hit = Object.keys(tags).find((k) => k.toLowerCase() === key.toLowerCase());
  return hit === undefined ? null : str(tags[hit]);
}

/** `30000/1001` → 29.97…, `25` → 25; `0/0`, `N/A` → null. */
export function parseRational(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:[/:]\s*(\d+(?:\.\d+)?)\s*)?$/.exec(v);
  if (m === null) return null;
  const n = Number(m[1]);
  const d = m[2] === undefined ? 1 : Number(m[2]);
  return d > 0 && n > 0 ? n / d : null;
}

const saneFps = (fps: number | null): number | null =>
  fps !== null && fps > 0 && fps <= MAX_SANE_FPS ? fps : null;

/** `4:3` → 1.333…; unknown (`0:1`, `N/A`, missing) → 1. */
function readSar(v: unknown): number {
  const sar = parseRational(v);
  return sar === null || sar > 100 || sar < 0.01 ? 1 : sar;
}

/** `00:01:02.500000000` (Matroska's per-stream DURATION tag) → 62.5. */
export function parseClock(v: string | null): number | null {
  if (v === null) return null;
  const m = /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(v.trim());
  if (m === null) return null;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/**
 * Clockwise rotation to display the stream. ffprobe's display-matrix `rotation` is counter-
 * clockwise (a portrait phone clip says -90); the legacy `rotate` tag is clockwise (`90`).
 * Angles are rounded to the nearest quarter turn; mirroring is ignored.
 */
export function readRotation(stream: Rec): Rotation {
  for (const sd of asArray(stream.side_data_list)) {
    const rec = asRecord(sd);
    if (rec === null || !/display ?matrix/i.test(str(rec.side_data_type) ?? '')) continue;
    const ccw = num(rec.rotation);
    if (ccw !== null) return quarterTurn(-ccw);
  }
  const tag = num(tagValue(stream, 'rotate'));
  return tag === null ? 0 : quarterTurn(tag);
}

function quarterTurn(degrees: number): Rotation {
  const q = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[q];
}

/** The nearest even integer ≥ 2 (a safe size for 4:2:0 encoders downstream). */
const evenRound = (x: number): number => Math.max(2, 2 * Math.round(x / 2));
