/**
 * The storage contract on a real PostgreSQL server (postgres.js), in a fresh schema per run, plus
 * what only a shared server has: several instances migrating at once, schema isolation and a
 * clear error when the server is unreachable. Needs `MASKROOM_TEST_DATABASE_URL`; see
 * `postgresTestTarget` for what happens without it (skipped locally, a failure in CI).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { UserId, VideoId } from '@maskroom/shared';
import { DEFAULT_MIGRATIONS_FOLDER, IN_MEMORY, countApplied, openDatabase } from './client.js';
import { registerStoreContract } from './stores.contract.js';
import { openPostgresTestDatabase, postgresTestTarget, testSchemaName } from './testing.js';
import { VideoStore } from './VideoStore.js';

const target = postgresTestTarget();

if (target.kind === 'fail') {
  describe('storage contract: PostgreSQL', () => {
    it('has a PostgreSQL server to run against', () => {
      throw new Error(target.reason);
    });
  });
} else if (target.kind === 'skip') {
  console.warn(`[postgres.test.ts] ${target.reason}`);
  describe('storage contract: PostgreSQL', () => {
    it.skip(`SKIPPED: ${target.reason}`, () => {});
  });
} else {
  const url = target.url;
  registerStoreContract('PostgreSQL (postgres.js)', () => openPostgresTestDatabase(url));

  describe('PostgreSQL start-up', () => {
    it('lets several instances start at once: one migrates, the others find nothing to do', async () => {
      const schema = testSchemaName('mig');
      const instances = await Promise.all(
        Array.from({ length: 4 }, () =>
          openDatabase({ databaseUrl: url, dataDir: IN_MEMORY, schema, poolSize: 3 }),
        ),
      );
      try {
        const journal = JSON.parse(
          await readFile(path.join(DEFAULT_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
        ) as { entries: unknown[] };
        const first = instances[0]!;
        expect(first.driver).toBe('postgres');
        expect(await countApplied(first.db, schema)).toBe(journal.entries.length);

        // Everything, drizzle's bookkeeping included, lives in the schema.
        const res = await first.db.execute(
          sql`select table_name from information_schema.tables where table_schema = ${schema} order by table_name`,
        );
        const tables = (res as unknown as { table_name: string }[]).map((r) => r.table_name);
        expect(tables).toEqual([
          '__drizzle_migrations',
          'auth_sessions',
          'doc_snapshots',
          'doc_updates',
          'jobs',
          'session_members',
          'sessions',
          'share_links',
          'users',
          'videos',
        ]);
        const fk = await first.db.execute(
          sql`select n.nspname || '.' || c.relname as target
              from pg_constraint k join pg_class c on c.oid = k.confrelid join pg_namespace n on n.oid = c.relnamespace
              where k.conname = 'sessions_video_id_videos_id_fk' and k.connamespace = ${schema}::regnamespace`,
        );
        expect((fk as unknown as { target: string }[])[0]?.target).toBe(`${schema}.videos`);

        // A later start applies nothing and sees the same data.
        const id = 'pgshared1' as VideoId;
        await new VideoStore(first.db).createIngesting({
          id,
          title: 'x',
          originalName: 'a',
          createdBy: 'u' as UserId,
          instanceId: 'i',
        });
        const later = await openDatabase({ databaseUrl: url, dataDir: IN_MEMORY, schema });
        try {
          expect(await countApplied(later.db, schema)).toBe(journal.entries.length);
          expect((await new VideoStore(later.db).get(id))?.title).toBe('x');
        } finally {
          await later.close();
        }
      } finally {
        await instances[0]!.db.execute(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
        await Promise.all(instances.map((d) => d.close()));
      }
      expect(await instances[0]!.ping(500)).toBe(false);
    });

    it('says clearly, without the password, when the server cannot be reached', async () => {
      const bad = new URL(url);
      bad.port = '1';
      bad.password = 'sekrit';
      const error = await openDatabase({ databaseUrl: bad.toString(), dataDir: IN_MEMORY }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/cannot connect to PostgreSQL at postgres:\/\/.*:1\//);
      expect((error as Error).message).not.toContain('sekrit');
    });
  });
}
