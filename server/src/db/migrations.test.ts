/**
 * The committed migrations match `schema.ts`: drizzle-kit, run on a copy of `migrations/`, finds
 * nothing to generate. (Fix a failure with `cd server && npx drizzle-kit generate --name <what>`.)
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_FOLDER } from './client.js';

const serverDir = fileURLToPath(new URL('../../', import.meta.url));
const drizzleKit = path.join(path.dirname(createRequire(import.meta.url).resolve('drizzle-kit')), 'bin.cjs');

/** Runs `drizzle-kit generate` into `out`; returns its output and the files it left there. */
async function generateInto(
  out: string,
): Promise<{ status: number | null; output: string; files: string[] }> {
  const run = spawnSync(
    process.execPath,
    [
      drizzleKit,
      'generate',
      '--dialect=postgresql',
      '--schema=./src/db/schema.ts',
      // drizzle-kit prefixes "./" to --out, so it must be relative.
      `--out=${path.relative(serverDir, out)}`,
    ],
    { cwd: serverDir, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}`, files: (await readdir(out)).sort() };
}

describe('migrations', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'maskroom-migrations-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('are up to date with schema.ts', async () => {
    const copy = path.join(scratch, 'current');
    await cp(DEFAULT_MIGRATIONS_FOLDER, copy, { recursive: true });
    const before = (await readdir(copy)).sort();
    const { status, output, files } = await generateInto(copy);
    expect(status, output).toBe(0);
    expect(output).toContain('No schema changes');
    expect(files).toEqual(before);
  });

  it('(the check itself can fail: from nothing, drizzle-kit generates a migration)', async () => {
    const empty = path.join(scratch, 'empty');
    await mkdir(empty);
    const { status, output, files } = await generateInto(empty);
    expect(status, output).toBe(0);
    expect(files.some((f) => f.endsWith('.sql'))).toBe(true);
  });
});
