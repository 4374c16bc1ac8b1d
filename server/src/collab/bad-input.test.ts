/**
 * Bad input on the collaboration socket, from raw `ws` clients: undecodable frames, truncated and
 * corrupt updates, unknown message and sync types, document names that are malformed or name
 * nothing, a message over MAX_MESSAGE_BYTES, and frames sent without authenticating. Each time the
 * offending connection is closed or refused with a reason, and afterwards the server answers its
 * health check, the session's documents are exactly what they were (for a fresh provider and in
 * the log, replayed strictly), and nothing reached the log.
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
import { MAX_MESSAGE_BYTES } from './Collab.js';
import { CLOSE_INVALID_UPDATE } from './DurableLog.js';
import { DocLog } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { connectClient, eventually } from '../test/collab-client.js';
import {
  MessageType,
  RawCollabSocket,
  SyncType,
  authFrame,
  frame,
  syncFrame,
  varBytes,
  varString,
  varUint,
  type Incoming,
} from '../test/raw-collab.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { docJson, maskRecord, replayLog, uploadTestSession } from '../test/session-content.js';

let server: TestServer;
let db: TestDatabase;
let session: SessionId;
let names: string[];
let main: string;
let baseline: { rows: number[]; json: Array<Record<string, unknown>> };

beforeAll(async () => {
  db = await openPgliteTestDatabase();
  server = await startTestServer({ database: db });
  const uploaded = await uploadTestSession(server.url, 3); // 90 frames: chunks 0 and 1
  session = uploaded.session;
  main = mainDocName(session);
  names = [main, maskChunkDocName(session, 0), maskChunkDocName(session, 1)];
  // Content worth protecting.
  const client = connectClient(server.url, { name: 'Author' });
  try {
    for (const n of names) client.open(n);
    await client.settled();
    new MainDoc(client.doc(main)).objects.create('obj_1' as ObjectId, {
      className: 'dog',
      instanceName: 'Rex',
      color: '#aa0000',
      createdBy: 'local' as UserId,
      createdAt: 1,
    });
    const rand = seededRandom(3);
    for (const frame of [1, 2, 70])
      new MaskChunkDoc(client.doc(names[frame < 64 ? 1 : 2]!), frame < 64 ? 0 : 1).setMask(
        frame as FrameIndex,
        'obj_1' as ObjectId,
        maskRecord(rand, 'local', 'p1'),
      );
    await client.settled();
  } finally {
    client.destroy();
  }
  baseline = await snapshotLog();
  expect(baseline.rows.every((n) => n > 0)).toBe(true);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

async function snapshotLog(): Promise<{ rows: number[]; json: Array<Record<string, unknown>> }> {
  const rows: number[] = [];
  const json: Array<Record<string, unknown>> = [];
  for (const n of names) {
    rows.push((await new DocLog(db.db).load(n)).updates.length);
    json.push(docJson((await replayLog(db.db, n)).doc));
  }
  return { rows, json };
}

/** The server is healthy and the session is exactly as before, in the log and for a new client. */
async function expectUnharmed(): Promise<void> {
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  expect(await snapshotLog()).toEqual(baseline);
  const client = connectClient(server.url);
  try {
    for (const n of names) client.open(n);
    await client.settled();
    expect(names.map((n) => docJson(client.doc(n)))).toEqual(baseline.json);
  } finally {
    client.destroy();
  }
}

/** An update that is valid Yjs, from a client the server has never seen. */
function someUpdate(): Uint8Array {
  const doc = new Y.Doc();
  new MainDoc(doc).objects.create('obj_bad' as ObjectId, {
    className: 'cat',
    instanceName: 'Tom',
    color: '#00aa00',
    createdBy: 'local' as UserId,
    createdAt: 2,
  });
  return Y.encodeStateAsUpdate(doc);
}

const isDocAnswer = (doc: string) => (m: Incoming) =>
  m.doc === doc && (m.type === 'close' || m.type === 'sync-status' || m.type === 'permission-denied');

/** Opens a socket, authenticates `main` on it, sends `bad`, and returns the server's answer. */
async function afterAuth(bad: Uint8Array): Promise<{ socket: RawCollabSocket; answer: Incoming }> {
  const socket = await RawCollabSocket.open(server.url);
  expect(await socket.auth(main)).toMatchObject({ type: 'authenticated' });
  const from = socket.received.length;
  socket.send(bad);
  const answer = await socket.next((m) => socket.received.indexOf(m) >= from && isDocAnswer(main)(m));
  return { socket, answer };
}

describe('malformed frames', () => {
  it('closes a socket whose frame does not even decode (no document name)', async () => {
    const socket = await RawCollabSocket.open(server.url);
    // A document-name length of 2^35: no frame can hold it.
    socket.send(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
    expect(await socket.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    await expectUnharmed();
  });

  it('closes the document on a truncated update', async () => {
    const update = someUpdate();
    const truncated = update.slice(0, Math.floor(update.length / 2));
    expect(() => Y.decodeUpdate(truncated)).toThrow();
    const { socket, answer } = await afterAuth(syncFrame(main, SyncType.Update, truncated));
    expect(answer).toEqual({ doc: main, type: 'close', reason: CLOSE_INVALID_UPDATE.reason });
    // Only that document: the socket still works.
    expect(await socket.auth(names[1]!)).toMatchObject({ type: 'authenticated' });
    socket.close();
    await expectUnharmed();
  });

  it('closes the document on a frame cut short inside its update', async () => {
    const update = someUpdate();
    const whole = syncFrame(main, SyncType.Update, update);
    const { socket, answer } = await afterAuth(whole.slice(0, whole.length - 10));
    expect(answer).toMatchObject({ doc: main, type: 'close' });
    expect(answer.type === 'close' && answer.reason.length).toBeGreaterThan(0);
    socket.close();
    await expectUnharmed();
  });

  it('closes the document on a well-framed update with a corrupt payload (SyncStep2 or Update)', async () => {
    const rand = seededRandom(11);
    for (const syncType of [SyncType.Step2, SyncType.Update]) {
      const garbage = Uint8Array.from({ length: 300 }, () => Math.floor(rand() * 256));
      garbage[0] = 3; // three struct groups follow, supposedly
      expect(() => Y.decodeUpdate(garbage)).toThrow();
      const { socket, answer } = await afterAuth(syncFrame(main, syncType, garbage));
      expect(answer).toEqual({ doc: main, type: 'close', reason: CLOSE_INVALID_UPDATE.reason });
      socket.close();
    }
    // A real update with bytes flipped until it no longer decodes.
    const update = someUpdate();
    for (let i = 3; i < update.length; i += 7) update[i] = 0xff;
    expect(() => Y.decodeUpdate(update)).toThrow();
    const { socket, answer } = await afterAuth(syncFrame(main, SyncType.Update, update));
    expect(answer).toEqual({ doc: main, type: 'close', reason: CLOSE_INVALID_UPDATE.reason });
    socket.close();
    await expectUnharmed();
  });

  it('closes the document on an unknown sync type, and on a client BroadcastStateless', async () => {
    for (const bad of [
      frame(varString(main), [MessageType.Sync, 9], varBytes(someUpdate())),
      frame(varString(main), [MessageType.BroadcastStateless], varString('hello everyone')),
    ]) {
      const { socket, answer } = await afterAuth(bad);
      expect(answer).toMatchObject({ doc: main, type: 'close', reason: 'Reset Connection' });
      socket.close();
    }
    await expectUnharmed();
  });

  it('reads nothing beyond a frame whose update claims more bytes than the frame holds', async () => {
    // A valid update ending in binary content: the client sends it cut 7 bytes short, claiming
    // its full length, and a second message in the same write. Read past its end, the frame
    // would take the second message's header (6 bytes: opcode, length, mask key) into the
    // binary content and its first byte (0) as the empty delete set: a valid update made of
    // bytes the client never put in that frame.
    const doc = new Y.Doc();
    doc.clientID = 777;
    doc.getMap('zz').set('leak', new Uint8Array(20).fill(1));
    const update = Y.encodeStateAsUpdate(doc);
    expect(update[update.length - 1]).toBe(0); // the empty delete set
    const claimed = frame(varString(main), [MessageType.Sync, SyncType.Update], varUint(update.length));
    const short = frame(claimed, update.slice(0, update.length - 7));
    // Next: an Auth for the document "" (refused; harmless), whose first byte is 0.
    const next = frame(varString(''), [MessageType.Auth, 0], varString(''));
    const socket = await RawCollabSocket.open(server.url);
    try {
      expect(await socket.auth(main)).toMatchObject({ type: 'authenticated' });
      const from = socket.received.length;
      socket.sendTogether([short, next]);
      const answer = await socket.next((m) => socket.received.indexOf(m) >= from && isDocAnswer(main)(m));
      expect(answer).toMatchObject({ doc: main, type: 'close' });
      expect(server.collab.hocuspocus.documents.get(main)?.share.has('zz') ?? false).toBe(false);
    } finally {
      socket.close();
    }
    await expectUnharmed();
  });

  it('ignores an unknown message type; the connection keeps working', async () => {
    const socket = await RawCollabSocket.open(server.url);
    try {
      expect(await socket.auth(main)).toMatchObject({ type: 'authenticated' });
      socket.send(frame(varString(main), [42], [1, 2, 3]));
      // Still served: an empty update is acknowledged.
      expect(await socket.syncAndWait(main, SyncType.Update, Uint8Array.from([0, 0]))).toEqual({
        doc: main,
        type: 'sync-status',
        applied: true,
      });
    } finally {
      socket.close();
    }
    await expectUnharmed();
  });

  it('holds back, never applies or logs, an update that builds on state the server never had', async () => {
    // Client 1234's structs from clock 10 on: its first ten were never sent.
    const doc = new Y.Doc();
    doc.clientID = 1234;
    const map = doc.getMap('objects');
    for (let i = 0; i < 11; i++) map.set(`k${i}`, i);
    const tail = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Map([[1234, 10]])));
    expect(Y.parseUpdateMeta(tail).from.get(1234)).toBe(10);
    const { socket, answer } = await afterAuth(syncFrame(main, SyncType.Update, tail));
    expect(answer).toEqual({ doc: main, type: 'sync-status', applied: false });
    expect(server.collab.hocuspocus.documents.get(main)?.store.pendingStructs ?? null).toBeNull();
    socket.close();
    await expectUnharmed();
  });
});

describe('document names', () => {
  it('refuses names that are malformed or name nothing, with a reason; the socket stays usable', async () => {
    const socket = await RawCollabSocket.open(server.url);
    try {
      const cases: Array<[string, RegExp]> = [
        ['session/nope', /^NOT_FOUND: no such session$/],
        ['../x', /^INVALID_REQUEST: not a Maskroom document name/],
        [`session/${session}/masks/99999`, /^NOT_FOUND: no mask chunk 99999 in this session$/],
        [`session/${session}/masks/01`, /^INVALID_REQUEST: /],
        [`session/${session}/frames/0`, /^INVALID_REQUEST: /],
        ['', /^INVALID_REQUEST: /],
        ['x'.repeat(10_000), /^INVALID_REQUEST: /],
      ];
      for (const [name, reason] of cases) {
        const answer = await socket.auth(name);
        expect(answer.type, name.slice(0, 40)).toBe('permission-denied');
        expect(answer.type === 'permission-denied' && answer.reason, name.slice(0, 40)).toMatch(reason);
        expect(answer.type === 'permission-denied' && answer.reason.length).toBeLessThan(300);
      }
      // Frames for a refused name change nothing.
      socket.send(syncFrame('session/nope', SyncType.Update, someUpdate()));
      expect(socket.isClosed).toBeNull();
      expect(await socket.auth(main)).toMatchObject({ type: 'authenticated' });
    } finally {
      socket.close();
    }
    await expectUnharmed();
  });
});

describe('oversized messages', () => {
  it(`closes the socket on a message over MAX_MESSAGE_BYTES (${MAX_MESSAGE_BYTES} bytes)`, async () => {
    const socket = await RawCollabSocket.open(server.url);
    expect(await socket.auth(main)).toMatchObject({ type: 'authenticated' });
    const big = new Uint8Array(MAX_MESSAGE_BYTES + 1);
    big.set(frame(varString(main), [MessageType.Sync, SyncType.Update], varUint(MAX_MESSAGE_BYTES - 100)));
    socket.send(big);
    const closed = await socket.closed;
    expect(closed.code).toBe(1009);
    await expectUnharmed();
  }, 30_000);
});

describe('frames before authentication', () => {
  it('never applies them, and closes a socket that queues too many', async () => {
    const socket = await RawCollabSocket.open(server.url);
    const update = syncFrame(main, SyncType.Update, someUpdate());
    // Hocuspocus queues frames until the document's Auth; at most 1000 of them per socket.
    for (let i = 0; i < 1001; i++) socket.send(update);
    expect(await socket.closed).toEqual({ code: 4205, reason: 'Reset Connection' });
    expect(socket.received.filter((m) => m.type === 'sync-status')).toEqual([]);
    await expectUnharmed();
  });

  it('handles queued frames only once the document is authenticated, like any other', async () => {
    const socket = await RawCollabSocket.open(server.url);
    try {
      // A truncated update queued before the Auth: handled after it, and refused then.
      const update = someUpdate();
      socket.send(syncFrame(main, SyncType.Update, update.slice(0, 5)));
      await new Promise((r) => setTimeout(r, 50));
      expect(socket.received).toEqual([]);
      socket.send(authFrame(main));
      await eventually(() => socket.received.some(isDocAnswer(main)), 5_000);
      expect(socket.received.filter(isDocAnswer(main))[0]).toEqual({
        doc: main,
        type: 'close',
        reason: CLOSE_INVALID_UPDATE.reason,
      });
    } finally {
      socket.close();
    }
    await expectUnharmed();
  });
});
