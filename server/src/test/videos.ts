/**
 * Test videos made with the real ffmpeg, for the ingest tests and the HTTP tests: never committed,
 * generated on demand and cached in a folder the caller owns (one per test file or run).
 *
 * Every picture is a grey textured background (testsrc2 without colour) with three marks:
 * a red square in the top-left corner, a blue square in the bottom-right corner (both in the CODED
 * picture, so a rotated clip shows where they went) and a yellow square moving left to right once
 * a second (left edge at (width − side) · (t mod 1), side ⌊height/4⌋, top at 3/8 of the height), so
 * consecutive frames differ and a frame's content tells its source time.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';

const run = promisify(execFile);

export const VIDEO_KINDS = [
  'h264-mp4',
  'vp9-webm',
  'streamed-webm',
  'mjpeg-avi',
  'portrait-rotated',
  'vfr',
  'odd-size',
  'anamorphic',
  'long',
  'audio-only',
  'png-image',
  'jpeg-image',
  'text-as-mp4',
  'random-bytes',
  'empty',
  'truncated-mp4',
] as const;
export type VideoKind = (typeof VIDEO_KINDS)[number];

export interface MakeVideoOptions {
  /** Seconds (video kinds and audio-only). */
  readonly durationSec?: number;
  /** Frames per second (CFR kinds; `vfr` ignores it). */
  readonly fps?: number;
  /** Coded size (`anamorphic`: before the 4:3 pixel aspect; `portrait-rotated`: before rotation). */
  readonly width?: number;
  readonly height?: number;
  /** Adds an AAC sine track (default: only `h264-mp4` has one). */
  readonly audio?: boolean;
  /** `portrait-rotated`: clockwise display rotation. Default 90 (a phone held upright). */
  readonly rotation?: 90 | 180 | 270;
}

/**
 * What each kind is by default (coded size, fps, seconds). `vfr` is 1 s at 10 fps then 1 s at
 * 30 fps; `anamorphic` is coded 240×180 with 4:3 pixels (shown 320×180); `streamed-webm` is a
 * VP8 webm without duration or cues in its header, as browsers record them.
 */
export const KIND_DEFAULTS: Record<
  VideoKind,
  { width: number; height: number; fps: number; durationSec: number }
> = {
  'h264-mp4': { width: 160, height: 120, fps: 30, durationSec: 2 },
  'vp9-webm': { width: 160, height: 120, fps: 25, durationSec: 2 },
  'streamed-webm': { width: 160, height: 120, fps: 30, durationSec: 3 },
  'mjpeg-avi': { width: 160, height: 120, fps: 15, durationSec: 2 },
  'portrait-rotated': { width: 160, height: 96, fps: 30, durationSec: 2 },
  vfr: { width: 160, height: 120, fps: 30, durationSec: 2 },
  'odd-size': { width: 161, height: 97, fps: 25, durationSec: 1 },
  anamorphic: { width: 240, height: 180, fps: 25, durationSec: 1 },
  long: { width: 160, height: 120, fps: 30, durationSec: 30 },
  'audio-only': { width: 0, height: 0, fps: 0, durationSec: 1 },
  'png-image': { width: 160, height: 120, fps: 1, durationSec: 1 },
  'jpeg-image': { width: 160, height: 120, fps: 1, durationSec: 1 },
  'text-as-mp4': { width: 0, height: 0, fps: 0, durationSec: 0 },
  'random-bytes': { width: 0, height: 0, fps: 0, durationSec: 0 },
  empty: { width: 0, height: 0, fps: 0, durationSec: 0 },
  'truncated-mp4': { width: 160, height: 120, fps: 30, durationSec: 2 },
};

const ffmpegBin = (): string => process.env.FFMPEG_PATH ?? 'ffmpeg';
const ffprobeBin = (): string => process.env.FFPROBE_PATH ?? 'ffprobe';

type Step =
  | { readonly op: 'ffmpeg'; readonly args: readonly string[] } // `$IN` = previous output, `$OUT` = this one
  | { readonly op: 'bytes'; readonly data: Buffer }
  | { readonly op: 'cut-half' }
  | { readonly op: 'rotate'; readonly degrees: 90 | 180 | 270 }
  | { readonly op: 'check-vfr' };

interface Recipe {
  readonly ext: string;
  readonly steps: readonly Step[];
}

const memo = new Map<string, Promise<string>>();

/**
 * Makes (or reuses from `dir`) a test file of the given kind and returns its path. Files are named
 * after a hash of their recipe, so a changed recipe never reuses a stale file, and are written
 * under a temporary name first, so a concurrent test never sees half a file.
 */
export function makeVideo(dir: string, kind: VideoKind, opts: MakeVideoOptions = {}): Promise<string> {
  const recipe = recipeFor(kind, opts);
  const hash = createHash('sha256')
    .update(
      JSON.stringify(recipe.steps, (_k, v: unknown) =>
        Buffer.isBuffer(v) ? createHash('sha256').update(v).digest('hex') : v,
      ),
    )
    .digest('hex')
    .slice(0, 12);
  const file = path.join(path.resolve(dir), `${kind}-${hash}.${recipe.ext}`);
  let pending = memo.get(file);
  if (pending === undefined) {
    pending = build(file, recipe);
    memo.set(file, pending);
    pending.catch(() => memo.delete(file));
  }
  return pending;
}

let sharedDir: string | undefined;
const RUN_DIR = /^maskroom-videos-run-(\d+)$/;

/**
 * A folder for test videos shared by every test file of one vitest run (keyed by the pid of the
 * vitest main process: the parent of a `forks` worker, the process of a `threads` worker), so each
 * video is generated once per run. Worker processes are killed rather than exited, so no exit hook
 * can clean up: instead, the first call removes the folders of runs whose process is gone.
 */
export function testVideoDir(): string {
  if (sharedDir === undefined) {
    const runPid = isMainThread ? process.ppid : process.pid;
    for (const name of readdirSync(tmpdir())) {
      const pid = Number(RUN_DIR.exec(name)?.[1] ?? NaN);
      if (Number.isInteger(pid) && pid !== runPid && !processExists(pid)) {
        rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
      }
    }
    sharedDir = path.join(tmpdir(), `maskroom-videos-run-${runPid}`);
    mkdirSync(sharedDir, { recursive: true });
  }
  return sharedDir;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function build(file: string, recipe: Recipe): Promise<string> {
  if (await exists(file)) return file;
  await mkdir(path.dirname(file), { recursive: true });
  const temps: string[] = [];
  const tempName = (): string => {
    const t = path.join(path.dirname(file), `.tmp-${randomBytes(6).toString('hex')}.${recipe.ext}`);
    temps.push(t);
    return t;
  };
  try {
    let current = '';
    for (const step of recipe.steps) {
      switch (step.op) {
        case 'ffmpeg': {
          const out = tempName();
          await ffmpeg(step.args.map((a) => (a === '$OUT' ? out : a === '$IN' ? current : a)));
          current = out;
          break;
        }
        case 'bytes': {
          const out = tempName();
          await writeFile(out, step.data);
          current = out;
          break;
        }
        case 'cut-half':
          await truncate(current, Math.floor((await stat(current)).size / 2));
          break;
        case 'rotate': {
          const out = tempName();
          await setRotation(current, out, step.degrees);
          current = out;
          break;
        }
        case 'check-vfr': {
          const s = await probeStream(current);
          if (s.r_frame_rate === s.avg_frame_rate) {
            throw new Error(`the vfr test video came out constant-rate (${s.r_frame_rate}); fix its recipe`);
          }
          break;
        }
      }
    }
    await rename(current, file);
    return file;
  } finally {
    await Promise.all(temps.filter((t) => t !== file).map((t) => rm(t, { force: true })));
  }
}

function recipeFor(kind: VideoKind, opts: MakeVideoOptions): Recipe {
  const d = KIND_DEFAULTS[kind];
  const width = opts.width ?? d.width;
  const height = opts.height ?? d.height;
  const fps = opts.fps ?? d.fps;
  const seconds = opts.durationSec ?? d.durationSec;
  const audio = opts.audio ?? kind === 'h264-mp4';
  const source = (): string[] => ['-f', 'lavfi', '-i', background(width, height, fps, seconds)];
  const sine = (): string[] => (audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`] : []);
  const aac = (): string[] => (audio ? ['-c:a', 'aac', '-b:a', '48k'] : []);
  const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  const vp9 = [
    '-c:v',
    'libvpx-vp9',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '0',
    '-crf',
    '45',
    '-pix_fmt',
    'yuv420p',
  ];

  switch (kind) {
    case 'h264-mp4':
    case 'long':
      return {
        ext: 'mp4',
        steps: [ff([...source(), ...sine(), ...h264, ...aac(), '-movflags', '+faststart'])],
      };
    case 'vp9-webm':
    case 'odd-size':
      return {
        ext: 'webm',
        steps: [ff([...source(), ...sine(), ...vp9, ...(audio ? ['-c:a', 'libopus'] : [])])],
      };
    case 'streamed-webm':
      // Live-muxed (no duration, no cues), like a browser's MediaRecorder output; VP8 as Firefox.
      return {
        ext: 'webm',
        steps: [
          ff([
            ...source(),
            '-c:v',
            'libvpx',
            '-deadline',
            'realtime',
            '-cpu-used',
            '8',
            '-b:v',
            '300k',
            '-pix_fmt',
            'yuv420p',
            '-live',
            '1',
          ]),
        ],
      };
    case 'mjpeg-avi':
      return {
        ext: 'avi',
        steps: [ff([...source(), ...sine(), '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p', ...aac()])],
      };
    case 'portrait-rotated':
      return {
        ext: 'mp4',
        steps: [
          ff([...source(), ...sine(), ...h264, ...aac()]),
          { op: 'rotate', degrees: opts.rotation ?? 90 },
        ],
      };
    case 'anamorphic':
      return {
        ext: 'mp4',
        steps: [
          ff([
            '-f',
            'lavfi',
            '-i',
            `${background(width, height, fps, seconds)},setsar=4/3`,
            ...sine(),
            ...h264,
            ...aac(),
          ]),
        ],
      };
    case 'vfr': {
      // Two segments at different rates joined with their own timestamps: genuinely variable.
      const half = seconds / 2;
      const graph = `[0:v][1:v]concat=n=2:v=1:a=0[bg];${marks(height, 30)}[v]`;
      return {
        ext: 'mp4',
        steps: [
          ff([
            '-f',
            'lavfi',
            '-i',
            `${texture(width, height, 10, half)}`,
            '-f',
            'lavfi',
            '-i',
            `${texture(width, height, 30, half)}`,
            '-filter_complex',
            graph,
            '-map',
            '[v]',
            '-fps_mode',
            'vfr',
            ...h264,
          ]),
          { op: 'check-vfr' },
        ],
      };
    }
    case 'audio-only':
      return {
        ext: 'm4a',
        steps: [ff(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac'])],
      };
    case 'png-image':
      return { ext: 'png', steps: [ff([...source(), '-frames:v', '1', '-update', '1'])] };
    case 'jpeg-image':
      return { ext: 'jpg', steps: [ff([...source(), '-frames:v', '1', '-q:v', '3', '-update', '1'])] };
    case 'text-as-mp4':
      return {
        ext: 'mp4',
        steps: [
          {
            op: 'bytes',
            data: Buffer.from('This is a text file with a video extension.\nNothing to see.\n'),
          },
        ],
      };
    case 'random-bytes':
      return { ext: 'mp4', steps: [{ op: 'bytes', data: pseudoRandomBytes(64 * 1024, 0x5eed) }] };
    case 'empty':
      return { ext: 'mp4', steps: [{ op: 'bytes', data: Buffer.alloc(0) }] };
    case 'truncated-mp4':
      // moov first (faststart), so the header still describes the whole clip after the cut.
      return {
        ext: 'mp4',
        steps: [ff([...source(), ...h264, '-movflags', '+faststart']), { op: 'cut-half' }],
      };
  }
}

const ff = (args: string[]): Step => ({ op: 'ffmpeg', args: [...args, '$OUT'] });

/** Grey texture at an exact (possibly odd) size: testsrc2 wants even sizes, so crop it. */
function texture(width: number, height: number, fps: number, seconds: number): string {
  const evenW = width + (width % 2);
  const evenH = height + (height % 2);
  return `testsrc2=size=${evenW}x${evenH}:rate=${fps}:duration=${seconds},format=yuv444p,crop=${width}:${height}:0:0,hue=s=0`;
}

/** The red top-left and blue bottom-right squares (in the coded picture). */
const CORNERS = [
  'drawbox=x=0:y=0:w=iw/4:h=ih/4:color=red:t=fill',
  'drawbox=x=iw-iw/4:y=ih-ih/4:w=iw/4:h=ih/4:color=blue:t=fill',
].join(',');

/**
 * Adds the marks to the stream labelled `[bg]`: a yellow square (side ⌊height/4⌋, top at 3/8 of
 * the height) whose left edge is at (width − side) · (t mod 1), then the corner squares. Overlay
 * evaluates its position per frame (drawbox in ffmpeg 5 does not).
 */
function marks(height: number, fps: number): string {
  const side = Math.max(2, Math.floor(height / 4));
  return (
    `color=c=yellow:size=${side}x${side}:rate=${fps}[box];` +
    `[bg][box]overlay=x='(W-w)*mod(t,1)':y=H*3/8:shortest=1,${CORNERS}`
  );
}

const background = (width: number, height: number, fps: number, seconds: number): string =>
  `${texture(width, height, fps, seconds)}[bg];${marks(height, fps)}`;

async function ffmpeg(args: readonly string[]): Promise<void> {
  try {
    await run(ffmpegBin(), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

interface StreamInfo {
  r_frame_rate?: string;
  avg_frame_rate?: string;
  side_data_list?: Array<{ rotation?: number }>;
  tags?: Record<string, string>;
}

async function probeStream(file: string): Promise<StreamInfo> {
  const { stdout } = await run(ffprobeBin(), [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_streams',
    '-print_format',
    'json',
    file,
  ]);
  const parsed = JSON.parse(stdout) as { streams?: StreamInfo[] };
  return parsed.streams?.[0] ?? {};
}

/** Clockwise display rotation as ffprobe reports it (display matrix, else the legacy tag). */
async function clockwiseRotation(file: string): Promise<number> {
  const s = await probeStream(file);
  const ccw = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const cw = ccw !== undefined ? -ccw : Number(s.tags?.rotate ?? 0);
  return ((cw % 360) + 360) % 360;
}

/**
 * Remuxes with a display rotation. ffmpeg ≥ 6 has `-display_rotation` (counter-clockwise); 5.x
 * only takes the `rotate` stream tag, whose direction changed between releases, so each way is
 * tried and the result checked with ffprobe.
 */
async function setRotation(input: string, output: string, clockwise: 90 | 180 | 270): Promise<void> {
  const attempts: string[][] = [
    ['-display_rotation:v:0', String(-clockwise), '-i', input, '-c', 'copy', output],
    ['-i', input, '-c', 'copy', '-metadata:s:v:0', `rotate=${clockwise}`, output],
    ['-i', input, '-c', 'copy', '-metadata:s:v:0', `rotate=${(360 - clockwise) % 360}`, output],
  ];
  const failures: string[] = [];
  for (const args of attempts) {
    try {
      await ffmpeg(args);
      const got = await clockwiseRotation(output);
      if (got === clockwise) return;
      failures.push(`${args.join(' ')} → ${got}°`);
    } catch (error) {
      failures.push(error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error));
    }
  }
  throw new Error(`could not give a test video a ${clockwise}° rotation: ${failures.join('; ')}`);
}

/** Deterministic bytes (xorshift32), so "random" input behaves the same on every run. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
