import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskroomError } from '@maskroom/shared';
import type { Logger } from '../log.js';
import { fakeTool } from '../test/fake-tools.js';
import { parseVersion, resolveFfmpegTools } from './tools.js';
import type { FfmpegTools } from './tools.js';

let tmp: string;
let emptyDir: string;
let real: FfmpegTools;

const notInstalled = (): never => {
  throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' });
};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'maskroom-tools-'));
  emptyDir = await mkdtemp(path.join(tmp, 'empty-'));
  real = await resolveFfmpegTools({ PATH: process.env.PATH }, undefined, { requirePackage: notInstalled });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => log,
  };
  return { log, lines };
}

async function rejection(p: Promise<unknown>): Promise<MaskroomError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MaskroomError);
  return error as MaskroomError;
}

describe('resolveFfmpegTools', () => {
  it('finds the system binaries on PATH and logs one line naming them', async () => {
    const { log, lines } = captureLog();
    const tools = await resolveFfmpegTools({ PATH: process.env.PATH }, log, { requirePackage: notInstalled });
    expect(tools.ffmpeg.source).toBe('system');
    expect(tools.ffprobe.source).toBe('system');
    expect(path.isAbsolute(tools.ffmpeg.path)).toBe(true);
    expect(path.basename(tools.ffmpeg.path)).toBe('ffmpeg');
    expect(path.basename(tools.ffprobe.path)).toBe('ffprobe');
    expect(tools.ffmpeg.version).toMatch(/\d/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(tools.ffmpeg.path);
    expect(lines[0]).toContain(tools.ffprobe.path);
    expect(lines[0]).toContain('system');
  });

  it('prefers FFMPEG_PATH / FFPROBE_PATH over PATH', async () => {
    const tools = await resolveFfmpegTools(
      { PATH: emptyDir, FFMPEG_PATH: real.ffmpeg.path, FFPROBE_PATH: real.ffprobe.path },
      undefined,
      { requirePackage: notInstalled },
    );
    expect(tools.ffmpeg).toEqual({ ...real.ffmpeg, source: 'env' });
    expect(tools.ffprobe).toEqual({ ...real.ffprobe, source: 'env' });
  });

  it('refuses a broken FFMPEG_PATH instead of silently using another ffmpeg', async () => {
    const broken = await fakeTool(tmp, 'broken-ffmpeg', 'exit 3');
    const error = await rejection(
      resolveFfmpegTools({ PATH: process.env.PATH, FFMPEG_PATH: broken }, undefined, {
        requirePackage: notInstalled,
      }),
    );
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain(`FFMPEG_PATH=${broken}`);
    expect(error.message).toContain('exited with 3');
  });

  it('skips binaries on PATH that fail or are not ffmpeg, and takes the next working one', async () => {
    const badDir = await mkdtemp(path.join(tmp, 'bad-'));
    await fakeTool(badDir, 'ffmpeg', 'exit 1');
    await fakeTool(badDir, 'ffprobe', 'echo "something else entirely"');
    const tools = await resolveFfmpegTools(
      { PATH: `${badDir}${path.delimiter}${process.env.PATH ?? ''}` },
      undefined,
      { requirePackage: notInstalled },
    );
    expect(tools.ffmpeg.path).toBe(real.ffmpeg.path);
    expect(tools.ffprobe.path).toBe(real.ffprobe.path);
  });

  it('falls back to the optional npm packages', async () => {
    const requested: string[] = [];
    const tools = await resolveFfmpegTools({ PATH: emptyDir }, undefined, {
      requirePackage: (name) => {
        requested.push(name);
        if (name === 'ffmpeg-static') return real.ffmpeg.path; // exports the path itself
        if (name === 'ffprobe-static') return { path: real.ffprobe.path }; // exports { path }
        return notInstalled();
      },
    });
    expect(requested.sort()).toEqual(['ffmpeg-static', 'ffprobe-static']);
    expect(tools.ffmpeg).toEqual({ ...real.ffmpeg, source: 'ffmpeg-static' });
    expect(tools.ffprobe).toEqual({ ...real.ffprobe, source: 'ffprobe-static' });
  });

  it('explains what was tried and how to fix it when nothing works', async () => {
    const error = await rejection(
      resolveFfmpegTools({ PATH: emptyDir }, undefined, { requirePackage: notInstalled }),
    );
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/No working (ffmpeg|ffprobe) found/);
    expect(error.message).toContain('on PATH (not found)');
    expect(error.message).toMatch(/npm package (ffmpeg|ffprobe)-static \(not installed\)/);
    expect(error.message).toContain('apt-get install ffmpeg');
    expect(error.message).toMatch(/set (FFMPEG|FFPROBE)_PATH/);
  });

  it('treats an installed package without a binary like a missing one', async () => {
    const error = await rejection(
      resolveFfmpegTools({ PATH: emptyDir, FFPROBE_PATH: real.ffprobe.path }, undefined, {
        requirePackage: (name) => (name === 'ffmpeg-static' ? null : notInstalled()),
      }),
    );
    expect(error.message).toContain('ffmpeg-static (installed without a binary for this platform)');
  });

  it('rejects a package path that does not exist', async () => {
    const error = await rejection(
      resolveFfmpegTools({ PATH: emptyDir, FFPROBE_PATH: real.ffprobe.path }, undefined, {
        requirePackage: () => path.join(tmp, 'nope', 'ffmpeg'),
      }),
    );
    expect(error.message).toContain('no such file');
  });
});

describe('parseVersion', () => {
  it('reads the version word of the first line', () => {
    expect(
      parseVersion('ffmpeg', 'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026\nbuilt with gcc'),
    ).toBe('5.1.9-0+deb12u1');
    expect(parseVersion('ffprobe', 'ffprobe version n6.1.1 Copyright')).toBe('n6.1.1');
    expect(parseVersion('ffprobe', 'ffmpeg version 5.1 Copyright')).toBeNull();
    expect(parseVersion('ffmpeg', '')).toBeNull();
  });
});
