/**
 * `GET /api/sessions/:id/export`: a streamed ZIP made by the shared builders from the session's
 * live documents — the COCO annotations carry exactly the session's RLE masks, every format's
 * files are there frame by frame, the options (range, images, approved only) shape it, bad options
 * are 400, and in accounts mode every role may export while a stranger learns nothing.
 */
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpErrorBodySchema, type SessionId } from '@maskroom/shared';
import { VideoStore } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { seedExportContent, type SeededContent } from '../export/testContent.js';
import { DataDir } from '../storage/DataDir.js';
import {
  SESSION_COOKIE,
  createLink,
  joinAsGuest,
  signUp,
  uploadAs,
  type Account,
  type ApiClient,
} from '../test/accounts.js';
import { uploadTestSession } from '../test/session-content.js';
import { startTestServer, type TestServer } from '../test/server.js';

interface CocoJson {
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{
    image_id: number;
    segmentation: { size: [number, number]; counts: string };
    bbox: number[];
    area: number;
    iscrowd: number;
  }>;
  categories: Array<{ id: number; name: string }>;
}

const pad = (f: number): string => String(f).padStart(6, '0');

async function download(
  url: string,
  cookie?: string,
): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  const res = await fetch(url, cookie ? { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } } : {});
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

function errorOf(body: Uint8Array): string {
  return httpErrorBodySchema.parse(JSON.parse(new TextDecoder().decode(body))).error.code;
}

const frameOfImage = (coco: CocoJson, imageId: number): number => {
  const image = coco.images.find((i) => i.id === imageId);
  const m = /(\d{6})\.\w+$/.exec(image?.file_name ?? '');
  if (!m) throw new Error(`image ${imageId} has no frame file name`);
  return Number(m[1]);
};

describe('local mode', () => {
  let db: TestDatabase;
  let server: TestServer;
  let session: SessionId;
  let content: SeededContent;

  beforeAll(async () => {
    db = await openPgliteTestDatabase();
    server = await startTestServer({ database: db });
    ({ session } = await uploadTestSession(server.url, 1));
    content = await seedExportContent(server.collab.docs, session);
  }, 90_000);
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  const exportUrl = (query: string): string => `${server.url}/api/sessions/${session}/export?${query}`;

  it('streams every format, the COCO masks being the session’s own RLE', async () => {
    const res = await download(exportUrl('formats=coco,yolo,png,davis'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+\.zip"/);
    const files = unzipSync(res.body);
    const names = Object.keys(files);

    const coco = JSON.parse(new TextDecoder().decode(files['coco/annotations.json'])) as CocoJson;
    expect(coco.images).toHaveLength(content.numFrames);
    expect(coco.annotations).toHaveLength(content.masks.size);
    const byFrame = new Map<number, string[]>();
    for (const [key, mask] of content.masks) {
      const frame = Number(key.split('/')[0]);
      byFrame.set(frame, [...(byFrame.get(frame) ?? []), mask.rle]);
    }
    for (const a of coco.annotations) {
      expect(a.segmentation.size).toEqual([content.height, content.width]);
      expect(a.iscrowd).toBe(0);
      expect(byFrame.get(frameOfImage(coco, a.image_id))).toContain(a.segmentation.counts);
    }
    expect(coco.categories.map((c) => c.name).sort()).toEqual(['thing', 'vehicle']);

    // One label file per frame (empty frames included), a PNG per object and frame it has a
    // mask on, one palette PNG per frame, and the manifest.
    for (let f = 0; f < content.numFrames; f++) {
      expect(names).toContain(`yolo/labels/${pad(f)}.txt`);
      expect(names).toContain(`davis/${pad(f)}.png`);
    }
    expect(names).toContain('yolo/classes.txt');
    expect(names).toContain('maskroom.json');
    const pngs = names.filter((n) => n.startsWith('png/') && n.endsWith('.png'));
    expect(pngs.length).toBeGreaterThanOrEqual(content.masks.size);
    expect(names.some((n) => n.startsWith('images/'))).toBe(false);
  });

  it('exports a frame range with its images, only approved objects when asked', async () => {
    const res = await download(exportUrl('formats=coco&start=2&end=5&images=1&approved=1'));
    expect(res.status).toBe(200);
    const files = unzipSync(res.body);
    const images = Object.keys(files)
      .filter((n) => n.startsWith('images/'))
      .sort();
    expect(images).toEqual([2, 3, 4].map((f) => `images/${pad(f)}.jpg`));
    const videoId = (await new VideoStore(db.db).getSession(session))!.videoId;
    const frame3 = await readFile(new DataDir(server.dataDir).framePath(videoId, 3));
    expect(files[`images/${pad(3)}.jpg`]).toEqual(new Uint8Array(frame3));

    const coco = JSON.parse(new TextDecoder().decode(files['coco/annotations.json'])) as CocoJson;
    expect(coco.images).toHaveLength(3);
    // Only the approved car: one annotation per frame, its own mask.
    expect(coco.annotations).toHaveLength(3);
    for (const a of coco.annotations) {
      const frame = frameOfImage(coco, a.image_id);
      expect(frame).toBeGreaterThanOrEqual(2);
      expect(frame).toBeLessThan(5);
      expect(a.segmentation.counts).toBe(content.masks.get(`${frame}/${content.car}`)!.rle);
    }
  });

  it('refuses bad options with INVALID_REQUEST, and an unknown session with NOT_FOUND', async () => {
    for (const query of [
      'formats=bogus',
      'formats=',
      'start=5&end=2',
      `end=${content.numFrames + 1}`,
      'start=-1',
      'images=maybe',
      'format=coco',
      'formats=coco&formats=yolo',
      'mergeInstances=not-json',
    ]) {
      const res = await download(exportUrl(query));
      expect({ query, status: res.status, code: errorOf(res.body) }).toEqual({
        query,
        status: 400,
        code: 'INVALID_REQUEST',
      });
    }
    const missing = await download(`${server.url}/api/sessions/ses_doesnotexist/export`);
    expect(missing.status).toBe(404);
    expect(errorOf(missing.body)).toBe('NOT_FOUND');
  });
});

describe('accounts mode', () => {
  let db: TestDatabase;
  let server: TestServer;
  let owner: Account;
  let session: SessionId;

  beforeAll(async () => {
    db = await openPgliteTestDatabase();
    server = await startTestServer({
      database: db,
      env: { MASKROOM_AUTH: 'accounts', MASKROOM_SIGNUP: 'open' },
    });
    owner = await signUp(server, 'Owner');
    session = (await uploadAs(owner.client)).session.id;
    await seedExportContent(server.collab.docs, session);
  }, 90_000);
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  const exportAs = (client: ApiClient | null) =>
    download(`${server.url}/api/sessions/${session}/export?formats=coco`, client?.token ?? undefined);

  it('lets the owner and a viewer export; a stranger gets 404, no cookie 401', async () => {
    const link = await createLink(owner.client, session, 'viewer');
    const viewer = await joinAsGuest(server, link.token, 'Vic');
    const stranger = await signUp(server, 'Stranger');

    const mine = await exportAs(owner.client);
    expect(mine.status).toBe(200);
    const theirs = await exportAs(viewer);
    expect(theirs.status).toBe(200);
    const annotations = (files: Record<string, Uint8Array>) =>
      (JSON.parse(new TextDecoder().decode(files['coco/annotations.json'])) as CocoJson).annotations;
    expect(annotations(unzipSync(theirs.body))).toEqual(annotations(unzipSync(mine.body)));

    const refused = await exportAs(stranger.client);
    expect(refused.status).toBe(404);
    expect(errorOf(refused.body)).toBe('NOT_FOUND');
    const anonymous = await exportAs(null);
    expect(anonymous.status).toBe(401);
  });
});
