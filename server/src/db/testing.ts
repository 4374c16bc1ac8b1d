/**
 * Test helpers for anything that needs a database: an in-memory PGlite, or a fresh schema on the
 * real PostgreSQL server named by `MASKROOM_TEST_DATABASE_URL` (started by
 * `bash tools/ci-services.sh start`, URL in `.ci/services.env`). Not used by production code.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from '../log.js';
import { IN_MEMORY, openDatabase } from './client.js';
import type { Database } from './client.js';
import { serviceTarget, type ServiceTarget } from '../test/service-target.js';

export const TEST_DATABASE_URL_VAR = 'MASKROOM_TEST_DATABASE_URL';

export type PostgresTestTarget = ServiceTarget;

/** Where the PostgreSQL tests run (see `serviceTarget`). */
export function postgresTestTarget(env: NodeJS.ProcessEnv = process.env): PostgresTestTarget {
  return serviceTarget(TEST_DATABASE_URL_VAR, 'PostgreSQL', env);
}

export interface TestDatabase extends Database {
  /** The Postgres schema holding this database's tables (null for PGlite in memory). */
  readonly schema: string | null;
  /** Drops the schema (PostgreSQL) and closes. */
  dispose(): Promise<void>;
}

/** A fresh, unique schema name for one test database. */
export function testSchemaName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** A throwaway in-memory PGlite with the migrations applied (~1 s: share one per test file). */
export async function openPgliteTestDatabase(log?: Logger): Promise<TestDatabase> {
  const database = await openDatabase({ dataDir: IN_MEMORY, ...(log ? { log } : {}) });
  return { ...database, schema: null, dispose: () => database.close() };
}

/** A fresh schema on the test PostgreSQL server, migrated; `dispose` drops it. */
export async function openPostgresTestDatabase(
  url: string,
  opts: { schema?: string; log?: Logger } = {},
): Promise<TestDatabase> {
  const schema = opts.schema ?? testSchemaName();
  const database = await openDatabase({
    databaseUrl: url,
    dataDir: IN_MEMORY,
    schema,
    ...(opts.log ? { log: opts.log } : {}),
  });
  return {
    ...database,
    schema,
    dispose: async () => {
      try {
        await database.db.execute(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      } finally {
        await database.close();
      }
    },
  };
}
