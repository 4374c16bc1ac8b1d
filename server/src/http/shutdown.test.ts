/**
 * Graceful shutdown: while `close` runs, new connections and requests are refused; an update a
 * client sent (not yet acknowledged) that the server had begun to store is in the log once
 * `close` resolves; a running propagation finishes within the grace period. And the real process
 * exits 0 on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { httpErrorBodySchema, mainDocName } from '@maskroom/shared';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { DocLog } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { createLogger } from '../log.js';
import { connectClient, eventually, type TestClient } from '../test/collab-client.js';
import { uploadSession } from '../test/collab-fixtures.js';
import { startServerProcess } from '../test/server-process.js';
import { startTestServer, type TestServer } from '../test/server.js';
import { InFlight } from './draining.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

async function logged(db: TestDatabase, name: string): Promise<Y.Doc> {
  const { snapshot, updates } = await new DocLog(db.db).load(name);
  const doc = new Y.Doc();
  for (const u of snapshot ? [snapshot, ...updates] : updates) Y.applyUpdate(doc, u);
  return doc;
}

describe('graceful shutdown', () => {
  it('refuses new work and stores what a client sent before its socket closed', async () => {
    const db = await openPgliteTestDatabase();
    cleanups.push(() => db.dispose());
    const server: TestServer = await startTestServer({ database: db });
    cleanups.push(() => server.close());
    const { session } = await uploadSession(server.url, 1);
    const name = mainDocName(session);
    const client: TestClient = connectClient(server.url);
    cleanups.push(() => client.destroy());
    const provider = client.open(name);
    await client.settled();

    // Appends of the main document now take a while: the edit below is received, not yet stored.
    const original = DocLog.prototype.append;
    let started = 0;
    vi.spyOn(DocLog.prototype, 'append').mockImplementation(async function (this: DocLog, doc, update) {
      if (doc === name) {
        started++;
        await new Promise((r) => setTimeout(r, 500));
      }
      return original.call(this, doc, update);
    });
    client.doc(name).getMap('shutdown-probe').set('edit', 'sent before shutdown');
    await eventually(() => started > 0, 5000, 'the server received the edit');
    expect(provider.unsyncedChanges).toBeGreaterThan(0);

    const closing = server.close();
    expect(server.isDraining()).toBe(true);
    const refused = await fetch(`${server.url}/api/health`).then(
      (res) => res.status,
      () => 'connection refused',
    );
    expect([503, 'connection refused']).toContain(refused);
    await closing;

    const stored = await logged(db, name);
    expect(stored.getMap('shutdown-probe').get('edit')).toBe('sent before shutdown');
    // A request that raced the shutdown and reaches the documents now gets a retryable code.
    await expect(server.collab.docs.readMain(session, (m) => m.objects.size)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
    });
  }, 60_000);

  it('answers 503 with Retry-After on an open connection while draining, health included', async () => {
    let draining = false;
    const inFlight = new InFlight();
    const app = createApp({
      config: loadConfig({}),
      log: createLogger('silent'),
      clientDir: '/nonexistent',
      version: '0',
      health: { db: async () => null, workers: () => [], draining: () => draining },
      lifecycle: { draining: () => draining, inFlight },
    });
    const http = app.listen(0, '127.0.0.1');
    cleanups.push(() => new Promise((r) => http.close(r)));
    await new Promise((r) => http.once('listening', r));
    const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    draining = true;
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(503);
    const res = await fetch(`${base}/api/videos`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(httpErrorBodySchema.parse(await res.json()).error.code).toBe('UNAVAILABLE');
    expect(inFlight.size).toBe(0);
  });

  it('the server process exits 0 on SIGTERM, with acknowledged edits stored', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-shutdown-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const proc = await startServerProcess({ MASKROOM_DATA_DIR: dataDir });
    cleanups.push(() => proc.kill('SIGKILL'));
    const { session } = await uploadSession(proc.url, 1);
    const client = connectClient(proc.url);
    cleanups.push(() => client.destroy());
    const name = mainDocName(session);
    client.open(name);
    await client.settled();
    client.doc(name).getMap('shutdown-probe').set('edit', 'acknowledged');
    await client.settled();
    const exit = await proc.kill('SIGTERM');
    expect(exit.code).toBe(0);
    expect(proc.logLines().some((l) => l.msg === 'shutdown complete')).toBe(true);
    const { openDatabase } = await import('../db/index.js');
    const database = await openDatabase({ dataDir });
    try {
      const stored = await logged({ ...database, schema: null, dispose: () => database.close() }, name);
      expect(stored.getMap('shutdown-probe').get('edit')).toBe('acknowledged');
    } finally {
      await database.close();
    }
  }, 90_000);
});
