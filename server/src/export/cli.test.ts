/**
 * `npm run export`: the command line exports a session from a stopped server's data directory
 * (embedded database, read from the log) into the same ZIP the HTTP route streams, refuses to open
 * a data directory a server is using, and says clearly what is wrong with its arguments.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionId } from '@maskroom/shared';
import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { uploadTestSession } from '../test/session-content.js';
import { runExportCli } from './cli.js';
import { seedExportContent, type SeededContent } from './testContent.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runExportCli(argv, {}, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
let dataDir: string;
let server: RunningServer | undefined;
let session: SessionId;
let content: SeededContent;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'maskroom-export-cli-'));
  dataDir = path.join(dir, 'data');
  const config = loadConfig({
    PORT: '0',
    MASKROOM_DATA_DIR: dataDir,
    MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
    MASKROOM_LOCAL_WORKER: 'off',
  });
  server = await startServer(config, createLogger('silent'), { clientDir: path.join(dir, 'no-client') });
  ({ session } = await uploadTestSession(server.url, 1));
  content = await seedExportContent(server.collab.docs, session);
}, 90_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run export', () => {
  it('refuses a data directory a running server holds, pointing at the HTTP route', async () => {
    const run = await cli('--session', session, '--out', path.join(dir, 'busy.zip'), '--data-dir', dataDir);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/serves|another Maskroom process/);
    expect(run.err).toContain(`GET /api/sessions/${session}/export`);
    expect(existsSync(path.join(dir, 'busy.zip'))).toBe(false);
  });

  it('exports a stopped server’s session from the log: the COCO masks are the session’s RLE', async () => {
    await server!.close();
    server = undefined;
    const out = path.join(dir, 'out.zip');
    const run = await cli(
      '--session',
      session,
      '--out',
      out,
      '--data-dir',
      dataDir,
      '--formats',
      'coco,davis',
      '--start',
      '1',
      '--end',
      '4',
    );
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(run.out).toContain('wrote');
    expect(existsSync(`${out}.partial`)).toBe(false);
    const files = unzipSync(new Uint8Array(await readFile(out)));
    expect(Object.keys(files).filter((n) => n.startsWith('davis/') && n.endsWith('.png'))).toHaveLength(3);
    const coco = JSON.parse(new TextDecoder().decode(files['coco/annotations.json'])) as {
      images: unknown[];
      annotations: Array<{ segmentation: { counts: string } }>;
    };
    expect(coco.images).toHaveLength(3);
    const expected = [...content.masks]
      .filter(([key]) => [1, 2, 3].includes(Number(key.split('/')[0])))
      .map(([, m]) => m.rle)
      .sort();
    expect(coco.annotations.map((a) => a.segmentation.counts).sort()).toEqual(expected);
  });

  it('says what is wrong: unknown session, missing arguments, bad options, no database', async () => {
    const out = path.join(dir, 'never.zip');
    const unknown = await cli('--session', 'ses_nosuchsession', '--out', out, '--data-dir', dataDir);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toContain('no such session');

    const missing = await cli('--out', out);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--session is required');
    expect(missing.err).toContain('Usage:');

    const badFlag = await cli('--session', session, '--out', out, '--nope');
    expect(badFlag.code).toBe(2);

    const badFormat = await cli(
      '--session',
      session,
      '--out',
      out,
      '--data-dir',
      dataDir,
      '--formats',
      'gif',
    );
    expect(badFormat.code).toBe(2);
    expect(badFormat.err).toMatch(/formats/);

    const nowhere = await cli('--session', session, '--out', out, '--data-dir', path.join(dir, 'empty'));
    expect(nowhere.code).toBe(2);
    expect(nowhere.err).toContain('no Maskroom database');
    expect(existsSync(out)).toBe(false);

    expect((await cli('--help')).out).toContain('Usage:');
  });
});
