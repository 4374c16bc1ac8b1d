import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskroomError } from '@maskroom/shared';
import { fakeTool } from '../test/fake-tools.js';
import { jpegSize } from '../test/images.js';
import { makeVideo } from '../test/videos.js';
import { ingestVideo } from './ingest.js';
import { IngestQueue } from './queue.js';
import { resolveFfmpegTools } from './tools.js';
import type { FfmpegTools } from './tools.js';

const LIMITS = { maxDurationSec: 60, maxWidth: 1920, maxHeight: 1080 };
let dir: string;
let tools: FfmpegTools;
/** Real ffprobe, and an "ffmpeg" that only records that it was called. */
let tripwire: FfmpegTools;
let tripwireMark: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-ingest-'));
  tools = await resolveFfmpegTools(process.env);
  tripwireMark = path.join(dir, 'ffmpeg-was-called');
  const fake = await fakeTool(dir, 'tripwire-ffmpeg', `touch '${tripwireMark}'\nexit 1`);
  tripwire = { ...tools, ffmpeg: { ...tools.ffmpeg, path: fake } };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const job = () => {
  const root = path.join(dir, `job-${++n}`);
  return { framesDir: path.join(root, 'frames'), thumbnailFile: path.join(root, 'thumb.jpg') };
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MaskroomError);
  return (error as MaskroomError).code;
}

describe('ingestVideo', () => {
  it('probes, plans, extracts and makes the thumbnail, reporting each step in order', async () => {
    const file = await makeVideo(dir, 'portrait-rotated');
    const out = job();
    const events: string[] = [];
    const result = await ingestVideo(tools, file, {
      limits: LIMITS,
      maxFrames: 30,
      ...out,
      thumbnailWidth: 48,
      onProbed: async (probe, plan) => {
        events.push(`probed ${probe.width}x${probe.height} @${plan.processingFps}`);
        expect(existsSync(out.framesDir)).toBe(false); // awaited before anything is extracted
      },
      onExtracting: () => events.push('extracting'),
      onProgress: (done, total) => events.push(`progress ${done}/${total}`),
    });
    expect(events[0]).toBe('probed 96x160 @15');
    expect(events[1]).toBe('extracting');
    expect(events.at(-1)).toBe(`progress ${result.numFrames}/${result.numFrames}`);
    expect(result).toMatchObject({ numFrames: 30, plan: { processingFps: 15, expectedFrames: 30 } });
    expect(result.framesBytes).toBeGreaterThan(0);
    expect((await readdir(out.framesDir)).length).toBe(30);
    expect(await jpegSize(out.thumbnailFile)).toEqual({ width: 48, height: 80 });
  });

  it.each([
    ['too long', 'long', { durationSec: 12 }, { ...LIMITS, maxDurationSec: 10 }, 'VIDEO_TOO_LONG'],
    ['too large', 'h264-mp4', {}, { ...LIMITS, maxWidth: 100, maxHeight: 100 }, 'RESOLUTION_TOO_HIGH'],
    ['audio only', 'audio-only', {}, LIMITS, 'UNSUPPORTED_MEDIA'],
    ['a still image', 'png-image', {}, LIMITS, 'UNSUPPORTED_MEDIA'],
  ] as const)(
    'refuses a video %s before running ffmpeg or creating any folder',
    async (_what, kind, video, limits, code) => {
      const out = job();
      await rm(tripwireMark, { force: true });
      const file = await makeVideo(dir, kind, video);
      expect(await codeOf(ingestVideo(tripwire, file, { limits, maxFrames: 900, ...out }))).toBe(code);
      expect(existsSync(tripwireMark)).toBe(false);
      expect(existsSync(path.dirname(out.framesDir))).toBe(false);
    },
  );

  it('waits for a queue slot, and a cancel while waiting never starts ffmpeg', async () => {
    const queue = new IngestQueue({ concurrency: 1 });
    let release!: () => void;
    const blocker = queue.run(() => new Promise<void>((r) => (release = r)));
    const file = await makeVideo(dir, 'h264-mp4');
    const controller = new AbortController();
    await rm(tripwireMark, { force: true });
    let probed = false;
    const pending = ingestVideo(tripwire, file, {
      limits: LIMITS,
      maxFrames: 900,
      ...job(),
      queue,
      signal: controller.signal,
      onProbed: () => {
        probed = true;
      },
    });
    await expect.poll(() => queue.waiting).toBe(1);
    expect(probed).toBe(true); // probing does not wait for a slot
    controller.abort();
    expect(await codeOf(pending)).toBe('CANCELLED');
    release();
    await blocker;
    expect(existsSync(tripwireMark)).toBe(false);
  });

  it('runs through the queue once a slot is free', async () => {
    const queue = new IngestQueue({ concurrency: 1 });
    const file = await makeVideo(dir, 'mjpeg-avi');
    const results = await Promise.all(
      [1, 2].map(() => ingestVideo(tools, file, { limits: LIMITS, maxFrames: 900, ...job(), queue })),
    );
    expect(results.map((r) => r.numFrames)).toEqual([30, 30]);
  });
});
