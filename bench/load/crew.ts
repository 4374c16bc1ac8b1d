/**
 * The bench's side of the collaborators process (`collaborators.ts`): requests and the answers
 * they wait for. A failure reported by the child fails every pending request.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromCollaborators, ToCollaborators } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

type Of<T extends FromCollaborators['type']> = Extract<FromCollaborators, { type: T }>;

interface Waiter {
  match(m: FromCollaborators): boolean;
  resolve(m: FromCollaborators): void;
  reject(e: Error): void;
}

export class Crew {
  private readonly waiters = new Set<Waiter>();
  private failure: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromCollaborators) => this.dispatch(m));
    child.on('exit', (code, signal) => {
      if (code !== 0) this.fail(new Error(`collaborators exited (code ${code}, signal ${signal})`));
    });
  }

  static async start(): Promise<Crew> {
    const child = fork(path.join(here, 'collaborators.ts'), [], {
      execArgv: ['--conditions=@maskroom/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const crew = new Crew(child);
    await crew.wait('ready', () => true, 60_000);
    return crew;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private dispatch(m: FromCollaborators): void {
    if (m.type === 'error') {
      this.fail(new Error(`collaborators: ${m.message}`));
      return;
    }
    for (const w of this.waiters) {
      if (w.match(m)) {
        this.waiters.delete(w);
        w.resolve(m);
        return;
      }
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiters) w.reject(e);
    this.waiters.clear();
  }

  private wait<T extends FromCollaborators['type']>(
    type: T,
    match: (m: Of<T>) => boolean,
    timeoutMs: number,
  ): Promise<Of<T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Of<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for the collaborators' ${type}`));
      }, timeoutMs);
      const waiter: Waiter = {
        match: (m) => m.type === type && match(m as Of<T>),
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Of<T>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Sends `msg` and waits for the answer of `type` that `match` accepts. */
  async request<T extends FromCollaborators['type']>(
    msg: ToCollaborators,
    type: T,
    match: (m: Of<T>) => boolean = () => true,
    timeoutMs = 120_000,
  ): Promise<Of<T>> {
    const answer = this.wait(type, match, timeoutMs);
    if (this.failure) throw this.failure;
    this.child.send(msg);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies ToCollaborators);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
