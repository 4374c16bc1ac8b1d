import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  MainDoc,
  MaskChunkDoc,
  mainDocName,
  maskChunkDocName,
  type ObjectId,
  type SessionId,
  type UserId,
} from '@maskroom/shared';
import { openAsBlob } from 'node:fs';
import { createVideoResponseSchema } from '@maskroom/shared';
import { DocLog } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { connectClient, eventually } from '../test/collab-client.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { makeVideo, testVideoDir } from '../test/videos.js';

let server: TestServer;
let db: TestDatabase;
let session: SessionId;

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db });
  const form = new FormData();
  form.append(
    'file',
    await openAsBlob(await makeVideo(testVideoDir(), 'h264-mp4', { durationSec: 3 })),
    'c.mp4',
  );
  const res = await fetch(`${server.url}/api/videos`, { method: 'POST', body: form });
  session = createVideoResponseSchema.parse(await res.json()).session.id;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

async function replay(name: string): Promise<Y.Doc> {
  const loaded = await new DocLog(db.db).load(name);
  const doc = new Y.Doc();
  if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
  for (const u of loaded.updates) Y.applyUpdate(doc, u);
  return doc;
}

describe('collaboration socket', () => {
  it('syncs the main doc, and an acknowledged edit is already in the log', async () => {
    const a = connectClient(server.url, { name: 'Ada' });
    const b = connectClient(server.url, { name: 'Bo' });
    try {
      const name = mainDocName(session);
      a.open(name);
      b.open(name);
      await a.settled();
      await b.settled();
      expect(new MainDoc(a.doc(name)).requireMeta().numFrames).toBe(90);
      new MainDoc(a.doc(name)).objects.create('obj_1' as ObjectId, {
        className: 'dog',
        instanceName: 'Rex',
        color: '#ff0000',
        createdBy: 'local' as UserId,
        createdAt: Date.now(),
      });
      await a.settled();
      // Acknowledged ⇒ durable: the log alone rebuilds the edit, before any store ran.
      expect(new MainDoc(await replay(name)).objects.get('obj_1' as ObjectId)?.className).toBe('dog');
      await eventually(
        () => new MainDoc(b.doc(name)).objects.get('obj_1' as ObjectId)?.instanceName === 'Rex',
      );
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('server-side writes reach clients and the log before they resolve', async () => {
    const a = connectClient(server.url);
    try {
      const name = maskChunkDocName(session, 1);
      a.open(name);
      await a.settled();
      await server.collab.docs.writeMasks(session, 1, 'test', (m) =>
        m.setMask(70 as never, 'obj_1' as ObjectId, {
          rle: '0',
          bbox: [0, 0, 0, 0] as never,
          area: 0,
          score: 1,
          source: 'prompt',
          ref: 'p1',
          by: 'local' as UserId,
        }),
      );
      expect(new MaskChunkDoc(await replay(name), 1).getMask(70 as never, 'obj_1' as ObjectId)?.ref).toBe(
        'p1',
      );
      await eventually(
        () => new MaskChunkDoc(a.doc(name), 1).getMask(70 as never, 'obj_1' as ObjectId) !== undefined,
      );
    } finally {
      a.destroy();
    }
  });
});
