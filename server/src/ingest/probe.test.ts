import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskroomError } from '@maskroom/shared';
import type { ErrorCode } from '@maskroom/shared';
import { makeVideo } from '../test/videos.js';
import type { VideoKind } from '../test/videos.js';
import {
  interpretProbe,
  parseClock,
  parsePacketTimes,
  parseRational,
  probeVideo,
  readRotation,
} from './probe.js';
import type { ProbeLimits, VideoProbe } from './probe.js';
import { resolveFfmpegTools } from './tools.js';
import type { FfmpegTools } from './tools.js';

const LIMITS: ProbeLimits = { maxDurationSec: 60, maxWidth: 1920, maxHeight: 1080 };
let dir: string;
let tools: FfmpegTools;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-probe-'));
  tools = await resolveFfmpegTools(process.env);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(MaskroomError);
  const { code, message } = error as MaskroomError;
  return { code, message };
}

describe('probeVideo on generated files', () => {
  const cases: Array<[VideoKind, Partial<VideoProbe>]> = [
    [
      'h264-mp4',
      {
        codec: 'h264',
        width: 160,
        height: 120,
        rotation: 0,
        sourceFps: 30,
        vfr: false,
        durationSec: 2,
        frameCount: 60,
        hasAudio: true,
      },
    ],
    [
      'vp9-webm',
      { codec: 'vp9', container: 'matroska,webm', width: 160, height: 120, sourceFps: 25, durationSec: 2 },
    ],
    [
      'mjpeg-avi',
      { codec: 'mjpeg', container: 'avi', width: 160, height: 120, sourceFps: 15, durationSec: 2 },
    ],
    [
      'portrait-rotated',
      {
        codec: 'h264',
        width: 96,
        height: 160,
        codedWidth: 160,
        codedHeight: 96,
        rotation: 90,
        sourceFps: 30,
      },
    ],
    ['odd-size', { codec: 'vp9', width: 161, height: 97, codedWidth: 161, codedHeight: 97, durationSec: 1 }],
    [
      'anamorphic',
      { width: 320, height: 180, codedWidth: 240, codedHeight: 180, sampleAspectRatio: 4 / 3, sourceFps: 25 },
    ],
  ];
  it.each(cases)('%s', async (kind, expected) => {
    const probe = await probeVideo(tools, await makeVideo(dir, kind), LIMITS);
    expect(probe).toMatchObject(expected);
    expect(probe.streamIndex).toBe(0);
    expect(probe.durationSec).toBeGreaterThan(0);
  });

  it('measures a webm whose header has no duration (as browsers record them) from its packets', async () => {
    const probe = await probeVideo(tools, await makeVideo(dir, 'streamed-webm'), LIMITS);
    expect(probe).toMatchObject({ codec: 'vp8', width: 160, height: 120, sourceFps: 30, frameCount: 90 });
    expect(probe.durationSec).toBeCloseTo(3, 2);
    const long = await makeVideo(dir, 'streamed-webm', { durationSec: 12 });
    const error = await probeVideo(tools, long, { ...LIMITS, maxDurationSec: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIDEO_TOO_LONG' });
  });

  it('keeps the portrait clip rotated the other way apart (270° clockwise)', async () => {
    const probe = await probeVideo(
      tools,
      await makeVideo(dir, 'portrait-rotated', { rotation: 270 }),
      LIMITS,
    );
    expect(probe).toMatchObject({ rotation: 270, width: 96, height: 160 });
  });

  it('sees the variable frame rate clip as VFR with its average rate', async () => {
    const probe = await probeVideo(tools, await makeVideo(dir, 'vfr'), LIMITS);
    expect(probe.vfr).toBe(true);
    // 10 frames in the first second, 30 in the second: 40 frames over ~2 s.
    expect(probe.frameCount).toBe(40);
    expect(probe.sourceFps).toBeGreaterThan(19);
    expect(probe.sourceFps).toBeLessThan(21);
    expect(probe.durationSec).toBeGreaterThan(1.9);
    expect(probe.durationSec).toBeLessThanOrEqual(2);
  });

  const bad: Array<[VideoKind, ErrorCode, RegExp]> = [
    ['empty', 'UNSUPPORTED_MEDIA', /empty/],
    ['text-as-mp4', 'UNSUPPORTED_MEDIA', /not a video/],
    ['random-bytes', 'UNSUPPORTED_MEDIA', /not a video/],
    ['audio-only', 'UNSUPPORTED_MEDIA', /no video track.*only audio/],
    ['png-image', 'UNSUPPORTED_MEDIA', /still image \(PNG\)/],
    ['jpeg-image', 'UNSUPPORTED_MEDIA', /still image \(JPEG\)/],
  ];
  it.each(bad)('refuses %s with %s', async (kind, code, message) => {
    const got = await codeOf(probeVideo(tools, await makeVideo(dir, kind), LIMITS));
    expect(got.code).toBe(code);
    expect(got.message).toMatch(message);
    expect(got.message).not.toContain(dir); // no server paths in user messages
  });

  it('refuses a video longer than the limit', async () => {
    const file = await makeVideo(dir, 'long', { durationSec: 12 });
    const got = await codeOf(probeVideo(tools, file, { ...LIMITS, maxDurationSec: 10 }));
    expect(got).toEqual({ code: 'VIDEO_TOO_LONG', message: 'The video is 12.0 s long; the limit is 10 s.' });
    await expect(probeVideo(tools, file, { ...LIMITS, maxDurationSec: 12 })).resolves.toMatchObject({
      durationSec: 12,
    });
  });

  it('refuses a displayed size over the limit, whatever the orientation of the limit', async () => {
    const landscape = await makeVideo(dir, 'h264-mp4');
    const got = await codeOf(probeVideo(tools, landscape, { ...LIMITS, maxWidth: 150, maxHeight: 150 }));
    expect(got).toEqual({
      code: 'RESOLUTION_TOO_HIGH',
      message: 'The video is 160×120; the limit is 150×150.',
    });
    // Portrait 96×160 fits a landscape 160×96 limit, but not 160×90.
    const portrait = await makeVideo(dir, 'portrait-rotated');
    await expect(
      probeVideo(tools, portrait, { ...LIMITS, maxWidth: 160, maxHeight: 96 }),
    ).resolves.toBeDefined();
    expect(
      (await codeOf(probeVideo(tools, portrait, { ...LIMITS, maxWidth: 160, maxHeight: 90 }))).code,
    ).toBe('RESOLUTION_TOO_HIGH');
    // The anamorphic clip is coded 240 wide but shown 320 wide: the displayed size counts.
    const anamorphic = await makeVideo(dir, 'anamorphic');
    expect(
      (await codeOf(probeVideo(tools, anamorphic, { ...LIMITS, maxWidth: 300, maxHeight: 300 }))).code,
    ).toBe('RESOLUTION_TOO_HIGH');
  });

  it('reads a file whose name has no extension (uploads are stored as "source")', async () => {
    const { copyFile } = await import('node:fs/promises');
    const plain = path.join(dir, 'source');
    await copyFile(await makeVideo(dir, 'vp9-webm'), plain);
    await expect(probeVideo(tools, plain, LIMITS)).resolves.toMatchObject({ codec: 'vp9', width: 160 });
  });

  it('rejects with CANCELLED when the signal is already aborted', async () => {
    const got = await codeOf(
      probeVideo(tools, await makeVideo(dir, 'h264-mp4'), LIMITS, AbortSignal.abort()),
    );
    expect(got.code).toBe('CANCELLED');
  });
});

/** A minimal ffprobe answer with one video stream; `stream`/`format` fields override. */
function ffprobeJson(
  stream: Record<string, unknown> = {},
  format: Record<string, unknown> = {},
  extra: unknown[] = [],
) {
  return {
    streams: [
      ...extra,
      {
        index: extra.length,
        codec_name: 'h264',
        codec_type: 'video',
        width: 1920,
        height: 1080,
        sample_aspect_ratio: '1:1',
        r_frame_rate: '30/1',
        avg_frame_rate: '30/1',
        duration: '10.000000',
        nb_frames: '300',
        pix_fmt: 'yuv420p',
        disposition: { attached_pic: 0 },
        ...stream,
      },
    ],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.000000', ...format },
  };
}

const BIG: ProbeLimits = { maxDurationSec: 60, maxWidth: 3840, maxHeight: 3840 };

describe('interpretProbe', () => {
  it('turns a display matrix of -90° (a phone held upright) into 90° clockwise and swaps the size', () => {
    const p = interpretProbe(
      ffprobeJson({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }),
      BIG,
    );
    expect(p).toMatchObject({ rotation: 90, width: 1080, height: 1920, codedWidth: 1920, codedHeight: 1080 });
  });

  it.each([
    [{ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }, 270],
    [{ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] }, 180],
    [{ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -180 }] }, 180],
    [{ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -89.99 }] }, 90],
    [{ tags: { rotate: '90' } }, 90],
    [{ tags: { rotate: '270' } }, 270],
    [{ tags: { rotate: '-90' } }, 270],
    [{ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 0 }], tags: { rotate: '90' } }, 0],
    [{}, 0],
  ])('rotation of %j is %i° clockwise', (stream, expected) => {
    expect(readRotation(stream)).toBe(expected);
  });

  it('keeps the size for 180° and scales the width by the pixel aspect ratio before rotating', () => {
    expect(
      interpretProbe(
        ffprobeJson({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] }),
        BIG,
      ),
    ).toMatchObject({ width: 1920, height: 1080 });
    // DVD NTSC 4:3: 720×480 with 8:9 pixels → 640×480.
    expect(
      interpretProbe(ffprobeJson({ width: 720, height: 480, sample_aspect_ratio: '8:9' }), BIG),
    ).toMatchObject({
      width: 640,
      height: 480,
      sampleAspectRatio: 8 / 9,
    });
    // 1440×1080 with 4:3 pixels (HDV), rotated: 1080×1920.
    expect(
      interpretProbe(
        ffprobeJson({ width: 1440, height: 1080, sample_aspect_ratio: '4:3', tags: { rotate: '90' } }),
        BIG,
      ),
    ).toMatchObject({ width: 1080, height: 1920 });
    // 161 wide with 3:2 pixels is 241.5: rounded to an even width.
    expect(
      interpretProbe(ffprobeJson({ width: 161, height: 97, sample_aspect_ratio: '3:2' }), BIG).width,
    ).toBe(242);
  });

  it('treats unknown pixel aspect ratios as square', () => {
    for (const sar of ['0:1', 'N/A', undefined]) {
      expect(interpretProbe(ffprobeJson({ sample_aspect_ratio: sar }), BIG)).toMatchObject({
        width: 1920,
        sampleAspectRatio: 1,
      });
    }
  });

  it('skips attached pictures (cover art) and takes the real video stream', () => {
    const cover = {
      index: 0,
      codec_type: 'video',
      codec_name: 'mjpeg',
      width: 600,
      height: 600,
      disposition: { attached_pic: 1 },
    };
    const p = interpretProbe(ffprobeJson({}, {}, [cover]), BIG);
    expect(p).toMatchObject({ streamIndex: 1, codec: 'h264', width: 1920 });
  });

  it('says "audio only" when the only picture is cover art', () => {
    const json = {
      streams: [
        { index: 0, codec_type: 'audio', codec_name: 'mp3' },
        {
          index: 1,
          codec_type: 'video',
          codec_name: 'png',
          width: 500,
          height: 500,
          disposition: { attached_pic: 1 },
        },
      ],
      format: { format_name: 'mp3', duration: '100' },
    };
    expect(() => interpretProbe(json, BIG)).toThrow(/only audio/);
  });

  it('reads the duration from the stream, its Matroska tag, or the container', () => {
    expect(interpretProbe(ffprobeJson({ duration: '8.5' }, { duration: '9.1' }), BIG).durationSec).toBe(8.5);
    expect(
      interpretProbe(
        ffprobeJson({ duration: undefined, tags: { DURATION: '00:00:07.250000000' } }, { duration: '9' }),
        BIG,
      ).durationSec,
    ).toBe(7.25);
    expect(interpretProbe(ffprobeJson({ duration: undefined }, { duration: '9.1' }), BIG).durationSec).toBe(
      9.1,
    );
    expect(interpretProbe(ffprobeJson({ duration: '6' }, { duration: undefined }), BIG).durationSec).toBe(6);
  });

  it('takes a missing duration from the packet scan, and refuses when even that is unknown', () => {
    const json = ffprobeJson({ duration: undefined, nb_frames: undefined }, { duration: 'N/A' });
    expect(interpretProbe(json, BIG, { count: 150, durationSec: 5.2 })).toMatchObject({
      durationSec: 5.2,
      frameCount: 150,
    });
    // Packets without timestamps: count / rate.
    expect(interpretProbe(json, BIG, { count: 150, durationSec: null })).toMatchObject({ durationSec: 5 });
    expect(() => interpretProbe(json, BIG, { count: 1, durationSec: null })).toThrow(/single still picture/);
    expect(() => interpretProbe(json, BIG, null)).toThrow(/length of this video cannot be determined/);
  });

  it('parses the packet scan', () => {
    expect(parsePacketTimes('0.000000,0.033000\n0.033000,0.033000\n0.066000,0.034000\n')).toEqual({
      count: 3,
      durationSec: 0.1,
    });
    expect(parsePacketTimes('N/A,N/A\nN/A,N/A\n')).toEqual({ count: 2, durationSec: null });
    expect(parsePacketTimes('')).toBeNull();
  });

  it('falls back from a 0/0 average frame rate to the base rate, then to frames / duration', () => {
    expect(interpretProbe(ffprobeJson({ avg_frame_rate: '0/0', r_frame_rate: '25/1' }), BIG).sourceFps).toBe(
      25,
    );
    expect(
      interpretProbe(ffprobeJson({ avg_frame_rate: '0/0', r_frame_rate: '0/0', nb_frames: '240' }), BIG)
        .sourceFps,
    ).toBe(24);
    expect(() =>
      interpretProbe(
        ffprobeJson({ avg_frame_rate: '0/0', r_frame_rate: '90000/0', nb_frames: undefined }),
        BIG,
      ),
    ).toThrow(/frame rate of this video cannot be determined/);
  });

  it('flags variable frame rate when the base and average rates differ', () => {
    expect(interpretProbe(ffprobeJson({ r_frame_rate: '30/1', avg_frame_rate: '20/1' }), BIG).vfr).toBe(true);
    expect(
      interpretProbe(ffprobeJson({ r_frame_rate: '30000/1001', avg_frame_rate: '2997/100' }), BIG).vfr,
    ).toBe(false);
    expect(interpretProbe(ffprobeJson({ r_frame_rate: '0/0', avg_frame_rate: '30/1' }), BIG).vfr).toBe(false);
  });

  it('refuses single-frame streams and image containers as still images', () => {
    expect(() => interpretProbe(ffprobeJson({ nb_frames: '1' }), BIG)).toThrow(/single still picture/);
    expect(() =>
      interpretProbe(ffprobeJson({ duration: '0.04', nb_frames: undefined }, { duration: '0.04' }), BIG),
    ).toThrow(/single still picture/);
    for (const format_name of ['png_pipe', 'image2', 'webp_pipe', 'bmp_pipe']) {
      expect(() => interpretProbe(ffprobeJson({}, { format_name }), BIG)).toThrow(/still image/);
    }
  });

  it('allows half a second over the duration limit (container rounding), not more', () => {
    const limits = { ...BIG, maxDurationSec: 60 };
    expect(interpretProbe(ffprobeJson({ duration: '60.4' }), limits).durationSec).toBe(60.4);
    expect(() => interpretProbe(ffprobeJson({ duration: '60.6' }), limits)).toThrow(MaskroomError);
  });

  it('refuses a stream without a picture size', () => {
    expect(() => interpretProbe(ffprobeJson({ width: 0 }), BIG)).toThrow(/no picture size/);
  });
});

describe('field parsers', () => {
  it('parseRational', () => {
    expect(parseRational('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRational('25')).toBe(25);
    expect(parseRational('4:3')).toBeCloseTo(1.3333, 4);
    expect(parseRational('0/0')).toBeNull();
    expect(parseRational('N/A')).toBeNull();
    expect(parseRational(undefined)).toBeNull();
  });
  it('parseClock', () => {
    expect(parseClock('00:01:02.500000000')).toBe(62.5);
    expect(parseClock('1:00:00')).toBe(3600);
    expect(parseClock('soon')).toBeNull();
  });
});
