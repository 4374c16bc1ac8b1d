/**
 * Frames and thumbnails are files on disk named from the URL: no index or id, however encoded,
 * reaches a file outside the video's own frames (sentinels are planted where `..` would lead), and
 * another video's frames stay another caller's. Requests go out through `node:http` so that the
 * path is sent exactly as written (fetch would resolve `..` and `%2e%2e` before sending).
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoId } from '@maskroom/shared';
import { SESSION_COOKIE, signUp, uploadAs, type Account } from '../test/accounts.js';
import { startAccountsServer, type AccountsServer } from './fixtures.js';

let env: AccountsServer;
let owner: Account;
let V1: VideoId;
let V2: VideoId;
const SENTINEL = 'SENTINEL-outside-the-frames-dir';

beforeAll(async () => {
  env = await startAccountsServer();
  owner = await signUp(env.server, 'Owner Path');
  const other = await signUp(env.server, 'Owner Other');
  V1 = (await uploadAs(owner.client)).video.id;
  V2 = (await uploadAs(other.client)).video.id;
  const data = env.server.dataDir;
  // Where `..` from a frames directory, a video directory or the client directory would lead.
  for (const dir of [
    data,
    path.join(data, 'videos'),
    path.join(data, 'videos', V1),
    path.join(data, 'videos', V1, 'frames'),
  ])
    for (const name of ['sentinel.jpg', 'sentinel', '0.jpg.sentinel'])
      await writeFile(path.join(dir, name), SENTINEL);
}, 60_000);
afterAll(async () => {
  await env?.close();
});

interface Raw {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
}

/** GET with the path sent byte for byte. */
function rawGet(rawPath: string, token: string | null = owner.token): Promise<Raw> {
  const url = new URL(env.server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: rawPath,
        method: 'GET',
        headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const isJpeg = (b: Buffer): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

describe('frames and thumbnails', () => {
  it('serve the video’s own frame (the control)', async () => {
    const frame = await rawGet(`/api/videos/${V1}/frames/0.jpg`);
    expect(frame.status).toBe(200);
    expect(isJpeg(frame.body)).toBe(true);
    const onDisk = await readFile(
      path.join(env.server.dataDir, 'videos', V1, 'frames', await firstFrameName()),
    );
    expect(frame.body.equals(onDisk)).toBe(true);
    expect((await rawGet(`/api/videos/${V1}/thumbnail.jpg`)).status).toBe(200);
  });

  it('refuse traversal in the frame index, however encoded, and never return a file outside the frames', async () => {
    const indices = [
      '..%2f..%2fsentinel',
      '..%2fsentinel',
      '..%2f..%2f..%2fsentinel',
      '%2e%2e%2f%2e%2e%2fsentinel',
      '%2e%2e%2fsentinel',
      '..%5c..%5csentinel',
      '%252e%252e%252fsentinel',
      '..%2f..%2fetc%2fpasswd',
      '%2e%2e',
      '..',
      '.',
      '-1',
      '-0',
      '+1',
      '1e3',
      '0x1',
      '1.5',
      '99999999999999999999',
      '4294967296',
      '999999999',
      'NaN',
      'Infinity',
      'abc',
      '%00',
      '0%00',
      '0%2f..%2fsentinel',
      '%20',
    ];
    const problems: string[] = [];
    for (const index of indices) {
      const answer = await rawGet(`/api/videos/${V1}/frames/${index}.jpg`);
      if (![400, 404].includes(answer.status)) problems.push(`${index}: ${answer.status}`);
      if (answer.body.includes(SENTINEL)) problems.push(`${index}: served a sentinel`);
      if (isJpeg(answer.body)) problems.push(`${index}: served an image`);
    }
    expect(problems).toEqual([]);
  });

  it('refuse traversal through the path itself (raw `..`, encoded slashes in the id)', async () => {
    const paths = [
      `/api/videos/${V1}/frames/../../sentinel.jpg`,
      `/api/videos/${V1}/frames/%2e%2e/%2e%2e/sentinel.jpg`,
      `/api/videos/${V1}/frames/..%2f..%2fsentinel.jpg`,
      `/api/videos/${V1}/frames/0.jpg/../../sentinel.jpg`,
      `/api/videos/..%2f..%2f/frames/0.jpg`,
      `/api/videos/..%2fvideos%2f${V1}/frames/0.jpg`,
      `/api/videos/${V1}%2f..%2f${V2}/frames/0.jpg`,
      `/api/videos/${V1}%2fframes%2f..%2f/thumbnail.jpg`,
      `/api/videos/..%2f..%2fsentinel/thumbnail.jpg`,
      `/api/videos/%2e%2e/thumbnail.jpg`,
      `/api/videos/${V1}/..%2fsentinel.jpg`,
      `/..%2fsentinel.jpg`,
      `/%2e%2e/sentinel.jpg`,
      `/../sentinel.jpg`,
      `/assets/..%2f..%2fsentinel.jpg`,
    ];
    const problems: string[] = [];
    for (const p of paths) {
      const answer = await rawGet(p);
      if (answer.status === 200) problems.push(`${p}: 200`);
      if (answer.body.includes(SENTINEL)) problems.push(`${p}: served a sentinel`);
      if (isJpeg(answer.body)) problems.push(`${p}: served an image`);
      if (p.startsWith('/api/') && ![400, 404].includes(answer.status))
        problems.push(`${p}: ${answer.status}`);
    }
    expect(problems).toEqual([]);
  });

  it("another owner's video: its frames and thumbnail are not found, not even by index games", async () => {
    for (const p of [
      `/api/videos/${V2}/frames/0.jpg`,
      `/api/videos/${V2}/frames/00.jpg`,
      `/api/videos/${V2}/thumbnail.jpg`,
      `/api/videos/${V2.toUpperCase()}/frames/0.jpg`,
      `/api/videos/${V2}%20/frames/0.jpg`,
    ]) {
      const answer = await rawGet(p);
      expect(answer.status, p).toBe(404);
      expect(isJpeg(answer.body), p).toBe(false);
    }
    // Without a cookie: 401, and no image.
    const anonymous = await rawGet(`/api/videos/${V1}/frames/0.jpg`, null);
    expect(anonymous.status).toBe(401);
    expect(isJpeg(anonymous.body)).toBe(false);
  });
});

async function firstFrameName(): Promise<string> {
  const names = (await readdir(path.join(env.server.dataDir, 'videos', V1, 'frames')))
    .filter((n) => /^\d+\.jpg$/.test(n))
    .sort();
  return names[0]!;
}
