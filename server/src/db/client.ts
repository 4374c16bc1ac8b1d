/**
 * Opens the server's database: embedded PGlite under `<dataDir>/db` when no `databaseUrl` is
 * given (local mode), else a real PostgreSQL server through postgres.js. Either way the SQL
 * migrations in `migrations/` are applied before the database is handed out, and callers see one
 * drizzle type, `DB`.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { PgDatabase, PgQueryResultHKT, PgSession } from 'drizzle-orm/pg-core';
import type { Logger } from '../log.js';
import { BYTEA_OID, parseBytea, serializeBytea } from './pglite-bytea.js';
import * as schema from './schema.js';

/** The drizzle database both drivers produce (and what a transaction callback receives). */
export type DB = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DriverName = 'pglite' | 'postgres';

export interface Database {
  readonly db: DB;
  readonly driver: DriverName;
  /** `true` when a trivial query answers within `timeoutMs` (default 2000). Never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Closes the connection pool or the embedded database; later calls do nothing. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…`: use that server. Unset: embedded PGlite under `<dataDir>/db`. */
  databaseUrl?: string;
  /** The data directory (`MASKROOM_DATA_DIR`); {@link IN_MEMORY} for a throwaway PGlite. */
  dataDir: string;
  log?: Logger;
  /**
   * Put every table, and drizzle's migration bookkeeping, in this Postgres schema instead of
   * `public`/`drizzle` (created when missing). Meant for isolating test runs on a shared server;
   * works on PGlite too. Lower-case identifier: `[a-z_][a-z0-9_]{0,62}`.
   */
  schema?: string;
  /** Override the migrations folder (defaults to the repository's `migrations/`). */
  migrationsFolder?: string;
  /** postgres.js pool size (default 10; at least 2: migrating holds one connection for its lock). */
  poolSize?: number;
}

/** `dataDir` value for an in-memory PGlite (tests). */
export const IN_MEMORY = ':memory:';

/**
 * `migrations/` at the repository root. This file sits at `server/src/db/` (tsx, vitest) or
 * `server/dist/db/` (built), both three levels below the root.
 */
export const DEFAULT_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** Name of the file beside `<dataDir>/db` that records which PGlite wrote it. */
export const PGLITE_VERSION_FILE = 'db.version.json';

/** Refusal to open a PGlite data directory written by another PGlite version. */
export class DataDirVersionError extends Error {
  override readonly name = 'DataDirVersionError';
  constructor(
    readonly dbDir: string,
    readonly found: string | null,
    readonly expected: string,
  ) {
    super(
      `The embedded database at ${dbDir} was written by ` +
        (found === null ? 'an unknown PGlite version' : `PGlite ${found}`) +
        `, but this server runs PGlite ${expected}; their on-disk formats are not compatible. ` +
        `Start the server version that wrote it and export the data (pg_dump via @electric-sql/pglite-tools), ` +
        `or move the directory aside to start empty, or set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** First key of the two-key advisory lock that serializes migrators ("MSKR"). */
const MIGRATION_LOCK_NAMESPACE = 0x4d534b52;

const noopLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => noopLogger,
};

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const log = (opts.log ?? noopLogger).child({ component: 'db' });
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new Error(`invalid database schema name ${JSON.stringify(opts.schema)}`);
  }
  const migrationsFolder = opts.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER;
  return opts.databaseUrl === undefined || opts.databaseUrl === ''
    ? openPglite(opts.dataDir, opts.schema, migrationsFolder, log)
    : openPostgres(opts.databaseUrl, opts.schema, migrationsFolder, opts.poolSize ?? 10, log);
}

// --- PGlite -------------------------------------------------------------------------------------

/** The installed `@electric-sql/pglite` version (its package.json is not in its `exports`). */
export function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === '@electric-sql/pglite' && typeof pkg.version === 'string') return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the version of @electric-sql/pglite');
    dir = parent;
  }
}

/**
 * Checks (or, for a new database, records) which PGlite version owns `<dataDir>/db`. The record
 * is written before PGlite creates any file, so a directory with data but no record was not
 * written by this code and is refused like a mismatch.
 */
async function checkPgliteDataDir(dataDir: string, version: string): Promise<string> {
  const dbDir = path.join(dataDir, 'db');
  const versionFile = path.join(dataDir, PGLITE_VERSION_FILE);
  await mkdir(dataDir, { recursive: true });
  const existing = existsSync(dbDir) ? await readdir(dbDir) : [];
  if (existing.length > 0) {
    let found: string | null = null;
    if (existsSync(versionFile)) {
      try {
        const rec = JSON.parse(readFileSync(versionFile, 'utf8')) as { pglite?: unknown };
        if (typeof rec.pglite === 'string') found = rec.pglite;
      } catch {
        found = null;
      }
    }
    if (found !== version) throw new DataDirVersionError(dbDir, found, version);
    return dbDir;
  }
  const tmp = `${versionFile}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ pglite: version, createdAt: new Date().toISOString() }) + '\n');
  await rename(tmp, versionFile);
  return dbDir;
}

async function openPglite(
  dataDir: string,
  schemaName: string | undefined,
  migrationsFolder: string,
  log: Logger,
): Promise<Database> {
  const version = pgliteVersion();
  const inMemory = dataDir === IN_MEMORY;
  const dbDir = inMemory ? undefined : await checkPgliteDataDir(dataDir, version);
  const [{ PGlite }, { drizzle }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  const client = await PGlite.create({
    ...(dbDir === undefined ? {} : { dataDir: dbDir }),
    parsers: { [BYTEA_OID]: parseBytea },
    serializers: { [BYTEA_OID]: serializeBytea },
  });
  try {
    if (schemaName !== undefined) {
      await client.exec(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"; SET search_path TO "${schemaName}";`);
    }
    const db: DB = drizzle({ client, schema });
    const applied = await applyMigrations(db, migrationsFolder, schemaName);
    log.info('database opened', {
      driver: 'pglite',
      pglite: version,
      dataDir: dbDir ?? IN_MEMORY,
      migrationsApplied: applied,
    });
    let closed: Promise<void> | null = null;
    return {
      db,
      driver: 'pglite',
      ping: (timeoutMs) => ping(db, timeoutMs),
      close: () => (closed ??= client.close()),
    };
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
}

// --- PostgreSQL ---------------------------------------------------------------------------------

/** `postgres://user@host:port/db` without the password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable database URL)';
  }
}

async function openPostgres(
  url: string,
  schemaName: string | undefined,
  migrationsFolder: string,
  poolSize: number,
  log: Logger,
): Promise<Database> {
  const [{ default: postgres }, { drizzle }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
  ]);
  const client = postgres(url, {
    max: Math.max(2, poolSize),
    connect_timeout: 10,
    // postgres.js' default backoff grows to ~20 s across a pool after an outage; edits wait on
    // the log append, so reconnect within a second of the database coming back.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    onnotice: (notice) => log.debug('postgres notice', { message: notice.message }),
    ...(schemaName === undefined ? {} : { connection: { search_path: schemaName } }),
  });
  try {
    try {
      await client`select 1`;
    } catch (error) {
      throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const db: DB = drizzle({ client, schema });
    // Several server instances may start at once: one migrates, the others wait and then find
    // nothing to do. The lock is held on a reserved connection; the migration runs on the pool.
    const key = lockKey(schemaName ?? 'public');
    const reserved = await client.reserve();
    let applied: number;
    try {
      await reserved`select pg_advisory_lock(${MIGRATION_LOCK_NAMESPACE}::int4, ${key}::int4)`;
      try {
        if (schemaName !== undefined) {
          await client.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"`);
        }
        applied = await applyMigrations(db, migrationsFolder, schemaName);
      } finally {
        await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_NAMESPACE}::int4, ${key}::int4)`;
      }
    } finally {
      reserved.release();
    }
    log.info('database opened', {
      driver: 'postgres',
      url: redactUrl(url),
      schema: schemaName ?? 'public',
      migrationsApplied: applied,
    });
    let closed: Promise<void> | null = null;
    return {
      db,
      driver: 'postgres',
      ping: (timeoutMs) => ping(db, timeoutMs),
      close: () => (closed ??= client.end({ timeout: 5 })),
    };
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw error;
  }
}

/** A stable 32-bit signed key for a schema name (FNV-1a). */
function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

// --- shared -------------------------------------------------------------------------------------

/**
 * Applies the migrations folder: drizzle's own migrator (`readMigrationFiles` + the pg dialect's
 * `migrate`, which is all `drizzle-orm/pglite/migrator` and `drizzle-orm/postgres-js/migrator` do),
 * with one addition: for a non-default schema, drizzle-kit's `"public".` qualifiers (it writes
 * them in foreign keys) are pointed at that schema. Hashes stay those of the files.
 * Returns how many migrations were applied now.
 */
async function applyMigrations(
  db: DB,
  migrationsFolder: string,
  schemaName: string | undefined,
): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder });
  if (schemaName !== undefined) {
    for (const m of migrations) m.sql = m.sql.map((stmt) => stmt.replaceAll('"public".', `"${schemaName}".`));
  }
  const migrationsSchema = schemaName ?? 'drizzle';
  const before = await countApplied(db, migrationsSchema);
  // The session's schema generic only types relational queries, which the migrator does not use.
  const session = db._.session as unknown as PgSession;
  await new PgDialect().migrate(migrations, session, { migrationsFolder, migrationsSchema });
  return (await countApplied(db, migrationsSchema)) - before;
}

/** Rows in drizzle's migration table (0 before the first migration). */
export async function countApplied(db: DB, migrationsSchema: string): Promise<number> {
  const table = sql`${sql.identifier(migrationsSchema)}.${sql.identifier('__drizzle_migrations')}`;
  const exists = await db.execute(
    sql`select to_regclass(${`"${migrationsSchema}"."__drizzle_migrations"`}) is not null as present`,
  );
  if (rowsOf<{ present: boolean }>(exists)[0]?.present !== true) return 0;
  const res = await db.execute(sql`select count(*)::int as n from ${table}`);
  return Number(rowsOf<{ n: number | string }>(res)[0]?.n ?? 0);
}

/** `db.execute` answers a RowList (postgres.js) or `{rows}` (PGlite): the rows either way. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

async function ping(db: DB, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const query = db.execute(sql`select 1`).then(
      () => true,
      () => false,
    );
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
