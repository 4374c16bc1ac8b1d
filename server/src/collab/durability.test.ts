/**
 * "Acknowledged ⇒ durable" (DESIGN §4) against `kill -9`: the server runs as a child process;
 * three clients edit a session through real providers (objects in the main doc, 5–20 KB masks on
 * frames of every chunk doc); the server is SIGKILLed, first right after the clients settled,
 * then again in the middle of a stream of edits; after each restart on the same data directory
 * or database, every edit a provider had acknowledged is in the log (replayed strictly, without
 * the server) and in what a fresh client loads. Runs on the embedded PGlite (local mode) and on
 * PostgreSQL (`DATABASE_URL`, a scratch database).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { SessionId } from '@maskroom/shared';
import { IN_MEMORY, openDatabase, type Database } from '../db/index.js';
import { postgresTestTarget } from '../db/testing.js';
import { connectClient, type TestClient } from '../test/collab-client.js';
import { createScratchDatabase } from '../test/pg-scratch.js';
import { startServerProcess, type ServerProcess } from '../test/server-process.js';
import {
  Ledger,
  SessionWriter,
  docJson,
  missingFromDocs,
  replaySession,
  sessionDocNames,
  uploadTestSession,
  waitSettled,
} from '../test/session-content.js';

const WRITERS = 3;

interface Backend {
  /** Variables that make a server process use this storage. */
  readonly env: Record<string, string>;
  /** Opens the same storage in this process (only while no server holds it, for PGlite). */
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

async function pgliteBackend(): Promise<Backend> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-durable-'));
  return {
    env: { MASKROOM_DATA_DIR: dataDir },
    open: () => openDatabase({ dataDir }),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function postgresBackend(adminUrl: string): Promise<Backend> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-durable-'));
  const scratch = await createScratchDatabase(adminUrl, 'mr_durable');
  return {
    env: { MASKROOM_DATA_DIR: dataDir, DATABASE_URL: scratch.url },
    open: () => openDatabase({ databaseUrl: scratch.url, dataDir: IN_MEMORY, poolSize: 2 }),
    dispose: async () => {
      await scratch.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function start(backend: Backend): Promise<ServerProcess> {
  const server = await startServerProcess(backend.env);
  cleanups.push(() => server.kill('SIGKILL'));
  return server;
}

/** Kills the server with SIGKILL and checks that it really died of it. */
async function killHard(server: ServerProcess): Promise<void> {
  const { signal } = await server.kill('SIGKILL');
  expect(signal).toBe('SIGKILL');
}

/** The log, replayed strictly in this process, holds every acknowledged edit. */
async function checkLog(
  backend: Backend,
  session: SessionId,
  names: readonly string[],
  ledger: Ledger,
): Promise<Map<string, Y.Doc>> {
  const database = await backend.open();
  try {
    const { docs } = await replaySession(database.db, names);
    expect(missingFromDocs(ledger, session, (n) => docs.get(n)!)).toEqual([]);
    return docs;
  } finally {
    await database.close();
  }
}

/** A fresh client of the restarted server loads every acknowledged edit, as the log has it. */
async function checkFreshClient(
  url: string,
  session: SessionId,
  names: readonly string[],
  ledger: Ledger,
  replayed: Map<string, Y.Doc>,
): Promise<void> {
  const client = connectClient(url, { name: 'Checker' });
  try {
    for (const n of names) client.open(n);
    await client.settled(20_000);
    expect(missingFromDocs(ledger, session, (n) => client.doc(n))).toEqual([]);
    for (const n of names) expect(docJson(client.doc(n)), n).toEqual(docJson(replayed.get(n)!));
  } finally {
    client.destroy();
  }
}

function writersFor(url: string, session: SessionId, numFrames: number, ledger: Ledger, round: number) {
  const clients: TestClient[] = [];
  const writers = Array.from({ length: WRITERS }, (_, i) => {
    const client = connectClient(url, { name: `Writer ${i}` });
    clients.push(client);
    return new SessionWriter(client, session, numFrames, `r${round}w${i}`, 1000 * round + i, ledger);
  });
  return { writers, destroy: () => clients.forEach((c) => c.destroy()) };
}

async function runScenario(backend: Backend): Promise<void> {
  let server = await start(backend);
  const { session, numFrames } = await uploadTestSession(server.url, 5);
  const names = sessionDocNames(session, numFrames);
  expect(names.length).toBeGreaterThanOrEqual(4); // main + at least 3 chunks
  const ledger = new Ledger();

  // Round 1: a burst of edits, every client settles, then kill -9.
  {
    const { writers, destroy } = writersFor(server.url, session, numFrames, ledger, 1);
    try {
      for (const w of writers) expect(await waitSettled(w)).toBe(true);
      for (let i = 0; i < 20; i++) for (const w of writers) w.edit();
      for (const w of writers) {
        expect(await waitSettled(w)).toBe(true);
        w.acknowledge();
      }
      await killHard(server);
    } finally {
      destroy();
    }
  }
  expect(ledger.masks.size).toBeGreaterThan(10);
  let replayed = await checkLog(backend, session, names, ledger);
  server = await start(backend);
  await checkFreshClient(server.url, session, names, ledger, replayed);

  // Round 2: a stream of edits, each client waiting for its acknowledgement before the next;
  // kill -9 lands in the middle of it (some edits in flight, never acknowledged).
  const before = ledger.size;
  {
    const { writers, destroy } = writersFor(server.url, session, numFrames, ledger, 2);
    let killed = false;
    try {
      for (const w of writers) expect(await waitSettled(w)).toBe(true);
      const loops = writers.map(async (w) => {
        while (!killed) {
          w.edit();
          if (await waitSettled(w, () => killed)) w.acknowledge();
        }
      });
      // Enough acknowledged edits in this round, then the kill, without waiting for anyone.
      const deadline = Date.now() + 20_000;
      while (ledger.size < before + 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await killHard(server);
      killed = true;
      await Promise.all(loops);
      // An acknowledgement already on its way when the process died still counts.
      for (const w of writers) if (w.settled) w.acknowledge();
    } finally {
      destroy();
    }
    expect(ledger.size).toBeGreaterThanOrEqual(before + 40);
  }
  replayed = await checkLog(backend, session, names, ledger);
  server = await start(backend);
  await checkFreshClient(server.url, session, names, ledger, replayed);
  await server.kill('SIGTERM');
}

// The two backends run side by side: most of the time is spent in the server processes.
describe.concurrent('kill -9 durability', () => {
  it('embedded PGlite (local mode): every acknowledged edit survives SIGKILL', async () => {
    const backend = await pgliteBackend();
    cleanups.push(() => backend.dispose());
    await runScenario(backend);
  }, 90_000);

  const target = postgresTestTarget();
  if (target.kind === 'skip') {
    console.warn(`[durability.test.ts] ${target.reason}`);
    it.skip(`PostgreSQL: SKIPPED: ${target.reason}`, () => {});
  } else {
    it('PostgreSQL (DATABASE_URL): every acknowledged edit survives SIGKILL', async () => {
      if (target.kind === 'fail') throw new Error(target.reason);
      const backend = await postgresBackend(target.url);
      cleanups.push(() => backend.dispose());
      await runScenario(backend);
    }, 90_000);
  }
});
