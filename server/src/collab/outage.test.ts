/**
 * The database goes away for a while (DESIGN §4: "on a failed append, close the socket so the
 * client reconnects and resends"). The server reaches PostgreSQL through a loopback TCP proxy the
 * test controls; three clients keep editing before, during and after an outage in which every
 * database connection is reset and new ones are refused. Throughout, an audit replays the log
 * through a direct connection: nothing a provider acknowledged is missing from it. Once the
 * database is back, every edit of every client is in the log and in a fresh client, and all
 * clients hold the same documents.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_MEMORY, openDatabase, type Database } from '../db/index.js';
import { openPostgresTestDatabase, postgresTestTarget, testSchemaName } from '../db/testing.js';
import { connectClient, eventually, type TestClient } from '../test/collab-client.js';
import { startTcpProxy, type TcpProxy } from '../test/tcp-proxy.js';
import { startTestServer, type TestServer } from '../test/server.js';
import {
  Ledger,
  SessionWriter,
  docJson,
  missingFromDocs,
  replaySession,
  sessionDocNames,
  uploadTestSession,
} from '../test/session-content.js';
import type { SessionId } from '@maskroom/shared';

const target = postgresTestTarget();

if (target.kind === 'skip') {
  console.warn(`[outage.test.ts] ${target.reason}`);
  describe('database outage', () => {
    it.skip(`SKIPPED: ${target.reason}`, () => {});
  });
} else {
  describe('database outage', () => {
    let proxy: TcpProxy;
    let server: TestServer;
    let direct: Database;
    let dispose: () => Promise<void> = async () => {};
    let session: SessionId;
    let names: string[];
    let numFrames: number;

    beforeAll(async () => {
      if (target.kind === 'fail') throw new Error(target.reason);
      const url = new URL(target.url);
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      const proxied = new URL(target.url);
      proxied.host = `127.0.0.1:${proxy.port}`;
      const schema = testSchemaName('outage');
      const db = await openPostgresTestDatabase(proxied.toString(), { schema });
      // The server's pool goes first (hooks still running after a failed test could deadlock with
      // the drop), then the schema is dropped through the direct connection.
      dispose = async () => {
        await db.close();
        await direct?.db.execute(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      };
      server = await startTestServer({ database: db });
      direct = await openDatabase({ databaseUrl: target.url, dataDir: IN_MEMORY, schema, poolSize: 2 });
      const uploaded = await uploadTestSession(server.url, 3);
      session = uploaded.session;
      numFrames = uploaded.numFrames;
      names = sessionDocNames(session, numFrames);
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      proxy?.restore();
      await dispose();
      await direct?.close();
      await proxy?.close();
    });

    /** Every edit acknowledged before the call is in the log (read through `direct`). */
    async function audit(ledger: Ledger): Promise<void> {
      const acked = snapshot(ledger);
      const { docs } = await replaySession(direct.db, names);
      // What was written by now bounds what the log may hold (it may be ahead of the acks).
      for (const [k, v] of ledger.writtenSeq) acked.writtenSeq.set(k, v);
      for (const [k, v] of ledger.maskHistory) acked.maskHistory.set(k, v);
      const missing = missingFromDocs(acked, session, (n) => docs.get(n)!);
      if (missing.length > 0) throw new Error(`acknowledged but not in the log: ${missing.join('; ')}`);
    }

    it('loses nothing while PostgreSQL is unreachable, and acknowledges nothing it has not stored', async () => {
      const ledger = new Ledger();
      const clients: TestClient[] = [];
      const closes: number[] = [];
      const writers = Array.from({ length: 3 }, (_, i) => {
        const client = connectClient(server.url, { name: `Writer ${i}` });
        client.socket.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
        clients.push(client);
        return new SessionWriter(client, session, numFrames, `w${i}`, 77 + i, ledger);
      });
      let stop = false;
      const failures: unknown[] = [];
      try {
        await eventually(() => writers.every((w) => w.settled), 15_000, 'writers to sync');

        // Acknowledgements are recorded the moment a writer is seen settled.
        const monitor = (async () => {
          while (!stop) {
            for (const w of writers) if (w.settled) w.acknowledge();
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
        let editsInOutage = 0;
        const editing = writers.map(async (w, i) => {
          while (!stop) {
            w.edit();
            if (proxy.isCut) editsInOutage++;
            await new Promise((r) => setTimeout(r, 40 + 10 * i));
          }
        });
        const auditing = (async () => {
          while (!stop) {
            await audit(ledger).catch((e: unknown) => failures.push(e));
            await new Promise((r) => setTimeout(r, 150));
          }
        })();

        const at = (n: number, ms = 15_000) =>
          eventually(() => ledger.size >= n, ms, `${n} acknowledged edits`);
        await at(20);
        proxy.cut();
        await new Promise((r) => setTimeout(r, 3_000));
        proxy.restore();
        const afterOutage = ledger.size;
        // postgres.js waits before each reconnect, (0.5–1) × min(3^n / 100, 20) s after the n-th
        // failed connection of its pool, so the first query after an outage may wait up to 20 s.
        await at(afterOutage + 20, 45_000);
        stop = true;
        await Promise.all([monitor, ...editing, auditing]);

        // No audit (before, during or after the outage) found an acknowledged edit missing.
        expect(failures).toEqual([]);
        expect(editsInOutage).toBeGreaterThan(50);
        expect(proxy.refused).toBeGreaterThan(0);
        expect(closes).toContain(4205);

        // Every edit of every client arrives once the database is back.
        await eventually(() => writers.every((w) => w.settled), 30_000, 'writers to resend everything');
        for (const w of writers) w.acknowledge();
        await audit(ledger);
        const { docs } = await replaySession(direct.db, names);
        for (const n of names) {
          const stored = docJson(docs.get(n)!);
          for (const c of clients) expect(docJson(c.doc(n)), n).toEqual(stored);
        }
        const fresh = connectClient(server.url);
        try {
          for (const n of names) fresh.open(n);
          await fresh.settled();
          for (const n of names) expect(docJson(fresh.doc(n)), n).toEqual(docJson(docs.get(n)!));
        } finally {
          fresh.destroy();
        }
      } finally {
        stop = true;
        for (const c of clients) c.destroy();
      }
    }, 90_000);
  });
}

function snapshot(ledger: Ledger): Ledger {
  const copy = new Ledger();
  for (const [k, v] of ledger.objects) copy.objects.set(k, v);
  for (const [k, v] of ledger.objectSeq) copy.objectSeq.set(k, v);
  for (const [k, v] of ledger.masks) copy.masks.set(k, v);
  return copy;
}
