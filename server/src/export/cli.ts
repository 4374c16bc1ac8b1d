/**
 * `npm run export -- --session <id> --out file.zip [options]` (tools/export.ts runs this): the
 * same ZIP as `GET /api/sessions/:id/export`, read straight from the database's log, for when no
 * server is running (or to script exports). The embedded database is locked like a server's, so
 * this refuses to run beside a server on the same data directory instead of corrupting it.
 */
import { existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MaskroomError, exportZip, isIdString, type SessionId } from '@maskroom/shared';
import { DocLog, VideoStore, openDatabase, type Database } from '../db/index.js';
import { DataDir } from '../storage/DataDir.js';
import { DataDirLock } from '../storage/lock.js';
import { exportOptionsFromParams, type ExportParams } from './options.js';
import { frameImagesOf, loadExportSource, loggedDocStates } from './sessionSource.js';

export const USAGE = `Usage: npm run export -- --session <id> --out <file.zip> [options]

  --formats <list>         coco,yolo,png,davis (comma-separated; default coco)
  --start <frame>          first frame (default 0)
  --end <frame>            frame after the last one (exclusive; default: the end of the video)
  --images                 include the frames as images/<frame>.jpg
  --only-approved          only objects a reviewer approved
  --merge-instances <json> [{"name": "crowd", "objIds": ["obj_a", "obj_b"]}]
  --merge-classes <json>   [{"className": "vehicle", "objIds": ["obj_a", "obj_c"]}]
  --data-dir <dir>         the server's data directory (default: $MASKROOM_DATA_DIR or ./data)
  --database-url <url>     a PostgreSQL server instead of the embedded database (default: $DATABASE_URL)
`;

/** A mistake the user can fix; printed as one line (plus the usage for argument errors). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export interface CliArgs {
  readonly session: SessionId;
  readonly out: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** Export options as text parameters (validated once the session's length is known). */
  readonly params: ExportParams;
}

export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliArgs | 'help' {
  const parse = () =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        session: { type: 'string' },
        out: { type: 'string' },
        formats: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        images: { type: 'boolean' },
        'only-approved': { type: 'boolean' },
        'merge-instances': { type: 'string' },
        'merge-classes': { type: 'string' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), true);
  }
  const values = parsed.values;
  if (values.help) return 'help';
  if (!values.session) throw new CliError('--session is required', true);
  if (!isIdString(values.session)) throw new CliError(`no such session: ${values.session}`);
  if (!values.out) throw new CliError('--out is required (the ZIP file to write)', true);
  const params: Record<string, string> = {};
  if (values.formats !== undefined) params.formats = values.formats;
  if (values.start !== undefined) params.start = values.start;
  if (values.end !== undefined) params.end = values.end;
  if (values.images) params.images = '1';
  if (values['only-approved']) params.approved = '1';
  if (values['merge-instances'] !== undefined) params.mergeInstances = values['merge-instances'];
  if (values['merge-classes'] !== undefined) params.mergeClasses = values['merge-classes'];
  return {
    session: values.session as SessionId,
    out: path.resolve(values.out),
    dataDir: path.resolve(values['data-dir'] ?? env.MASKROOM_DATA_DIR ?? './data'),
    databaseUrl: values['database-url'] ?? (env.DATABASE_URL || undefined),
    params,
  };
}

export interface ExportToFileOptions {
  readonly database: Database;
  readonly dataDir: string;
  readonly session: SessionId;
  readonly out: string;
  readonly params: ExportParams;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the session's export to `out`: into `<out>.partial` first, renamed when complete, so a
 * failed or interrupted export never leaves a file that looks finished. Returns the ZIP's size.
 */
export async function exportSessionToFile(opts: ExportToFileOptions): Promise<{ bytes: number }> {
  const store = new VideoStore(opts.database.db);
  const record = await store.getSession(opts.session);
  const video = record && (await store.get(record.videoId));
  if (!record || !video) throw new CliError(`no such session: ${opts.session}`);
  if (video.status !== 'ready')
    throw new CliError(`the video of session ${opts.session} is still being prepared`);
  let options;
  try {
    options = exportOptionsFromParams(opts.params, video.meta.numFrames);
  } catch (error) {
    if (error instanceof MaskroomError) throw new CliError(error.message, true);
    throw error;
  }
  const source = await loadExportSource(
    loggedDocStates(new DocLog(opts.database.db)),
    opts.session,
    options.includeImages ? frameImagesOf(new DataDir(opts.dataDir), record.videoId) : undefined,
  );
  const partial = `${opts.out}.partial`;
  const file = await open(partial, 'w');
  let bytes = 0;
  try {
    await exportZip(
      source,
      options,
      async (chunk) => {
        if (chunk.length === 0) return;
        await file.write(chunk);
        bytes += chunk.length;
      },
      ...(opts.onProgress ? [{ onProgress: opts.onProgress }] : []),
    );
    await file.sync();
    await file.close();
    await rename(partial, opts.out);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
  return { bytes };
}

export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/** The whole command: arguments, database, export; returns the exit code (never throws). */
export async function runExportCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<number> {
  let lock: DataDirLock | undefined;
  let database: Database | undefined;
  try {
    const args = parseCliArgs(argv, env);
    if (args === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (!args.databaseUrl) {
      if (!existsSync(path.join(args.dataDir, 'db')))
        throw new CliError(
          `no Maskroom database in ${args.dataDir}: give the server's --data-dir (or set DATABASE_URL)`,
        );
      // The embedded database must never be open in two processes at once.
      try {
        lock = await DataDirLock.acquire(args.dataDir);
      } catch (error) {
        throw new CliError(
          `${error instanceof Error ? error.message : String(error)} — while a server runs, export with ` +
            `GET /api/sessions/${args.session}/export instead`,
        );
      }
    }
    database = await openDatabase({ databaseUrl: args.databaseUrl, dataDir: args.dataDir });
    let last = 0;
    const { bytes } = await exportSessionToFile({
      database,
      dataDir: args.dataDir,
      session: args.session,
      out: args.out,
      params: args.params,
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - last < 1000 && done < total) return;
        last = now;
        io.stderr(`exported ${done}/${total}`);
      },
    });
    io.stdout(`wrote ${args.out} (${(bytes / 1e6).toFixed(1)} MB)`);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`export: ${error.message}`);
      if (error.showUsage) io.stderr(USAGE);
      return 2;
    }
    if (error instanceof MaskroomError) {
      io.stderr(`export: ${error.code}: ${error.message}`);
      return 1;
    }
    io.stderr(`export failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await database?.close().catch(() => undefined);
    await lock?.release().catch(() => undefined);
  }
}
