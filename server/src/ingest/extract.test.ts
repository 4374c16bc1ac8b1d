import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskroomError } from '@maskroom/shared';
import { fakeTool, isAlive } from '../test/fake-tools.js';
import { cornerColors, jpegSize, readRgb } from '../test/images.js';
import { makeVideo } from '../test/videos.js';
import type { MakeVideoOptions, VideoKind } from '../test/videos.js';
import { extractFrames, frameName, listFrames } from './extract.js';
import type { ExtractOptions, ExtractResult } from './extract.js';
import { planExtraction } from './plan.js';
import type { ExtractionPlan } from './plan.js';
import { probeVideo } from './probe.js';
import type { VideoProbe } from './probe.js';
import { makeThumbnail } from './thumbnail.js';
import { resolveFfmpegTools } from './tools.js';
import type { FfmpegTools } from './tools.js';

const LIMITS = { maxDurationSec: 60, maxWidth: 1920, maxHeight: 1080 };
let dir: string;
let tools: FfmpegTools;
let outCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-extract-'));
  tools = await resolveFfmpegTools(process.env);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const newOutDir = (): string => path.join(dir, 'out', String(++outCount));

interface Extracted {
  probe: VideoProbe;
  plan: ExtractionPlan;
  result: ExtractResult;
  outDir: string;
  progress: Array<[number, number]>;
}

async function extract(
  kind: VideoKind,
  opts: { video?: MakeVideoOptions; maxFrames?: number; extract?: ExtractOptions } = {},
): Promise<Extracted> {
  const file = await makeVideo(dir, kind, opts.video);
  const probe = await probeVideo(tools, file, LIMITS);
  const plan = planExtraction(probe, { maxFrames: opts.maxFrames ?? 900 });
  const outDir = newOutDir();
  const progress: Array<[number, number]> = [];
  const result = await extractFrames(tools, file, outDir, probe, plan, {
    onProgress: (done, total) => progress.push([done, total]),
    ...opts.extract,
  });
  return { probe, plan, result, outDir, progress };
}

async function rejection(p: Promise<unknown>): Promise<MaskroomError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(MaskroomError);
  return error as MaskroomError;
}

/** Checks the folder holds exactly 000000.jpg … (n-1) and nothing else. */
async function expectContiguous(outDir: string, n: number): Promise<void> {
  const names = (await readdir(outDir)).sort();
  expect(names).toEqual(Array.from({ length: n }, (_, i) => frameName(i)));
}

/** Horizontal centre of the moving yellow square in a frame (see test/videos.ts), in pixels. */
async function yellowCentre(file: string): Promise<number> {
  const img = await readRgb(file);
  const side = Math.floor(img.height / 4);
  const y = Math.floor((img.height * 3) / 8 + side / 2); // middle of the square's rows
  const xs: number[] = [];
  for (let x = 0; x < img.width; x++) {
    const i = (y * img.width + x) * 3;
    const [r, g, b] = [img.data[i] ?? 0, img.data[i + 1] ?? 0, img.data[i + 2] ?? 0];
    if (r > 170 && g > 170 && b < 90) xs.push(x);
  }
  expect(xs.length, `no yellow in ${file}`).toBeGreaterThan(side / 2);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The yellow square of a 160×120 test frame is where it is at `t` ± `slack` seconds. */
async function expectYellowAt(file: string, t: number, slack: number): Promise<void> {
  const travel = 160 - 30;
  const at = (time: number): number => travel * (time % 1) + 15 - 0.5;
  const centre = await yellowCentre(file);
  const [lo, hi] = [at(t - slack) - 1.5, at(t + slack) + 1.5];
  expect(
    centre,
    `yellow centre outside [${lo.toFixed(1)}, ${hi.toFixed(1)}] at t = ${t.toFixed(3)} s`,
  ).toBeGreaterThanOrEqual(lo);
  expect(
    centre,
    `yellow centre outside [${lo.toFixed(1)}, ${hi.toFixed(1)}] at t = ${t.toFixed(3)} s`,
  ).toBeLessThanOrEqual(hi);
}

describe('extractFrames', () => {
  it.each([
    ['h264-mp4', 160, 120],
    ['vp9-webm', 160, 120],
    ['streamed-webm', 160, 120],
    ['mjpeg-avi', 160, 120],
    ['odd-size', 161, 97],
    ['anamorphic', 320, 180],
  ] as const)('%s: planned count, contiguous names, displayed size, upright', async (kind, width, height) => {
    const { probe, plan, result, outDir } = await extract(kind);
    expect(Math.abs(result.numFrames - plan.expectedFrames)).toBeLessThanOrEqual(1);
    expect(result.numFrames).toBe(Math.round(probe.durationSec * probe.sourceFps));
    await expectContiguous(outDir, result.numFrames);
    expect(result.bytes).toBeGreaterThan(result.numFrames * 500);
    for (const i of [0, result.numFrames - 1]) {
      expect(await jpegSize(path.join(outDir, frameName(i)))).toEqual({ width, height });
    }
    expect(cornerColors(await readRgb(path.join(outDir, frameName(0))))).toEqual({
      tl: 'red',
      tr: 'other',
      bl: 'other',
      br: 'blue',
    });
    // Moving content: frames differ.
    const first = await readFile(path.join(outDir, frameName(0)));
    const later = await readFile(path.join(outDir, frameName(Math.floor(result.numFrames / 2))));
    expect(first.equals(later)).toBe(false);
  });

  it('turns a portrait phone clip upright: size swapped and the picture really rotated 90° clockwise', async () => {
    const { probe, result, outDir } = await extract('portrait-rotated');
    expect(probe).toMatchObject({ width: 96, height: 160, rotation: 90 });
    expect(await jpegSize(path.join(outDir, frameName(0)))).toEqual({ width: 96, height: 160 });
    // Coded top-left red goes to the top-right, bottom-right blue to the bottom-left.
    expect(cornerColors(await readRgb(path.join(outDir, frameName(0))))).toEqual({
      tl: 'other',
      tr: 'red',
      bl: 'blue',
      br: 'other',
    });
    expect(result.numFrames).toBe(60);
  });

  it('turns a clip rotated 270° clockwise the other way', async () => {
    const { outDir } = await extract('portrait-rotated', { video: { rotation: 270 } });
    expect(await jpegSize(path.join(outDir, frameName(0)))).toEqual({ width: 96, height: 160 });
    // A quarter turn counter-clockwise: top-left red to the bottom-left, bottom-right blue to the top-right.
    expect(cornerColors(await readRgb(path.join(outDir, frameName(0))))).toEqual({
      tl: 'other',
      tr: 'blue',
      bl: 'red',
      br: 'other',
    });
  });

  it('samples at the processing rate: frame i shows the source at about i / fps seconds', async () => {
    // 2 s at 30 fps capped to 20 frames: 10 fps, so frame i is source time i/10 (± half a frame
    // of the output rate: ffmpeg's fps filter keeps the source frame nearest each output slot).
    const { plan, result, outDir } = await extract('h264-mp4', { maxFrames: 20 });
    expect(plan.processingFps).toBe(10);
    expect(result.numFrames).toBe(20);
    await expectContiguous(outDir, 20);
    for (const i of [3, 5, 7, 13]) {
      await expectYellowAt(path.join(outDir, frameName(i)), i / 10, 0.05);
    }
  });

  it('turns variable frame rate into the planned constant rate', async () => {
    const { probe, plan, result, outDir } = await extract('vfr');
    expect(probe.vfr).toBe(true);
    expect(Math.abs(result.numFrames - plan.expectedFrames)).toBeLessThanOrEqual(1);
    await expectContiguous(outDir, result.numFrames);
    // At a constant ~10 fps, frame i shows time i/fps in the 10 fps half and in the 30 fps half alike.
    const fixed = await extract('vfr', { maxFrames: 20 });
    expect(fixed.plan.processingFps).toBeCloseTo(10.169, 3); // floor(20 / 1.9667 · 1000) / 1000
    expect(fixed.result.numFrames).toBe(20);
    for (const i of [3, 5, 13, 17]) {
      const t = i / fixed.plan.processingFps;
      const slack = 0.5 / fixed.plan.processingFps + (t < 1 ? 0.05 : 1 / 60);
      await expectYellowAt(path.join(fixed.outDir, frameName(i)), t, slack);
    }
  });

  it('never writes more than maxFrames', async () => {
    const { plan, result, outDir } = await extract('long', { video: { durationSec: 10 }, maxFrames: 45 });
    expect(plan).toMatchObject({ processingFps: 4.5, expectedFrames: 45 });
    expect(result.numFrames).toBeLessThanOrEqual(45);
    expect(result.numFrames).toBeGreaterThanOrEqual(44);
    await expectContiguous(outDir, result.numFrames);
  });

  it('reports progress: monotonic, within the total, throttled, ending at the frame count', async () => {
    const started = Date.now();
    const { result, progress } = await extract('long', { video: { durationSec: 20 }, maxFrames: 600 });
    const elapsed = Date.now() - started;
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
    }
    for (const [done, total] of progress.slice(0, -1)) {
      expect(total).toBe(600);
      expect(done).toBeLessThanOrEqual(total);
    }
    expect(progress.at(-1)).toEqual([result.numFrames, result.numFrames]);
    // ≤ 10 a second (plus the first and the closing call).
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
  });

  it('writes into a folder whose name holds a % sign', async () => {
    const file = await makeVideo(dir, 'mjpeg-avi');
    const probe = await probeVideo(tools, file, LIMITS);
    const outDir = path.join(dir, 'out', '100%d frames');
    const { numFrames } = await extractFrames(
      tools,
      file,
      outDir,
      probe,
      planExtraction(probe, { maxFrames: 900 }),
    );
    expect(numFrames).toBe(30);
    await expectContiguous(outDir, 30);
  });

  it('fails a truncated mp4 with INGEST_FAILED and the useful end of ffmpeg’s log', async () => {
    const file = await makeVideo(dir, 'truncated-mp4');
    const probe = await probeVideo(tools, file, LIMITS); // its header still describes 2 s
    const error = await rejection(
      extractFrames(tools, file, newOutDir(), probe, planExtraction(probe, { maxFrames: 900 })),
    );
    expect(error.code).toBe('INGEST_FAILED');
    expect(error.message).toMatch(/stops early .* truncated or damaged/);
    const stderr = String(error.details?.stderr);
    expect(stderr).toMatch(/partial file|Invalid data|corrupt/);
    expect(stderr.split('\n').length).toBeLessThanOrEqual(8);
    expect(stderr).not.toContain(dir);
  });

  it('refuses a folder that already holds files', async () => {
    const file = await makeVideo(dir, 'h264-mp4');
    const probe = await probeVideo(tools, file, LIMITS);
    const outDir = newOutDir();
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, frameName(0)), 'stale');
    const error = await rejection(
      extractFrames(tools, file, outDir, probe, planExtraction(probe, { maxFrames: 900 })),
    );
    expect(error.code).toBe('INTERNAL');
  });

  describe('cancellation', () => {
    it('kills ffmpeg, rejects with CANCELLED once it is gone, and leaves a removable folder', async () => {
      const file = await makeVideo(dir, 'long', { durationSec: 30 });
      const probe = await probeVideo(tools, file, LIMITS);
      const plan = planExtraction(probe, { maxFrames: 900 });
      const outDir = newOutDir();
      const controller = new AbortController();
      let pid = 0;
      const progress: number[] = [];
      const error = await rejection(
        extractFrames(tools, file, outDir, probe, plan, {
          signal: controller.signal,
          onSpawn: (p) => (pid = p),
          onProgress: (done) => {
            progress.push(done);
            controller.abort();
          },
        }),
      );
      expect(error.code).toBe('CANCELLED');
      expect(pid).toBeGreaterThan(0);
      expect(isAlive(pid)).toBe(false);
      expect(progress.length).toBe(1);
      const written = (await readdir(outDir)).length;
      expect(written).toBeLessThan(900);
      await new Promise((r) => setTimeout(r, 200));
      expect((await readdir(outDir)).length).toBe(written); // nothing writes any more
      await rm(outDir, { recursive: true });
      expect(existsSync(outDir)).toBe(false);
    });

    it('escalates to SIGKILL when ffmpeg ignores SIGTERM', async () => {
      const stubborn = await fakeTool(dir, 'stubborn-ffmpeg', "trap '' TERM\nexec sleep 30");
      const file = await makeVideo(dir, 'h264-mp4');
      const probe = await probeVideo(tools, file, LIMITS);
      const controller = new AbortController();
      let pid = 0;
      const started = Date.now();
      const pending = extractFrames(
        { ...tools, ffmpeg: { ...tools.ffmpeg, path: stubborn } },
        file,
        newOutDir(),
        probe,
        planExtraction(probe, { maxFrames: 900 }),
        {
          signal: controller.signal,
          killGraceMs: 300,
          onSpawn: (p) => {
            pid = p;
            setTimeout(() => controller.abort(), 100);
          },
        },
      );
      const error = await rejection(pending);
      const elapsed = Date.now() - started;
      expect(error.code).toBe('CANCELLED');
      expect(elapsed).toBeGreaterThanOrEqual(380); // 100 ms + the 300 ms grace: SIGTERM was ignored
      expect(elapsed).toBeLessThan(5000);
      expect(isAlive(pid)).toBe(false);
    });

    it('does not start ffmpeg when the signal is already aborted', async () => {
      const file = await makeVideo(dir, 'h264-mp4');
      const probe = await probeVideo(tools, file, LIMITS);
      const outDir = newOutDir();
      const error = await rejection(
        extractFrames(tools, file, outDir, probe, planExtraction(probe, { maxFrames: 900 }), {
          signal: AbortSignal.abort(),
        }),
      );
      expect(error.code).toBe('CANCELLED');
      expect(existsSync(outDir)).toBe(false);
    });
  });

  describe('failures (ffmpeg stand-ins)', () => {
    let probe: VideoProbe;
    let plan: ExtractionPlan;
    let file: string;
    beforeAll(async () => {
      file = await makeVideo(dir, 'h264-mp4');
      probe = await probeVideo(tools, file, LIMITS);
      plan = planExtraction(probe, { maxFrames: 900 });
    });
    const withFfmpeg = (p: string): FfmpegTools => ({ ...tools, ffmpeg: { ...tools.ffmpeg, path: p } });

    it('maps a full disk to STORAGE_FULL', async () => {
      const full = await fakeTool(
        dir,
        'full-ffmpeg',
        'echo "x" > "$OUTDIR/000000.jpg"\n' +
          'echo "[image2 @ 0x55d0] Could not write frame: No space left on device" >&2\n' +
          'echo "av_interleaved_write_frame(): No space left on device" >&2\nexit 1',
      );
      const error = await rejection(extractFrames(withFfmpeg(full), file, newOutDir(), probe, plan));
      expect(error.code).toBe('STORAGE_FULL');
    });

    it('fails with INGEST_FAILED and the last error line on a non-zero exit', async () => {
      const failing = await fakeTool(
        dir,
        'failing-ffmpeg',
        'i=0; while [ $i -lt 50 ]; do echo "[swscaler @ 0x1] deprecated pixel format used, make sure you did set range correctly" >&2; i=$((i+1)); done\n' +
          'echo "[h264 @ 0x5612] decode_slice_header error" >&2\n' +
          'echo "Error while decoding stream #0:0: Invalid data found when processing input" >&2\nexit 187',
      );
      const error = await rejection(extractFrames(withFfmpeg(failing), file, newOutDir(), probe, plan));
      expect(error.code).toBe('INGEST_FAILED');
      expect(error.message).toBe(
        'The video could not be decoded into frames: Error while decoding stream #0:0: Invalid data found when processing input',
      );
      expect(error.details?.stderr).toBe(
        '[h264] decode_slice_header error\nError while decoding stream #0:0: Invalid data found when processing input',
      );
      expect(error.details?.code).toBe(187);
    });

    it('fails with INGEST_FAILED when ffmpeg exits 0 without writing a frame', async () => {
      const silent = await fakeTool(dir, 'silent-ffmpeg', 'exit 0');
      const error = await rejection(extractFrames(withFfmpeg(silent), file, newOutDir(), probe, plan));
      expect(error.code).toBe('INGEST_FAILED');
      expect(error.message).toMatch(/No frame could be decoded/);
    });

    it('fails with INGEST_FAILED when the frames have a gap', async () => {
      const gappy = await fakeTool(
        dir,
        'gappy-ffmpeg',
        'for n in 000000 000001 000003; do echo x > "$OUTDIR/$n.jpg"; done\nexit 0',
      );
      const error = await rejection(
        extractFrames(withFfmpeg(gappy), file, newOutDir(), probe, { ...plan, expectedFrames: 3 }),
      );
      expect(error.code).toBe('INGEST_FAILED');
      expect(error.message).toMatch(/not numbered contiguously/);
    });

    it('survives an onProgress callback that throws', async () => {
      const outDir = newOutDir();
      const result = await extractFrames(tools, file, outDir, probe, plan, {
        onProgress: () => {
          throw new Error('listener bug');
        },
      });
      expect(result.numFrames).toBe(60);
    });
  });
});

describe('listFrames', () => {
  it('counts 000000.jpg … and their bytes, ignoring other files', async () => {
    const d = newOutDir();
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, '000000.jpg'), 'ab');
    await writeFile(path.join(d, '000001.jpg'), 'cde');
    await writeFile(path.join(d, 'notes.txt'), 'ignored');
    expect(await listFrames(d)).toEqual({ numFrames: 2, bytes: 5 });
    await writeFile(path.join(d, '1.jpg'), 'too short a name');
    expect(await listFrames(d)).toEqual({ numFrames: 2, bytes: 5 });
  });
});

describe('makeThumbnail', () => {
  let frame: string;
  beforeAll(async () => {
    const { outDir } = await extract('odd-size');
    frame = path.join(outDir, frameName(0));
  });

  it('scales down to maxWidth keeping the aspect ratio, and never up', async () => {
    const small = path.join(dir, 'thumb-small.jpg');
    await makeThumbnail(tools, frame, small, 100);
    expect(await jpegSize(small)).toEqual({ width: 100, height: 60 }); // 97 · 100/161 = 60.2
    const same = path.join(dir, 'thumb-same.jpg');
    await makeThumbnail(tools, frame, same);
    expect(await jpegSize(same)).toEqual({ width: 161, height: 97 });
    expect(cornerColors(await readRgb(small)).tl).toBe('red');
  });

  it('maps a full disk to STORAGE_FULL (a thumbnail written to /dev/full)', async () => {
    if (!existsSync('/dev/full')) return;
    const target = path.join(dir, 'thumb-full.jpg');
    await symlink('/dev/full', target);
    const error = await rejection(makeThumbnail(tools, frame, target));
    expect(error.code).toBe('STORAGE_FULL');
  });

  it('fails with INGEST_FAILED on a frame that is not a JPEG', async () => {
    const bogus = path.join(dir, 'bogus.jpg');
    await writeFile(bogus, 'not a jpeg');
    const error = await rejection(makeThumbnail(tools, bogus, path.join(dir, 'thumb-bogus.jpg')));
    expect(error.code).toBe('INGEST_FAILED');
    expect(error.message).not.toContain(dir);
  });
});
