/**
 * Roles on the collaboration socket in accounts mode, driven with raw Yjs sync frames:
 * - reviewers and viewers (accounts and guests) are read-only: their updates to the main document
 *   and to a mask chunk document are refused, never relayed to an editor, never stored (not there
 *   after a restart on the same database); an owner's and an editor's are stored;
 * - no role in the session, a guest of another session, no cookie: the documents do not open;
 * - an upgrade from another site is refused before any document is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  MainDoc,
  MaskChunkDoc,
  mainDocName,
  maskChunkDocName,
  type FrameIndex,
  type ObjectId,
  type SessionId,
  type UserId,
  seededRandom,
} from '@maskroom/shared';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import {
  createLink,
  joinAsGuest,
  joinLink,
  openCollab,
  signUp,
  uploadAs,
  type Account,
  type ApiClient,
} from '../test/accounts.js';
import { SyncType, syncFrame, type Incoming, type RawCollabSocket } from '../test/raw-collab.js';
import { maskRecord, replayLog } from '../test/session-content.js';
import { startAccountsServer, type AccountsServer } from './fixtures.js';

let db: TestDatabase;
let env: AccountsServer;
let owner: Account;
let editor: Account;
let reviewer: Account;
let viewer: Account;
let outsider: Account;
let reviewerGuest: ApiClient;
let viewerGuest: ApiClient;
let S1: SessionId;
let S2: SessionId;
const sockets: RawCollabSocket[] = [];

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  env = await startAccountsServer({ db });
  const { server } = env;
  owner = await signUp(server, 'Owner Ona');
  const owner2 = await signUp(server, 'Owner Two');
  editor = await signUp(server, 'Editor Ed');
  reviewer = await signUp(server, 'Reviewer Ray');
  viewer = await signUp(server, 'Viewer Val');
  outsider = await signUp(server, 'Outsider Ott');
  S1 = (await uploadAs(owner.client)).session.id;
  S2 = (await uploadAs(owner2.client)).session.id;
  for (const [role, account] of [
    ['editor', editor],
    ['reviewer', reviewer],
    ['viewer', viewer],
  ] as const) {
    const link = await createLink(owner.client, S1, role);
    expect((await joinLink(server, link.token, { as: account.token })).status).toBe(200);
  }
  reviewerGuest = await joinAsGuest(
    server,
    (await createLink(owner.client, S1, 'reviewer')).token,
    'Guest Rev',
  );
  viewerGuest = await joinAsGuest(server, (await createLink(owner.client, S1, 'viewer')).token, 'Guest View');
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await env?.close();
  await db?.dispose();
});

async function socketOf(token: string | null, origin?: string | null): Promise<RawCollabSocket> {
  const opened = await openCollab(env.server, { token, ...(origin === undefined ? {} : { origin }) });
  if (!opened.socket) throw new Error(`the socket was refused: ${opened.refused}`);
  sockets.push(opened.socket);
  return opened.socket;
}

/** Subscribes a socket to a document: SyncStep1 with an empty state vector (the server answers with all). */
function subscribe(socket: RawCollabSocket, doc: string): void {
  socket.send(syncFrame(doc, SyncType.Step1, Y.encodeStateVector(new Y.Doc())));
}

/** What a socket has received of a document, applied to a fresh doc. */
function receivedDoc(socket: RawCollabSocket, doc: string): Y.Doc {
  const out = new Y.Doc();
  for (const m of socket.received)
    if (m.doc === doc && m.type === 'sync' && m.syncType !== SyncType.Step1) Y.applyUpdate(out, m.update);
  return out;
}

const userIdOf = (who: string): UserId => who.replace(/[^A-Za-z0-9_-]/g, '_') as UserId;

const objectUpdate = (objId: string, by: string): Uint8Array => {
  const doc = new Y.Doc();
  new MainDoc(doc).objects.create(objId as ObjectId, {
    className: objId,
    instanceName: objId,
    color: '#123456',
    createdBy: userIdOf(by),
    createdAt: 1,
  });
  return Y.encodeStateAsUpdate(doc);
};

const maskUpdate = (objId: string, frame: number, by: string): Uint8Array => {
  const doc = new Y.Doc();
  new MaskChunkDoc(doc, 0).setMask(
    frame as FrameIndex,
    objId as ObjectId,
    maskRecord(seededRandom(frame), userIdOf(by), 'ref'),
  );
  return Y.encodeStateAsUpdate(doc);
};

const hasObject = (doc: Y.Doc, objId: string): boolean =>
  new MainDoc(doc).objects.get(objId as ObjectId) !== undefined;
const hasMask = (doc: Y.Doc, objId: string, frame: number): boolean =>
  new MaskChunkDoc(doc, 0).getMask(frame as FrameIndex, objId as ObjectId) !== undefined;

const authenticated = (m: Incoming): string => (m.type === 'authenticated' ? m.scope : `${m.type}`);

describe('read-only roles on the socket', () => {
  it('refuses viewer and reviewer updates (main and chunk), relays none, stores none; stores the editors’', async () => {
    const main = mainDocName(S1);
    const chunk = maskChunkDocName(S1, 0);
    const watcher = await socketOf(editor.token);
    for (const doc of [main, chunk]) {
      expect(authenticated(await watcher.auth(doc))).toBe('read-write');
      subscribe(watcher, doc);
    }

    const readOnly = [
      ['viewer', viewer.token],
      ['reviewer', reviewer.token],
      ['viewer guest', viewerGuest.token!],
      ['reviewer guest', reviewerGuest.token!],
    ] as const;
    const refusedIds: string[] = [];
    for (const [who, token] of readOnly) {
      const socket = await socketOf(token);
      expect(authenticated(await socket.auth(main)), who).toBe('readonly');
      expect(authenticated(await socket.auth(chunk)), who).toBe('readonly');
      const id = `obj_ro_${who.replace(' ', '_')}`;
      refusedIds.push(id);
      for (const syncType of [SyncType.Update, SyncType.Step2]) {
        expect(await socket.syncAndWait(main, syncType, objectUpdate(id, who)), `${who} main`).toMatchObject({
          type: 'sync-status',
          applied: false,
        });
        expect(
          await socket.syncAndWait(chunk, syncType, maskUpdate(id, 3, who)),
          `${who} chunk`,
        ).toMatchObject({
          type: 'sync-status',
          applied: false,
        });
      }
    }

    // The owner and the editor write; the watcher receives theirs (after the refused ones were handled).
    for (const [who, account] of [
      ['owner', owner],
      ['editor', editor],
    ] as const) {
      const socket = await socketOf(account.token);
      expect(authenticated(await socket.auth(main))).toBe('read-write');
      expect(authenticated(await socket.auth(chunk))).toBe('read-write');
      expect(await socket.syncAndWait(main, SyncType.Update, objectUpdate(`obj_${who}`, who))).toMatchObject({
        type: 'sync-status',
        applied: true,
      });
      expect(
        await socket.syncAndWait(chunk, SyncType.Update, maskUpdate(`obj_${who}`, 4, who)),
      ).toMatchObject({
        type: 'sync-status',
        applied: true,
      });
    }
    await watcher.next(
      () =>
        hasObject(receivedDoc(watcher, main), 'obj_owner') &&
        hasMask(receivedDoc(watcher, chunk), 'obj_editor', 4),
    );
    const seenMain = receivedDoc(watcher, main);
    const seenChunk = receivedDoc(watcher, chunk);
    for (const id of refusedIds) {
      expect(hasObject(seenMain, id), `${id} relayed`).toBe(false);
      expect(hasMask(seenChunk, id, 3), `${id} mask relayed`).toBe(false);
    }
    expect(hasObject(seenMain, 'obj_editor')).toBe(true);

    // Restart on the same database: the log and a fresh editor see the writers' edits only.
    for (const s of sockets.splice(0)) s.terminate();
    await env.server.close();
    env = await startAccountsServer({ db });
    const loggedMain = (await replayLog(db.db, main)).doc;
    const loggedChunk = (await replayLog(db.db, chunk)).doc;
    const fresh = await socketOf(editor.token);
    for (const doc of [main, chunk]) {
      expect(authenticated(await fresh.auth(doc))).toBe('read-write');
      subscribe(fresh, doc);
    }
    await fresh.next(
      () =>
        hasObject(receivedDoc(fresh, main), 'obj_editor') &&
        hasMask(receivedDoc(fresh, chunk), 'obj_owner', 4),
    );
    for (const [doc, chunkDoc] of [
      [loggedMain, loggedChunk],
      [receivedDoc(fresh, main), receivedDoc(fresh, chunk)],
    ] as const) {
      for (const id of refusedIds) {
        expect(hasObject(doc, id), `${id} stored`).toBe(false);
        expect(hasMask(chunkDoc, id, 3), `${id} mask stored`).toBe(false);
      }
      for (const who of ['owner', 'editor']) {
        expect(hasObject(doc, `obj_${who}`), `obj_${who} stored`).toBe(true);
        expect(hasMask(chunkDoc, `obj_${who}`, 4), `obj_${who} mask stored`).toBe(true);
      }
    }
  });
});

describe('who may not open the documents', () => {
  it('an account without a role in the session: permission denied (NOT_FOUND), nothing sent', async () => {
    const socket = await socketOf(outsider.token);
    for (const doc of [mainDocName(S1), maskChunkDocName(S1, 0)]) {
      const answer = await socket.auth(doc);
      expect(answer).toMatchObject({ type: 'permission-denied' });
      expect(answer.type === 'permission-denied' && answer.reason).toMatch(/^NOT_FOUND/);
      subscribe(socket, doc);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.received.filter((m) => m.type === 'sync')).toEqual([]);
  });

  it("a guest of S1 cannot open S2's documents", async () => {
    const socket = await socketOf(viewerGuest.token);
    expect(authenticated(await socket.auth(mainDocName(S1)))).toBe('readonly');
    for (const doc of [mainDocName(S2), maskChunkDocName(S2, 0)]) {
      expect(await socket.auth(doc)).toMatchObject({ type: 'permission-denied' });
      subscribe(socket, doc);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.received.filter((m) => m.type === 'sync' && m.doc.includes(S2))).toEqual([]);
  });

  it('no cookie, or a tampered one: refused (upgrade or every document)', async () => {
    const tampered = `${owner.token.slice(0, -1)}${owner.token.endsWith('a') ? 'b' : 'a'}`;
    for (const token of [null, tampered, 'garbage']) {
      const opened = await openCollab(env.server, { token });
      if (!opened.socket) continue;
      sockets.push(opened.socket);
      const answer = await opened.socket.auth(mainDocName(S1));
      expect(answer, String(token)).toMatchObject({ type: 'permission-denied' });
      expect(answer.type === 'permission-denied' && answer.reason).toMatch(/^UNAUTHENTICATED/);
    }
  });

  it('an upgrade from another site is refused, even with a valid cookie', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
      const opened = await openCollab(env.server, { token: owner.token, origin });
      if (opened.socket) {
        sockets.push(opened.socket);
        const answer = await opened.socket.auth(mainDocName(S1)).catch((e: unknown) => ({ type: String(e) }));
        expect.fail(`the upgrade with Origin ${origin} was accepted (then: ${JSON.stringify(answer)})`);
      }
      expect(opened.refused, origin).toMatch(/403|error/);
    }
    // The same cookie from the site itself is fine.
    const own = await socketOf(owner.token);
    expect(authenticated(await own.auth(mainDocName(S1)))).toBe('read-write');
  });
});
