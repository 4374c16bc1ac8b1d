/**
 * Finds working ffmpeg and ffprobe binaries (DESIGN §7: `FFMPEG_PATH`/`FFPROBE_PATH`).
 *
 * Order per tool: the environment variable; else the first working binary of that name on `PATH`
 * (Debian's `apt-get install ffmpeg`); else the optional npm package (`ffmpeg-static` for ffmpeg,
 * `ffprobe-static` for ffprobe), which may be absent or installed without its binary. Every
 * candidate must run `-version` successfully. An explicitly configured path that does not work is
 * an error, not a reason to fall back: an operator who set it wants that binary.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MaskroomError } from '@maskroom/shared';
import type { Logger } from '../log.js';
import { runTool } from './run-tool.js';

export type ToolName = 'ffmpeg' | 'ffprobe';
export type ToolSource = 'env' | 'system' | 'ffmpeg-static' | 'ffprobe-static';

export interface ResolvedTool {
  /** Absolute path of the binary. */
  readonly path: string;
  readonly source: ToolSource;
  /** What `-version` prints after "version", e.g. `5.1.9-0+deb12u1`. */
  readonly version: string;
}

export interface FfmpegTools {
  readonly ffmpeg: ResolvedTool;
  readonly ffprobe: ResolvedTool;
}

export interface ResolveToolsOptions {
  /** Loads an npm package by name (tests inject one). Default: `createRequire(import.meta.url)`. */
  readonly requirePackage?: (name: string) => unknown;
  /** Per-candidate limit for `-version`. Default 10 s. */
  readonly versionTimeoutMs?: number;
}

const ENV_VAR: Record<ToolName, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const PACKAGE: Record<ToolName, 'ffmpeg-static' | 'ffprobe-static'> = {
  ffmpeg: 'ffmpeg-static',
  ffprobe: 'ffprobe-static',
};

/** Resolves both tools; throws `INTERNAL` naming everything tried when either is missing. */
export async function resolveFfmpegTools(
  env: Readonly<Record<string, string | undefined>> = process.env,
  log?: Logger,
  opts: ResolveToolsOptions = {},
): Promise<FfmpegTools> {
  const [ffmpeg, ffprobe] = await Promise.all([
    resolveTool('ffmpeg', env, opts),
    resolveTool('ffprobe', env, opts),
  ]);
  log?.info(
    `using ffmpeg ${ffmpeg.version} (${describe(ffmpeg)}) and ffprobe ${ffprobe.version} (${describe(ffprobe)})`,
    {
      ffmpeg,
      ffprobe,
    },
  );
  return { ffmpeg, ffprobe };
}

const describe = (t: ResolvedTool): string => `${t.source}: ${t.path}`;

/** Resolves one tool; see the module comment for the order. */
export async function resolveTool(
  name: ToolName,
  env: Readonly<Record<string, string | undefined>>,
  opts: ResolveToolsOptions = {},
): Promise<ResolvedTool> {
  const tried: string[] = [];
  const timeoutMs = opts.versionTimeoutMs ?? 10_000;

  const configured = env[ENV_VAR[name]];
  if (configured !== undefined && configured.trim() !== '') {
    const abs = path.resolve(configured);
    const check = await checkBinary(name, abs, timeoutMs);
    if (check.ok) return { path: abs, source: 'env', version: check.version };
    throw new MaskroomError(
      'INTERNAL',
      `${ENV_VAR[name]}=${configured} does not work (${check.why}). Point ${ENV_VAR[name]} at a working ` +
        `${name} binary, or unset it to use the system's (apt-get install ffmpeg).`,
      { details: { tool: name, path: abs, why: check.why } },
    );
  }
  tried.push(`${ENV_VAR[name]} (not set)`);

  const onPath = await findOnPath(name, env.PATH ?? '');
  if (onPath.length === 0) tried.push(`${name} on PATH (not found)`);
  for (const candidate of onPath) {
    const check = await checkBinary(name, candidate, timeoutMs);
    if (check.ok) return { path: candidate, source: 'system', version: check.version };
    tried.push(`${candidate} (${check.why})`);
  }

  const pkg = PACKAGE[name];
  const fromPackage = packageBinary(pkg, opts.requirePackage ?? defaultRequire);
  if (fromPackage.path === null) {
    tried.push(`npm package ${pkg} (${fromPackage.why})`);
  } else {
    const check = await checkBinary(name, fromPackage.path, timeoutMs);
    if (check.ok) return { path: fromPackage.path, source: pkg, version: check.version };
    tried.push(`npm package ${pkg} at ${fromPackage.path} (${check.why})`);
  }

  throw new MaskroomError(
    'INTERNAL',
    `No working ${name} found. Tried: ${tried.join('; ')}. Install it (Debian/Ubuntu: apt-get install ffmpeg) ` +
      `or set ${ENV_VAR[name]} to the path of a ${name} binary.`,
    { details: { tool: name, tried } },
  );
}

const defaultRequire = (name: string): unknown => createRequire(import.meta.url)(name);

/** The binary an optional package points at: `ffmpeg-static` exports a path (or null when it has
 * no binary for this platform), `ffprobe-static` exports `{ path }`. */
function packageBinary(
  pkg: string,
  requirePackage: (name: string) => unknown,
): { path: string; why?: never } | { path: null; why: string } {
  let exported: unknown;
  try {
    exported = requirePackage(pkg);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      path: null,
      why: code === 'MODULE_NOT_FOUND' ? 'not installed' : `failed to load: ${String(error)}`,
    };
  }
  const value =
    typeof exported === 'object' && exported !== null && 'default' in exported && !('path' in exported)
      ? (exported as { default: unknown }).default
      : exported;
  if (typeof value === 'string' && value !== '') return { path: value };
  if (typeof value === 'object' && value !== null && 'path' in value) {
    const p = (value as { path: unknown }).path;
    if (typeof p === 'string' && p !== '') return { path: p };
  }
  return { path: null, why: 'installed without a binary for this platform' };
}

/** Executable regular files named `name` in the `PATH` folders, in order, without duplicates. */
async function findOnPath(name: string, pathVar: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of pathVar.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue; // a relative PATH entry depends on the cwd
    const candidate = path.join(dir, name);
    if (found.includes(candidate)) continue;
    try {
      if (!(await stat(candidate)).isFile()) continue;
      await access(candidate, constants.X_OK);
      found.push(candidate);
    } catch {
      // not there or not executable
    }
  }
  return found;
}

type Check = { ok: true; version: string } | { ok: false; why: string };

/** Runs `<bin> -version` and checks that it is the expected tool. */
async function checkBinary(name: ToolName, bin: string, timeoutMs: number): Promise<Check> {
  try {
    const st = await stat(bin);
    if (!st.isFile()) return { ok: false, why: 'not a file' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? 'no such file' : String(code ?? error) };
  }
  try {
    const result = await runTool(bin, ['-hide_banner', '-version'], { timeoutMs, maxStdoutBytes: 64 * 1024 });
    if (result.timedOut) return { ok: false, why: `-version did not answer within ${timeoutMs} ms` };
    if (result.code !== 0) {
      return { ok: false, why: `-version exited with ${result.code ?? result.signal ?? 'unknown status'}` };
    }
    const version = parseVersion(name, result.stdout);
    if (version === null) return { ok: false, why: `-version does not look like ${name}` };
    return { ok: true, version };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright …` → `5.1.9-0+deb12u1`. */
export function parseVersion(name: ToolName, versionOutput: string): string | null {
  const firstLine = versionOutput.split('\n', 1)[0] ?? '';
  const match = new RegExp(`^${name} version (\\S+)`).exec(firstLine.trim());
  return match?.[1] ?? null;
}
