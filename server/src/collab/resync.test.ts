/**
 * Acknowledgements around a reconnect. A provider that reconnects sends the edits it queued while
 * offline as plain updates, before the SyncStep2 that carries the edits the server never stored
 * (those sent on the broken socket). Such an update builds on state the server lacks: applied, it
 * would leave pending structs whose delete set already removed the value it replaces (an
 * acknowledged value vanishes from the log until the SyncStep2 arrives, for good if it never
 * does), and its acknowledgement would bring the provider's unsynced count to zero while the
 * SyncStep2 is still unstored. The server must hold such an update back (not applied, not
 * logged, not acknowledged) and take it from the SyncStep2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MainDoc, mainDocName, type ObjectId, type SessionId, type UserId } from '@maskroom/shared';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { eventually } from '../test/collab-client.js';
import { RawCollabSocket, SyncType, syncFrame } from '../test/raw-collab.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { replayLog, uploadTestSession } from '../test/session-content.js';

let server: TestServer;
let db: TestDatabase;
let session: SessionId;

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db });
  session = (await uploadTestSession(server.url, 1)).session;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

/** A raw client synced with the server's copy of `name`: its own Y.Doc and socket. */
async function syncedClient(name: string): Promise<{ socket: RawCollabSocket; doc: Y.Doc }> {
  const socket = await RawCollabSocket.open(server.url);
  expect(await socket.auth(name)).toMatchObject({ type: 'authenticated', scope: 'read-write' });
  const doc = new Y.Doc();
  socket.send(syncFrame(name, SyncType.Step1, Y.encodeStateVector(doc)));
  const step2 = await socket.next(
    (m) => m.doc === name && m.type === 'sync' && m.syncType === SyncType.Step2,
  );
  if (step2.type === 'sync') Y.applyUpdate(doc, step2.update);
  return { socket, doc };
}

function captureUpdate(doc: Y.Doc, edit: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const on = (u: Uint8Array): void => void updates.push(u);
  doc.on('update', on);
  edit();
  doc.off('update', on);
  return Y.mergeUpdates(updates);
}

describe('an update that builds on edits the server never stored', () => {
  it('is held back (not applied, not logged, not acknowledged) until the SyncStep2 brings them', async () => {
    const name = mainDocName(session);
    const { socket, doc } = await syncedClient(name);
    try {
      const main = new MainDoc(doc);
      const id = 'obj_gap' as ObjectId;
      // Acknowledged: the object, named "first".
      const created = captureUpdate(doc, () =>
        main.objects.create(id, {
          className: 'dog',
          instanceName: 'first',
          color: '#112233',
          createdBy: 'local' as UserId,
          createdAt: 1,
        }),
      );
      expect(await socket.syncAndWait(name, SyncType.Update, created)).toMatchObject({
        type: 'sync-status',
        applied: true,
      });
      // Lost with a broken socket: the class name changed (the server never sees this update).
      captureUpdate(doc, () => main.objects.update(id, { className: 'cat' }));
      // Queued offline and flushed on reconnect: the instance renamed; it builds on the lost one.
      const renamed = captureUpdate(doc, () => main.objects.update(id, { instanceName: 'second' }));

      const status = await socket.syncAndWait(name, SyncType.Update, renamed);
      expect(status).toMatchObject({ type: 'sync-status', applied: false });
      const live = server.collab.hocuspocus.documents.get(name)!;
      expect(live.store.pendingStructs).toBeNull();
      expect(new MainDoc(live).objects.get(id)).toMatchObject({ className: 'dog', instanceName: 'first' });
      const logged = (await replayLog(db.db, name)).doc;
      expect(new MainDoc(logged).objects.get(id)).toMatchObject({ className: 'dog', instanceName: 'first' });

      // The SyncStep2 (answer to the server's SyncStep1) carries both; now all is stored.
      const step2 = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(live));
      const from = socket.received.length;
      expect(await socket.syncAndWait(name, SyncType.Step2, step2)).toMatchObject({
        type: 'sync-status',
        applied: true,
      });
      // ... and the held update is acknowledged too (a provider counts one ack per update sent).
      const statuses = () =>
        socket.received.slice(from).flatMap((m) => (m.type === 'sync-status' ? [m.applied] : []));
      await eventually(() => statuses().length >= 2, 5_000, 'the held update to be acknowledged');
      expect(statuses()).toEqual([true, true]);
      expect(new MainDoc(live).objects.get(id)).toMatchObject({ className: 'cat', instanceName: 'second' });
      const after = (await replayLog(db.db, name)).doc;
      expect(new MainDoc(after).objects.get(id)).toMatchObject({ className: 'cat', instanceName: 'second' });

      // The connection is still an ordinary writer afterwards.
      const more = captureUpdate(doc, () => main.objects.update(id, { instanceName: 'third' }));
      expect(await socket.syncAndWait(name, SyncType.Update, more)).toMatchObject({
        type: 'sync-status',
        applied: true,
      });
      expect(new MainDoc(live).objects.get(id)?.instanceName).toBe('third');
    } finally {
      socket.close();
    }
  });
});
