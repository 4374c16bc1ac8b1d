/**
 * Local mode's worker: a `classical` worker started as a child process of the server, restarted
 * if it dies (with a growing delay, so a worker that cannot start does not spin), stopped with
 * the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

export interface LocalWorkerOptions {
  readonly endpoint: string;
  readonly backend: 'classical' | 'sam3';
  readonly device: string;
  /** The Python to run; default: MASKROOM_PYTHON, else the repo's .venv, else python3. */
  readonly python?: string | undefined;
  readonly log: Logger;
}

export function resolvePython(explicit?: string): string {
  if (explicit) return explicit;
  const venv = path.join(repoRoot, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

export class LocalWorker {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly python: string;

  constructor(private readonly opts: LocalWorkerOptions) {
    this.python = resolvePython(opts.python);
  }

  start(): void {
    if (this.stopping) return;
    const args = [
      '-m',
      'maskroom_worker',
      '--endpoint',
      this.opts.endpoint,
      '--backend',
      this.opts.backend,
      '--device',
      this.opts.device,
    ];
    const startedAt = Date.now();
    const child = spawn(this.python, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    this.child = child;
    const log = this.opts.log.child({ component: 'local-worker', pid: child.pid });
    log.info('started a local worker', { python: this.python, backend: this.opts.backend });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => log.debug(line));
    }
    child.once('error', (error) =>
      log.error('could not start the local worker', { err: error, python: this.python }),
    );
    child.once('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopping) return;
      // A worker that ran for a while gets a fresh backoff.
      if (Date.now() - startedAt > 60_000) this.restarts = 0;
      const delay = Math.min(30_000, 500 * 2 ** this.restarts++);
      log.warn('the local worker exited; restarting', { code, signal, inMs: delay });
      this.timer = setTimeout(() => this.start(), delay);
      this.timer.unref();
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  }
}
