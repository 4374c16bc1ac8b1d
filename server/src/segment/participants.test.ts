/**
 * What the browser workspace relies on from the server in local mode: each browser's name makes it
 * a distinct participant (`GET /api/me`, the author of its prompts), and an object a participant
 * deletes in the document itself (undoably, without the HTTP route) gets no masks written back by
 * a propagation that its worker still runs for it.
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_NAME_HEADER,
  MainDoc,
  authMeSchema,
  MaskChunkDoc,
  chunkCount,
  createVideoResponseSchema,
  jobResponseSchema,
  mainDocName,
  maskChunkDocName,
  promptResponseSchema,
  sessionInfoSchema,
  type JobId,
  type SessionId,
} from '@maskroom/shared';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { localUser } from '../identity/local-user.js';
import { connectClient, eventually } from '../test/collab-client.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { makeSegmentableVideo, startWorker, type TestWorker } from '../test/workers.js';

let server: TestServer;
let db: TestDatabase;
let dir: string;
let video: { file: string; click: { x: number; y: number } };
let worker: TestWorker;
let session: SessionId;
let FRAMES = 0; // set from the upload

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-participants-'));
  video = await makeSegmentableVideo(dir, 2);
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db });
  worker = await startWorker(server, 'w-p');
  const form = new FormData();
  form.append('file', await openAsBlob(video.file), 'square.mp4');
  const res = await fetch(`${server.url}/api/videos`, { method: 'POST', body: form });
  const created = createVideoResponseSchema.parse(await res.json());
  session = created.session.id;
  FRAMES = created.video.media?.numFrames ?? 0;
}, 90_000);
afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  await server?.close();
  await db?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const post = (p: string, body: unknown, name?: string) =>
  fetch(`${server.url}/api${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(name ? { [LOCAL_NAME_HEADER]: name } : {}) },
    body: JSON.stringify(body),
  });

describe('local participants', () => {
  it('GET /api/me names the caller after its header, with a distinct id per name', async () => {
    const me = async (name?: string) =>
      authMeSchema.parse(
        await (
          await fetch(`${server.url}/api/me`, { headers: name ? { [LOCAL_NAME_HEADER]: name } : {} })
        ).json(),
      );
    const [ada, bo, nobody] = await Promise.all([me('Ada'), me('Bo'), me()]);
    expect(ada).toMatchObject({ user: localUser('Ada'), mode: 'local', kind: 'local', guest: null });
    expect(bo.user.id).not.toBe(ada.user.id);
    expect(nobody.user.name).toBe('Local user');
  });

  it('GET /api/sessions/:id answers the shared session schema, the local user being its owner', async () => {
    const info = sessionInfoSchema.parse(await (await fetch(`${server.url}/api/sessions/${session}`)).json());
    expect(info).toMatchObject({ session: { id: session }, role: 'owner', video: { status: 'ready' } });
    expect(info.video.media?.numFrames).toBe(FRAMES);
  });

  it('records the prompting browser as the author of its prompt', async () => {
    const res = await post(
      `/sessions/${session}/prompts`,
      { frame: 0, points: [{ ...video.click, label: 1 }] },
      'Ada',
    );
    expect(res.status).toBe(201);
    const { promptId } = promptResponseSchema.parse(await res.json());
    const client = connectClient(server.url, { name: 'Bo' });
    try {
      const main = new MainDoc(client.open(mainDocName(session)).document);
      await client.settled();
      expect(main.prompts.get(promptId)?.by).toBe(localUser('Ada').id);
    } finally {
      client.destroy();
    }
  });
});

describe('an object deleted in the document', () => {
  it('gets no masks from a propagation its worker still runs for it', async () => {
    const res = await post(`/sessions/${session}/prompts`, {
      frame: 0,
      points: [{ ...video.click, label: 1 }],
    });
    const { objId } = promptResponseSchema.parse(await res.json());
    const client = connectClient(server.url, { name: 'Ada' });
    try {
      const main = new MainDoc(client.open(mainDocName(session)).document);
      const chunks = [...Array(chunkCount(FRAMES)).keys()].map(
        (k) => new MaskChunkDoc(client.open(maskChunkDocName(session, k)).document, k),
      );
      await client.settled();
      expect(chunks[0]!.getMask(0 as never, objId)).toBeDefined();
      // What the workspace does on "delete object": the object and its masks, in one client edit.
      main.objects.delete(objId);
      for (const c of chunks) c.deleteObjectMasks(objId);
      await client.settled();

      const started = await post(`/sessions/${session}/propagations`, {
        direction: 'forward',
        startFrame: 0,
      });
      expect(started.status).toBe(202);
      const { jobId } = (await started.json()) as { jobId: JobId };
      await eventually(
        async () => {
          const job = jobResponseSchema.parse(
            await (await fetch(`${server.url}/api/jobs/${jobId}`)).json(),
          ).job;
          return job.status === 'done';
        },
        60_000,
        'propagation done',
      );
      await client.settled();
      const masksOfDeleted = chunks.reduce((n, c) => n + c.masksOfObject(objId).size, 0);
      const allMasks = chunks.reduce((n, c) => n + c.size, 0);
      expect(masksOfDeleted).toBe(0);
      // The other object (prompted by Ada above) was propagated: the run did write frames.
      expect(allMasks).toBeGreaterThanOrEqual(FRAMES - 1);
    } finally {
      client.destroy();
    }
  });
});
