/**
 * Presence (DESIGN §3, issue 4 item 4) through awareness on a session's main document, with real
 * providers on real sockets: what one participant publishes (identity, playhead frame, cursor,
 * selection) reaches the others; `user` is always the identity the server authenticated (local
 * mode: `?name=` on the socket URL), whatever the client claims; invalid fields are dropped one by
 * one; mask chunk documents carry no presence; a participant who leaves disappears. Then the same
 * across two server instances relaying through Redis.
 */
import { isDeepStrictEqual } from 'node:util';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainDocName, maskChunkDocName, type SessionId } from '@maskroom/shared';
import { localUser } from '../identity/local-user.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { connectClient, eventually, type TestClient } from '../test/collab-client.js';
import { dropConnection, redisTestTarget, uploadSession } from '../test/collab-fixtures.js';
import { startTestServer, type TestServer } from '../test/server.js';

/** The identity the local-mode server gives a socket opened with `?name=<name>`. */
const identity = (name: string) => localUser(name);

/** What `observer` currently sees of `subject`'s presence on `name` (undefined: nothing). */
function seen(observer: TestClient, subject: TestClient, name: string): Record<string, unknown> | undefined {
  const p = observer.open(name);
  return p.awareness?.getStates().get(subject.doc(name).clientID) as Record<string, unknown> | undefined;
}

/** Waits until `observer` sees exactly `expected` as `subject`'s presence on `name`. */
async function expectSeen(
  observer: TestClient,
  subject: TestClient,
  name: string,
  expected: Record<string, unknown> | undefined,
  timeoutMs = 5_000,
): Promise<void> {
  await eventually(
    () => isDeepStrictEqual(seen(observer, subject, name), expected),
    timeoutMs,
    `presence ${JSON.stringify(expected)}`,
  ).catch(() => undefined);
  expect(seen(observer, subject, name)).toEqual(expected);
}

function setPresence(p: HocuspocusProvider, state: Record<string, unknown>): void {
  p.awareness!.setLocalState(state);
}

const spoofed = { id: 'mallory', name: 'Mallory', color: '#000000' };

/** The checks both topologies share: `a`, `b`, `c` are connected (possibly to different servers). */
function presenceContract(
  ctx: () => { session: SessionId; connect: (who: string, i: number) => TestClient },
) {
  const clients: TestClient[] = [];
  const connect = (who: string, i: number): TestClient => {
    const c = ctx().connect(who, i);
    clients.push(c);
    return c;
  };
  const cleanup = (): void => {
    for (const c of clients.splice(0)) c.destroy();
  };

  it('name, color, playhead frame, cursor and selection reach the others; a spoofed user is replaced', async () => {
    try {
      const main = mainDocName(ctx().session);
      const ada = connect('Ada', 0);
      const bo = connect('Bo', 1);
      setPresence(ada.open(main), {
        user: spoofed,
        frame: 12,
        cursor: { x: 0.25, y: 0.5 },
        selectedObjId: 'obj_1',
        following: null,
      });
      setPresence(bo.open(main), {
        frame: 0,
        cursor: null,
        selectedObjId: null,
        following: 'local',
      });
      await ada.settled();
      await bo.settled();
      await expectSeen(bo, ada, main, {
        user: identity('Ada'),
        frame: 12,
        cursor: { x: 0.25, y: 0.5 },
        selectedObjId: 'obj_1',
        following: null,
      });
      await expectSeen(ada, bo, main, {
        user: identity('Bo'),
        frame: 0,
        cursor: null,
        selectedObjId: null,
        following: 'local',
      });

      // Moves: the playhead, the cursor (and leaving the canvas), the selection.
      ada.open(main).setAwarenessField('frame', 40);
      ada.open(main).setAwarenessField('cursor', { x: 0.9, y: 0.1 });
      ada.open(main).setAwarenessField('selectedObjId', 'obj_2');
      await expectSeen(bo, ada, main, {
        user: identity('Ada'),
        frame: 40,
        cursor: { x: 0.9, y: 0.1 },
        selectedObjId: 'obj_2',
        following: null,
      });
      ada.open(main).setAwarenessField('cursor', null);
      ada.open(main).setAwarenessField('user', { ...spoofed, name: 'Ada (admin)' });
      await expectSeen(bo, ada, main, {
        user: identity('Ada'),
        frame: 40,
        cursor: null,
        selectedObjId: 'obj_2',
        following: null,
      });

      // Someone who joins later sees who is already there.
      const cy = connect('Cy', 1);
      cy.open(main);
      await cy.settled();
      await expectSeen(cy, ada, main, {
        user: identity('Ada'),
        frame: 40,
        cursor: null,
        selectedObjId: 'obj_2',
        following: null,
      });
      await expectSeen(cy, bo, main, {
        user: identity('Bo'),
        frame: 0,
        cursor: null,
        selectedObjId: null,
        following: 'local',
      });
    } finally {
      cleanup();
    }
  });

  it('drops invalid or unknown presence fields one by one and keeps the valid ones', async () => {
    try {
      const main = mainDocName(ctx().session);
      const ada = connect('Ada', 0);
      const bo = connect('Bo', 1);
      bo.open(main);
      setPresence(ada.open(main), {
        frame: -3, // not a frame index
        cursor: { x: 2, y: 0.5 }, // outside the frame
        selectedObjId: 'not an id!',
        following: 'local',
        masks: 'x'.repeat(10_000), // not a presence field
      });
      await ada.settled();
      await bo.settled();
      await expectSeen(bo, ada, main, { user: identity('Ada'), following: 'local' });

      // Only what a client has set so far (a playhead before any cursor) is kept too.
      setPresence(ada.open(main), { frame: 5 });
      await expectSeen(bo, ada, main, { user: identity('Ada'), frame: 5 });

      // Wrong types everywhere, and a `user` that is not even an object: identity only.
      setPresence(ada.open(main), { user: 'root', frame: '7', cursor: 'here', selectedObjId: 3 });
      await expectSeen(bo, ada, main, { user: identity('Ada') });

      // Valid again: everything comes back.
      setPresence(ada.open(main), { frame: 8, cursor: { x: 0, y: 1 }, selectedObjId: null, following: null });
      await expectSeen(bo, ada, main, {
        user: identity('Ada'),
        frame: 8,
        cursor: { x: 0, y: 1 },
        selectedObjId: null,
        following: null,
      });
    } finally {
      cleanup();
    }
  });

  it('mask chunk documents carry no presence', async () => {
    try {
      const main = mainDocName(ctx().session);
      const chunk = maskChunkDocName(ctx().session, 0);
      const ada = connect('Ada', 0);
      const bo = connect('Bo', 1);
      bo.open(main);
      bo.open(chunk);
      await bo.settled();
      // Chunk first, then a marker on the main doc: one socket, in order, so once the marker
      // arrived the chunk's awareness has been handled too.
      setPresence(ada.open(chunk), { user: spoofed, frame: 3, cursor: { x: 0.5, y: 0.5 } });
      ada.open(main);
      await ada.settled();
      setPresence(ada.open(main), { frame: 99 });
      await expectSeen(bo, ada, main, { user: identity('Ada'), frame: 99 });
      const onChunk = seen(bo, ada, chunk);
      expect(onChunk === undefined || Object.keys(onChunk).length === 0).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('a participant who leaves (closing, or losing the connection) disappears for the others', async () => {
    try {
      const main = mainDocName(ctx().session);
      const ada = connect('Ada', 0);
      const bo = connect('Bo', 1);
      const cy = connect('Cy', 0);
      for (const [c, frame] of [
        [ada, 1],
        [bo, 2],
        [cy, 3],
      ] as const) {
        setPresence(c.open(main), { frame });
        await c.settled();
      }
      await expectSeen(bo, ada, main, { user: identity('Ada'), frame: 1 });
      await expectSeen(bo, cy, main, { user: identity('Cy'), frame: 3 });

      // A clean close.
      ada.socket.disconnect();
      await expectSeen(bo, ada, main, undefined);
      // A dropped connection (no close handshake), not retried.
      cy.socket.shouldConnect = false;
      dropConnection(cy);
      await expectSeen(bo, cy, main, undefined);
      // Coming back brings the presence back. The provider resends its state with the clock the
      // departure already carried, which y-protocols ignores everywhere; a client must re-announce
      // its state (a new clock) once it is connected again, as this one does.
      await ada.socket.connect();
      await ada.settled();
      const awareness = ada.open(main).awareness!;
      awareness.setLocalState(awareness.getLocalState());
      await expectSeen(bo, ada, main, { user: identity('Ada'), frame: 1 });
    } finally {
      cleanup();
    }
  });
}

describe('presence on one server', () => {
  let db: TestDatabase;
  let server: TestServer;
  let session: SessionId;

  beforeAll(async () => {
    db = await openPgliteTestDatabase();
    server = await startTestServer({ database: db });
    ({ session } = await uploadSession(server.url));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  presenceContract(() => ({ session, connect: (who) => connectClient(server.url, { name: who }) }));
});

const redis = redisTestTarget();

if (redis.kind === 'fail') {
  describe('presence across two instances (Redis)', () => {
    it('has a Redis server to run against', () => {
      throw new Error(redis.reason);
    });
  });
} else if (redis.kind === 'skip') {
  console.warn(`[presence.test.ts] ${redis.reason}`);
  describe('presence across two instances (Redis)', () => {
    it.skip(`SKIPPED: ${redis.reason}`, () => {});
  });
} else {
  describe('presence across two instances (Redis)', () => {
    let db: TestDatabase;
    const servers: TestServer[] = [];
    let session: SessionId;

    beforeAll(async () => {
      db = await openPgliteTestDatabase();
      // Two instances in this process, each with its own instance id and Redis connections,
      // sharing one database.
      for (let i = 0; i < 2; i++)
        servers.push(await startTestServer({ database: db, env: { REDIS_URL: redis.url } }));
      ({ session } = await uploadSession(servers[0]!.url));
    }, 60_000);
    afterAll(async () => {
      for (const s of servers) await s.close();
      await db?.dispose();
    });

    // `connect(who, i)` picks instance i % 2: A for 0, B for 1.
    presenceContract(() => ({
      session,
      connect: (who, i) => connectClient(servers[i % 2]!.url, { name: who }),
    }));
  });
}
