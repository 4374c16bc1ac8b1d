/**
 * Runs ffmpeg or ffprobe as a child process: no shell, stdin closed, arguments as an array.
 * Cancellation sends SIGTERM and, if the process is still alive after a grace period, SIGKILL; the
 * promise settles only once the process has exited, so a caller that removes the output folder
 * afterwards never races a process still writing into it.
 */
import { spawn } from 'node:child_process';
import { MaskroomError } from '@maskroom/shared';

export interface RunToolOptions {
  readonly signal?: AbortSignal | undefined;
  /** Kills the process (as for an abort) when it runs longer than this; `timedOut` tells. */
  readonly timeoutMs?: number | undefined;
  /** Time between SIGTERM and SIGKILL on abort or timeout. Default 2000 ms. */
  readonly killGraceMs?: number | undefined;
  /** Collects stdout into `stdout` (capped at `maxStdoutBytes`). Default true. */
  readonly collectStdout?: boolean | undefined;
  /** Stdout is cut off beyond this many bytes (ffprobe JSON is a few KiB). Default 8 MiB. */
  readonly maxStdoutBytes?: number | undefined;
  /** Called with each complete stdout line (e.g. ffmpeg's `-progress pipe:1`). */
  readonly onStdoutLine?: ((line: string) => void) | undefined;
  /** Called once the process has been spawned. */
  readonly onSpawn?: ((pid: number) => void) | undefined;
}

export interface RunToolResult {
  /** Exit code, or null when the process ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** Stdout went past `maxStdoutBytes` and was cut off. */
  readonly stdoutTruncated: boolean;
  /** The last ~64 KiB of stderr. */
  readonly stderr: string;
  /** The caller's signal was aborted while the process ran (it was then killed). */
  readonly aborted: boolean;
  readonly timedOut: boolean;
}

const STDERR_KEEP = 64 * 1024;

/**
 * Resolves once the process has exited (whatever its exit status); rejects only when it cannot be
 * started at all (`INTERNAL`), or with `CANCELLED` when the signal was already aborted.
 */
export function runTool(
  command: string,
  args: readonly string[],
  opts: RunToolOptions = {},
): Promise<RunToolResult> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(cancelled());
  const graceMs = opts.killGraceMs ?? 2000;
  const maxStdout = opts.maxStdoutBytes ?? 8 * 1024 * 1024;
  const collect = opts.collectStdout ?? true;

  return new Promise<RunToolResult>((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stdoutBytes = 0;
    let partialLine = '';
    let stderr = '';
    let aborted = false;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let exited = false;

    const kill = (): void => {
      if (exited || killTimer !== undefined) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
    };
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        kill();
      }, opts.timeoutMs);
    }
    const cleanup = (): void => {
      exited = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      clearTimeout(timeoutTimer);
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (collect) {
        if (stdoutBytes <= maxStdout) stdout += chunk;
        stdoutBytes += Buffer.byteLength(chunk);
      }
      if (opts.onStdoutLine) {
        const lines = (partialLine + chunk).split('\n');
        partialLine = lines.pop() ?? '';
        for (const line of lines) opts.onStdoutLine(line.replace(/\r$/, ''));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
    });

    child.once('spawn', () => {
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only spawn failures land here without a later 'close' (ENOENT, EACCES, E2BIG…).
      if (child.pid !== undefined) return;
      cleanup();
      reject(
        new MaskroomError('INTERNAL', `could not start ${command}: ${error.code ?? error.message}`, {
          cause: error,
          details: { command },
        }),
      );
    });
    child.once('close', (code, sig) => {
      cleanup();
      if (opts.onStdoutLine && partialLine !== '') opts.onStdoutLine(partialLine);
      resolve({
        code,
        signal: sig,
        stdout: collect ? stdout.slice(0, maxStdout) : '',
        stdoutTruncated: collect && stdoutBytes > maxStdout,
        stderr: stderr.slice(-STDERR_KEEP),
        aborted,
        timedOut,
      });
    });
  });
}

export const cancelled = (what = 'The ingest'): MaskroomError =>
  new MaskroomError('CANCELLED', `${what} was cancelled.`);

/** Lines of ffmpeg's stderr that say nothing about why something failed. */
const NOISE = [/deprecated pixel format used/i, /^\s*Last message repeated/i, /^\s*$/];

/**
 * The useful tail of ffmpeg's stderr: the last few meaningful lines (at most `maxLines` and
 * `maxChars`), with the given absolute paths replaced by placeholders so that server paths do not
 * end up in messages.
 */
export function stderrTail(
  stderr: string,
  replacements: ReadonlyArray<readonly [string, string]> = [],
  maxLines = 8,
  maxChars = 1500,
): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trimEnd())
    .filter((l) => !NOISE.some((re) => re.test(l)))
    .map((l) => {
      let out = l;
      for (const [from, to] of replacements) if (from !== '') out = out.split(from).join(to);
      // ffmpeg prefixes messages with the address of the context that logged them.
      return out.replace(/ @ 0x[0-9a-f]+\]/g, ']');
    });
  // Consecutive duplicates (e.g. the same decode error per frame) count once.
  const deduped = lines.filter((l, i) => i === 0 || l !== lines[i - 1]);
  const tail = deduped.slice(-maxLines).join('\n');
  return tail.length > maxChars ? `…${tail.slice(-maxChars)}` : tail;
}

/** The last meaningful stderr line, for a one-line user message. */
export function lastErrorLine(tail: string): string {
  const lines = tail.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

export const isNoSpace = (stderr: string): boolean => /No space left on device|ENOSPC/i.test(stderr);
