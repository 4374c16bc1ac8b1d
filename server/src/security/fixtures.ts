/**
 * Shared set-up of the security tests: an accounts-mode server on an in-memory PGlite, jobs seeded
 * without a worker, and a scan of every table for a string (tokens must be stored hashed).
 */
import { sql } from 'drizzle-orm';
import type { JobId, JobRecord, SessionId, UserId } from '@maskroom/shared';
import { JobIndex, type DB } from '../db/index.js';
import { openPgliteTestDatabase, type TestDatabase } from '../db/testing.js';
import { newId } from '../ids.js';
import { startTestServer, type TestServer } from '../test/server.js';
import type { FakeClock } from '../test/accounts.js';

export interface AccountsServer {
  readonly server: TestServer;
  readonly db: TestDatabase;
  close(): Promise<void>;
}

/** A real server in accounts mode (open sign-up unless said otherwise) on its own database. */
export async function startAccountsServer(
  opts: {
    clock?: FakeClock;
    signup?: 'open' | 'invite';
    db?: TestDatabase;
    /** `MASKROOM_TRUST_PROXY` (default: loopback). */
    trustProxy?: string;
  } = {},
): Promise<AccountsServer> {
  const db = opts.db ?? (await openPgliteTestDatabase());
  const env: Record<string, string> = { MASKROOM_AUTH: 'accounts', MASKROOM_SIGNUP: opts.signup ?? 'open' };
  if (opts.trustProxy !== undefined) env['MASKROOM_TRUST_PROXY'] = opts.trustProxy;
  const server = await startTestServer({
    database: db,
    env,
    ...(opts.clock ? { clock: opts.clock.read } : {}),
  });
  return {
    server,
    db,
    async close() {
      await server.close();
      if (!opts.db) await db.dispose();
    },
  };
}

/**
 * A queued propagation job of `session`, as the propagation route would record it, without a
 * worker (a real one needs a finished prompt first).
 */
export async function seedJob(server: TestServer, session: SessionId, by: string): Promise<JobId> {
  const id = newId<JobId>('job');
  await new JobIndex(server.database.db).record(id, session);
  const job: JobRecord = {
    kind: 'propagate',
    direction: 'forward',
    startFrame: 0 as JobRecord['startFrame'],
    status: 'queued',
    framesDone: 0,
    framesTotal: 1,
    by: by as UserId,
    at: Date.now() as JobRecord['at'],
  };
  await server.collab.docs.writeMain(session, 'security-test', (main) => main.jobs.put(id, job));
  return id;
}

const rowsOf = (result: unknown): Array<Record<string, unknown>> =>
  Array.isArray(result) ? result : ((result as { rows?: Array<Record<string, unknown>> }).rows ?? []);

/**
 * Every row of every table of the current schema, each as its text form (bytea as `\x…` hex),
 * for asserting that a secret is nowhere in the database.
 */
export async function allRowsAsText(db: DB): Promise<Array<{ table: string; row: string }>> {
  const tables = rowsOf(
    await db.execute(
      sql`select table_name as t from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    ),
  ).map((r) => String(r.t));
  const out: Array<{ table: string; row: string }> = [];
  for (const table of tables) {
    const rows = rowsOf(await db.execute(sql`select x::text as r from ${sql.identifier(table)} x`));
    for (const r of rows) out.push({ table, row: String(r.r) });
  }
  return out;
}
