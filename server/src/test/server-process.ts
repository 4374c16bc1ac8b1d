/**
 * The real server as a child process (`node --conditions=@maskroom/source --import tsx
 * server/src/main.ts`), for tests that must kill it the hard way (SIGKILL) and start it again on
 * the same data directory or database. Its URL comes from its `maskroom listening` log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Variables of the test runner that must not leak into the child's configuration. */
const SCRUBBED = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'REDIS_URL',
  'MASKROOM_DATA_DIR',
  'MASKROOM_AUTH',
  'MASKROOM_WORKER_ENDPOINT',
  'MASKROOM_LOCAL_WORKER',
];
const KEPT_LINES = 200;

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly pid: number;
  /** The last lines it wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Log lines (parsed JSON) it wrote so far. */
  logLines(): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process has exited. */
  readonly exited: boolean;
}

/**
 * Starts the server with `env` (on top of the runner's environment minus the server's own
 * variables) and resolves once it listens. PORT defaults to 0, the log level to `info`, and no
 * worker is started.
 */
export async function startServerProcess(
  env: Record<string, string>,
  opts: { startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of SCRUBBED) delete base[name];
  const child = spawn(
    process.execPath,
    ['--conditions=@maskroom/source', '--import', 'tsx', path.join('server', 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...base,
        PORT: '0',
        MASKROOM_LOG_LEVEL: 'info',
        // No worker: a free port for the worker socket, and no local worker process.
        MASKROOM_WORKER_ENDPOINT: 'tcp://127.0.0.1:*',
        MASKROOM_LOCAL_WORKER: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const parsed: Array<Record<string, unknown>> = [];
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  const listening = new Promise<string>((resolve, reject) => {
    const onLine = (line: string): void => {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      if (!line.startsWith('{')) return;
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        parsed.push(rec);
        if (rec.msg === 'maskroom listening' && typeof rec.url === 'string')
          resolve(rec.url.replace(/\/$/, ''));
      } catch {
        // not a log line
      }
    };
    readLines(child, 'stdout', onLine);
    readLines(child, 'stderr', onLine);
    void exit.then(({ code, signal }) =>
      reject(new Error(`server exited before listening (${code ?? signal}):\n${lines.join('\n')}`)),
    );
  });
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await Promise.race([
      listening,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`server did not listen within ${timeoutMs} ms:\n${lines.join('\n')}`)),
          timeoutMs,
        );
      }),
    ]);
    return {
      url,
      pid: child.pid ?? -1,
      output: () => lines.join('\n'),
      logLines: () => [...parsed],
      get exited() {
        return exited;
      },
      async kill(signal = 'SIGKILL') {
        if (!exited) child.kill(signal);
        return exit;
      },
    };
  } catch (error) {
    if (!exited) child.kill('SIGKILL');
    await exit;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function readLines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void): void {
  let rest = '';
  child[stream]?.setEncoding('utf8');
  child[stream]?.on('data', (chunk: string) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
  });
}
