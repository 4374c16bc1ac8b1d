import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo, pseudoRandomBytes, testVideoDir, VIDEO_KINDS } from './videos.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-videos-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('makeVideo', () => {
  it('makes every kind, with the extension it claims', async () => {
    const files = await Promise.all(VIDEO_KINDS.map((k) => makeVideo(dir, k)));
    for (const [i, kind] of VIDEO_KINDS.entries()) {
      const file = files[i] ?? '';
      expect(path.basename(file)).toMatch(new RegExp(`^${kind}-[0-9a-f]{12}\\.(mp4|webm|avi|m4a|png|jpg)$`));
      expect((await stat(file)).size > 0).toBe(kind !== 'empty');
    }
    // Only finished files are left: no temporaries.
    expect((await readdir(dir)).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('reuses a cached file for the same recipe and makes a new one for other options', async () => {
    const a = await makeVideo(dir, 'mjpeg-avi');
    const before = (await stat(a)).mtimeMs;
    expect(await makeVideo(dir, 'mjpeg-avi')).toBe(a);
    expect((await stat(a)).mtimeMs).toBe(before);
    const b = await makeVideo(dir, 'mjpeg-avi', { durationSec: 1 });
    expect(b).not.toBe(a);
    expect((await stat(b)).size).toBeLessThan((await stat(a)).size);
  });

  it('keeps the header of the truncated mp4 at the front (faststart), so it still probes', async () => {
    const truncated = await makeVideo(dir, 'truncated-mp4');
    const header = (await readFile(truncated)).subarray(4, 8).toString('latin1');
    expect(header).toBe('ftyp');
  });

  it('makes the same "random" bytes every time', () => {
    expect(pseudoRandomBytes(32, 7).equals(pseudoRandomBytes(32, 7))).toBe(true);
    expect(pseudoRandomBytes(32, 7).equals(pseudoRandomBytes(32, 8))).toBe(false);
  });

  it('shares one folder per run and clears the folders of finished runs', async () => {
    const { mkdirSync, existsSync } = await import('node:fs');
    // A pid far above any real one (Linux caps pids at 2^22): its run is over.
    const stale = path.join(tmpdir(), 'maskroom-videos-run-99999999');
    mkdirSync(stale, { recursive: true });
    const shared = testVideoDir();
    expect(testVideoDir()).toBe(shared);
    expect(path.basename(shared)).toMatch(/^maskroom-videos-run-\d+$/);
    expect(existsSync(shared)).toBe(true);
    expect(existsSync(stale)).toBe(false);
  });
});
