/**
 * The server as `npm start` runs it: the embedded database under the data directory (surviving a
 * restart, locked against a second process), or PostgreSQL when `DATABASE_URL` is set.
 */
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVideoResponseSchema, videoListSchema } from '@maskroom/shared';
import { loadConfig } from './config.js';
import { postgresTestTarget } from './db/testing.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
import { DataDirLockedError } from './storage/lock.js';
import { makeVideo, testVideoDir } from './test/videos.js';

const silent = createLogger('silent');
/** These tests are about storage: no worker, and a free port for the worker socket. */
const NO_WORKER = { MASKROOM_LOCAL_WORKER: 'off', MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*' };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function uploadTo(url: string): Promise<string> {
  const form = new FormData();
  form.append('file', await openAsBlob(await makeVideo(testVideoDir(), 'h264-mp4')), 'clip.mp4');
  const res = await fetch(`${url}/api/videos`, { method: 'POST', body: form });
  expect(res.status).toBe(201);
  return createVideoResponseSchema.parse(await res.json()).video.id;
}

describe('local mode: embedded PGlite under the data directory', () => {
  it('keeps videos across a restart, sweeps abandoned ingests, and refuses a second process', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-start-'));
    dirs.push(dataDir);
    const config = loadConfig({ ...NO_WORKER, PORT: '0', MASKROOM_DATA_DIR: dataDir });

    const first = await startServer(config, silent, { clientDir: dataDir });
    let id: string;
    try {
      expect(first.database.driver).toBe('pglite');
      id = await uploadTo(first.url);
      await expect(startServer(config, silent, { clientDir: dataDir })).rejects.toBeInstanceOf(
        DataDirLockedError,
      );
    } finally {
      await first.close();
    }

    // A crash mid-ingest leaves a folder under tmp/ with no row: the next start removes it.
    await mkdir(path.join(dataDir, 'tmp', 'vid_abandoned0000001'), { recursive: true });
    await writeFile(path.join(dataDir, 'tmp', 'vid_abandoned0000001', 'source'), 'partial');

    const second = await startServer(config, silent, { clientDir: dataDir });
    try {
      const list = videoListSchema.parse(await (await fetch(`${second.url}/api/videos`)).json());
      expect(list.videos.map((v) => v.id)).toEqual([id]);
      expect((await fetch(`${second.url}/api/videos/${id}/frames/0.jpg`)).status).toBe(200);
      expect(await readdir(path.join(dataDir, 'tmp'))).toEqual([]);
    } finally {
      await second.close();
    }
  }, 120_000);
});

const pg = postgresTestTarget();
describe.skipIf(pg.kind === 'skip')(
  `DATABASE_URL: PostgreSQL${pg.kind === 'skip' ? ` (${pg.reason})` : ''}`,
  () => {
    it('ingests and serves with the data in PostgreSQL', async () => {
      if (pg.kind !== 'available') throw new Error(pg.kind === 'fail' ? pg.reason : 'unreachable');
      const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-start-pg-'));
      dirs.push(dataDir);
      const config = loadConfig({
        ...NO_WORKER,
        PORT: '0',
        MASKROOM_DATA_DIR: dataDir,
        DATABASE_URL: pg.url,
      });
      const server = await startServer(config, silent, { clientDir: dataDir });
      try {
        expect(server.database.driver).toBe('postgres');
        const health = (await (await fetch(`${server.url}/api/health`)).json()) as { db: unknown };
        expect(health.db).toEqual({ ok: true, driver: 'postgres' });
        const id = await uploadTo(server.url);
        expect((await fetch(`${server.url}/api/videos/${id}/frames/0.jpg`)).status).toBe(200);
        expect((await fetch(`${server.url}/api/videos/${id}`, { method: 'DELETE' })).status).toBe(204);
      } finally {
        await server.close();
      }
    }, 60_000);
  },
);
