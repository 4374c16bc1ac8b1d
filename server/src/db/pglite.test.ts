/**
 * The storage contract on embedded PGlite (in memory), plus what only PGlite has: a data
 * directory that persists across restarts and is refused when another PGlite version wrote it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { UserId, VideoId } from '@maskroom/shared';
import {
  DataDirVersionError,
  DEFAULT_MIGRATIONS_FOLDER,
  IN_MEMORY,
  PGLITE_VERSION_FILE,
  countApplied,
  openDatabase,
  pgliteVersion,
} from './client.js';
import { DocLog } from './DocLog.js';
import { registerStoreContract } from './stores.contract.js';
import { openPgliteTestDatabase } from './testing.js';
import { VideoStore } from './VideoStore.js';

registerStoreContract('PGlite (in memory)', () => openPgliteTestDatabase());

async function journalLength(): Promise<number> {
  const journal = JSON.parse(
    await readFile(path.join(DEFAULT_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

describe('PGlite data directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'maskroom-pglite-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('persists across close and reopen, records its version, and migrates only once', async () => {
    const id = 'persisted1' as VideoId;
    const first = await openDatabase({ dataDir });
    expect(first.driver).toBe('pglite');
    await new VideoStore(first.db).createIngesting({
      id,
      title: 'kept',
      originalName: 'a.mp4',
      createdBy: 'local' as UserId,
      instanceId: 'i',
    });
    const migrations = await journalLength();
    expect(migrations).toBeGreaterThan(0);
    expect(await countApplied(first.db, 'drizzle')).toBe(migrations);
    await first.close();
    await first.close(); // idempotent
    expect(await first.ping(500)).toBe(false);

    const record = JSON.parse(await readFile(path.join(dataDir, PGLITE_VERSION_FILE), 'utf8')) as {
      pglite: string;
    };
    expect(record.pglite).toBe(pgliteVersion());
    expect(record.pglite).toMatch(/^\d+\.\d+\.\d+/);

    const second = await openDatabase({ dataDir });
    try {
      expect((await new VideoStore(second.db).get(id))?.title).toBe('kept');
      expect(await countApplied(second.db, 'drizzle')).toBe(migrations);
    } finally {
      await second.close();
    }
  });

  it('refuses a data directory written by another PGlite version, or by an unknown one', async () => {
    const versionFile = path.join(dataDir, PGLITE_VERSION_FILE);
    const original = await readFile(versionFile, 'utf8');
    try {
      await writeFile(versionFile, JSON.stringify({ pglite: '0.2.17' }));
      const error = await openDatabase({ dataDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirVersionError);
      expect((error as Error).message).toContain('PGlite 0.2.17');
      expect((error as Error).message).toContain(`PGlite ${pgliteVersion()}`);
      expect((error as DataDirVersionError).found).toBe('0.2.17');

      await rm(versionFile);
      const unknown = await openDatabase({ dataDir }).catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(DataDirVersionError);
      expect((unknown as Error).message).toContain('unknown PGlite version');
    } finally {
      await writeFile(versionFile, original);
    }
    // The refusal left the directory usable by the right version.
    const again = await openDatabase({ dataDir });
    expect(await again.ping()).toBe(true);
    await again.close();
  });

  it('keeps a committed update when the process holding the database is killed (kill -9)', async () => {
    // A child process opens the directory with PGlite, commits one log row, reports it, and is
    // SIGKILLed while the database is open; reopening must recover and still hold the row.
    const script = [
      "import { PGlite } from '@electric-sql/pglite';",
      'const pg = await PGlite.create({ dataDir: process.env.PGLITE_DIR });',
      'const res = await pg.query(',
      "  'insert into doc_updates (doc_name, update) values ($1, $2) returning id',",
      "  ['session/killed', new Uint8Array([0, 255, 0])],",
      ');',
      "process.stdout.write('committed ' + res.rows[0].id + '\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, PGLITE_DIR: path.join(dataDir, 'db') },
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const committed = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /committed (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) =>
        reject(new Error(`child exited (${code}) before committing: ${stderr.slice(-2000)}`)),
      );
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const reopened = await openDatabase({ dataDir });
    try {
      const { updates } = await new DocLog(reopened.db).load('session/killed');
      expect(updates.map((u) => Array.from(u))).toEqual([[0, 255, 0]]);
      expect(Number(committed)).toBeGreaterThan(0);
    } finally {
      await reopened.close();
    }
  });

  it('rejects a malformed schema name before touching anything', async () => {
    await expect(openDatabase({ dataDir, schema: 'Bad; drop' })).rejects.toThrow(/invalid database schema/);
  });

  it('honours the schema option on PGlite too (tables and bookkeeping in that schema)', async () => {
    const alt = await openDatabase({ dataDir: IN_MEMORY, schema: 'alt_schema' });
    try {
      const res = await alt.db.execute(
        sql`select table_schema || '.' || table_name as t from information_schema.tables
            where table_name in ('videos', '__drizzle_migrations') order by 1`,
      );
      expect((res as unknown as { rows: { t: string }[] }).rows.map((r) => r.t)).toEqual([
        'alt_schema.__drizzle_migrations',
        'alt_schema.videos',
      ]);
      expect(await countApplied(alt.db, 'alt_schema')).toBe(await journalLength());
      await new VideoStore(alt.db).createIngesting({
        id: 'alt1' as VideoId,
        title: 't',
        originalName: 'a',
        createdBy: 'u' as UserId,
        instanceId: 'i',
      });
      expect((await new VideoStore(alt.db).get('alt1' as VideoId))?.title).toBe('t');
    } finally {
      await alt.close();
    }
  });
});
