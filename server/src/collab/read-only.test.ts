/**
 * The collaboration socket's authorization, with a test authorizer: callers named "Viewer…" may
 * only read, "Stranger…" are refused, and the authorizer can be made to fail (as when the database
 * is down).
 * - Read-only connections: their edits are never applied, logged or relayed (as updates or in a
 *   SyncStep2 after a reconnect), never acknowledged; they still receive everyone's edits live,
 *   and their awareness is accepted (with the server's identity for them).
 * - A refusal is a PermissionDenied that says why; the socket stays usable.
 * - A failure to authorize is no refusal: the socket is closed so the provider reconnects, and
 *   the edits it made meanwhile are stored once the authorizer answers again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  MainDoc,
  MaskChunkDoc,
  MaskroomError,
  mainDocName,
  maskChunkDocName,
  type FrameIndex,
  type ObjectId,
  type SessionId,
  type UserId,
  seededRandom,
} from '@maskroom/shared';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import { LocalAuthorizer } from './access.js';
import { CLOSE_UNAVAILABLE } from './Collab.js';
import { DocLog } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { connectClient, eventually, type TestClient } from '../test/collab-client.js';
import { RawCollabSocket, SyncType } from '../test/raw-collab.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { maskRecord, replayLog, uploadTestSession } from '../test/session-content.js';

let server: TestServer;
let db: TestDatabase;
let session: SessionId;
let main: string;
let chunk0: string;
/** While set, the authorizer throws a plain error (no answer), like a failed database query. */
let authorizerFails = false;

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  server = await startTestServer({
    database: db,
    authorizer: (store) => {
      const local = new LocalAuthorizer(store);
      return {
        async authorize(caller, s) {
          if (authorizerFails) throw new Error('connection terminated unexpectedly (simulated)');
          if (caller.user.name.startsWith('Stranger')) throw new MaskroomError('FORBIDDEN', 'not yours');
          await local.authorize(caller, s);
          return caller.user.name.startsWith('Viewer') ? 'read' : 'write';
        },
      };
    },
  });
  session = (await uploadTestSession(server.url, 1)).session;
  main = mainDocName(session);
  chunk0 = maskChunkDocName(session, 0);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

const logRows = async (name: string): Promise<number> => (await new DocLog(db.db).load(name)).updates.length;
const live = (name: string): Y.Doc => server.collab.hocuspocus.documents.get(name)!;
const objectInit = (name: string) => ({
  className: name,
  instanceName: name,
  color: '#123456',
  createdBy: 'local' as UserId,
  createdAt: 1,
});
const VIEW = { frame: 5, cursor: { x: 0.25, y: 0.5 }, selectedObjId: null, following: null };

/** Drops the client's socket and lets it connect again (the provider's own reconnect path). */
async function reconnect(client: TestClient): Promise<void> {
  client.socket.disconnect();
  await eventually(() => client.socket.status === 'disconnected', 5_000, 'the socket to close');
  void client.socket.connect();
}

async function synced(client: TestClient, names: string[]): Promise<HocuspocusProvider[]> {
  const providers = names.map((n) => client.open(n));
  await eventually(() => providers.every((p) => p.isSynced), 10_000, 'providers to sync');
  return providers;
}

/**
 * Everything `from` sent on `name` before this call has been handled by the server once `to`
 * sees a new awareness state of `from` there (frames of one document are handled in order).
 */
async function barrier(from: HocuspocusProvider, to: HocuspocusProvider, mark: number): Promise<void> {
  const id = from.document.clientID;
  const seen = () => {
    const state = to.awareness!.getStates().get(id);
    // On a mask chunk document the server reduces every state to {} (presence lives on main).
    return state !== undefined && (Object.keys(state).length === 0 || state.frame === mark);
  };
  // Set again until seen: right after a reconnect, the server's removal of the old state has
  // used the next awareness clock, so the first new state is ignored as stale (y-protocols).
  for (let attempt = 0; attempt < 20 && !seen(); attempt++) {
    from.awareness!.setLocalState({ ...VIEW, frame: mark });
    await eventually(seen, 500, 'the barrier').catch(() => undefined);
  }
  expect(seen(), 'the barrier').toBe(true);
}

describe('read-only connections', () => {
  it('never apply, log or relay edits; receive everything live; their awareness is accepted', async () => {
    const writer = connectClient(server.url, { name: 'Writer' });
    const viewer = connectClient(server.url, { name: 'Viewer Vi' });
    try {
      const [wMain, wMasks] = await synced(writer, [main, chunk0]);
      const [vMain, vMasks] = await synced(viewer, [main, chunk0]);
      expect(vMain!.authorizedScope).toBe('readonly');
      expect(vMasks!.authorizedScope).toBe('readonly');
      expect(wMain!.authorizedScope).toBe('read-write');
      const rowsBefore = [await logRows(main), await logRows(chunk0)];

      // The viewer edits both documents (a UI bug, or a hostile client).
      const rand = seededRandom(7);
      new MainDoc(viewer.doc(main)).objects.create('obj_viewer' as ObjectId, objectInit('sneaky'));
      new MaskChunkDoc(viewer.doc(chunk0), 0).setMask(
        3 as FrameIndex,
        'obj_viewer' as ObjectId,
        maskRecord(rand, 'local', 'ref1'),
      );
      await barrier(vMain!, wMain!, 11);
      await barrier(vMasks!, wMasks!, 11);
      const refused = () => {
        for (const doc of [live(main), writer.doc(main)])
          expect(new MainDoc(doc).objects.get('obj_viewer' as ObjectId)).toBeUndefined();
        for (const doc of [live(chunk0), writer.doc(chunk0)])
          expect(new MaskChunkDoc(doc, 0).getMask(3 as FrameIndex, 'obj_viewer' as ObjectId)).toBeUndefined();
        expect(vMain!.unsyncedChanges).toBeGreaterThan(0);
        expect(vMasks!.unsyncedChanges).toBeGreaterThan(0);
      };
      refused();
      expect([await logRows(main), await logRows(chunk0)]).toEqual(rowsBefore);

      // Its awareness is accepted, with the identity the server gave it.
      const seen = wMain!.awareness!.getStates().get(viewer.doc(main).clientID);
      expect(seen).toMatchObject({ frame: 11, cursor: VIEW.cursor, user: { name: 'Viewer Vi' } });

      // It receives the writer's edits live.
      new MainDoc(writer.doc(main)).objects.create('obj_w' as ObjectId, objectInit('fine'));
      const mask = maskRecord(rand, 'local', 'ref2');
      new MaskChunkDoc(writer.doc(chunk0), 0).setMask(4 as FrameIndex, 'obj_w' as ObjectId, mask);
      await writer.settled();
      await eventually(
        () =>
          new MainDoc(viewer.doc(main)).objects.get('obj_w' as ObjectId)?.className === 'fine' &&
          new MaskChunkDoc(viewer.doc(chunk0), 0).getMask(4 as FrameIndex, 'obj_w' as ObjectId)?.rle ===
            mask.rle,
        10_000,
        'the viewer to receive the edits',
      );

      // After a reconnect its edits come again, in its SyncStep2: still refused.
      await reconnect(viewer);
      await eventually(() => vMain!.isSynced && vMasks!.isSynced, 10_000, 'the viewer to resync');
      await barrier(vMain!, wMain!, 12);
      await barrier(vMasks!, wMasks!, 12);
      refused();

      // The log has exactly the writer's edits.
      expect([await logRows(main), await logRows(chunk0)]).toEqual([rowsBefore[0]! + 1, rowsBefore[1]! + 1]);
      const logged = (await replayLog(db.db, main)).doc;
      expect(new MainDoc(logged).objects.get('obj_viewer' as ObjectId)).toBeUndefined();
      expect(new MainDoc(logged).objects.get('obj_w' as ObjectId)?.className).toBe('fine');
      const loggedMasks = new MaskChunkDoc((await replayLog(db.db, chunk0)).doc, 0);
      expect(loggedMasks.entries().map((e) => e.objId)).toEqual(['obj_w']);
    } finally {
      writer.destroy();
      viewer.destroy();
    }
  });

  it('answers a read-only update or SyncStep2 with SyncStatus(false), applying nothing', async () => {
    const socket = await RawCollabSocket.open(server.url, '?name=Viewer%20Raw');
    try {
      expect(await socket.auth(chunk0)).toMatchObject({ type: 'authenticated', scope: 'readonly' });
      const rows = await logRows(chunk0);
      const mine = new Y.Doc();
      new MaskChunkDoc(mine, 0).setMask(
        9 as FrameIndex,
        'obj_raw' as ObjectId,
        maskRecord(seededRandom(9), 'local', 'r'),
      );
      const update = Y.encodeStateAsUpdate(mine);
      for (const syncType of [SyncType.Update, SyncType.Step2]) {
        expect(await socket.syncAndWait(chunk0, syncType, update)).toMatchObject({
          type: 'sync-status',
          applied: false,
        });
      }
      expect(
        new MaskChunkDoc(live(chunk0), 0).getMask(9 as FrameIndex, 'obj_raw' as ObjectId),
      ).toBeUndefined();
      expect(await logRows(chunk0)).toBe(rows);
      expect(socket.isClosed).toBeNull();
    } finally {
      socket.close();
    }
  });
});

describe('authorization answers and failures', () => {
  it('refuses with a PermissionDenied that says why, and the socket stays usable', async () => {
    const stranger = await RawCollabSocket.open(server.url, '?name=Stranger');
    const writer = await RawCollabSocket.open(server.url, '?name=Writer');
    try {
      expect(await stranger.auth(main)).toEqual({
        doc: main,
        type: 'permission-denied',
        reason: 'FORBIDDEN: not yours',
      });
      expect(await writer.auth(maskChunkDocName(session, 7))).toEqual({
        doc: maskChunkDocName(session, 7),
        type: 'permission-denied',
        reason: 'NOT_FOUND: no mask chunk 7 in this session',
      });
      expect(await writer.auth(main)).toMatchObject({ type: 'authenticated', scope: 'read-write' });
      expect(stranger.isClosed).toBeNull();
      expect(writer.isClosed).toBeNull();
    } finally {
      stranger.close();
      writer.close();
    }
  });

  it('closes the socket when the authorizer cannot answer, so the provider retries and its edits arrive', async () => {
    const writer = connectClient(server.url, { name: 'Writer Wu' });
    const closes: Array<{ code: number; reason: string }> = [];
    writer.socket.on('close', ({ event }: { event: { code: number; reason: string } }) => closes.push(event));
    const denied: string[] = [];
    try {
      const [wMain] = await synced(writer, [main]);
      wMain!.on('authenticationFailed', ({ reason }: { reason: string }) => denied.push(reason));
      authorizerFails = true;
      await reconnect(writer);
      await eventually(() => closes.some((c) => c.code === CLOSE_UNAVAILABLE.code), 10_000, 'a 4205 close');
      // Edits while it cannot get in.
      for (let i = 0; i < 5; i++)
        new MainDoc(writer.doc(main)).objects.create(`obj_retry${i}` as ObjectId, objectInit(`r${i}`));
      await eventually(() => closes.filter((c) => c.code === CLOSE_UNAVAILABLE.code).length >= 2, 10_000);
      expect(closes.find((c) => c.code === CLOSE_UNAVAILABLE.code)?.reason).toBe(CLOSE_UNAVAILABLE.reason);
      authorizerFails = false;
      await writer.settled(15_000);
      expect(denied).toEqual([]);
      const logged = new MainDoc((await replayLog(db.db, main)).doc);
      for (let i = 0; i < 5; i++)
        expect(logged.objects.get(`obj_retry${i}` as ObjectId)?.className).toBe(`r${i}`);
    } finally {
      authorizerFails = false;
      writer.destroy();
    }
  });
});
