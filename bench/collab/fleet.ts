/**
 * The bench's side of the client fleet (`clients.ts` in a child process): requests and the
 * answers they wait for.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromFleet, ToFleet } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

type Of<T extends FromFleet['type']> = Extract<FromFleet, { type: T }>;

interface Waiter {
  match(m: FromFleet): boolean;
  resolve(m: FromFleet): void;
  reject(e: Error): void;
}

export class Fleet {
  private readonly waiters = new Set<Waiter>();
  /** `group\ndoc\nkey` → the resolver of the write waiting for it. */
  private readonly seenWaiters = new Map<string, (at: number[]) => void>();
  private failure: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: FromFleet) => this.dispatch(m));
    child.on('exit', (code, signal) => {
      if (code !== 0) this.fail(new Error(`client fleet exited (code ${code}, signal ${signal})`));
    });
  }

  /** Starts the fleet process (TypeScript through tsx, like the bench itself). */
  static async start(): Promise<Fleet> {
    const child = fork(path.join(here, 'clients.ts'), [], {
      execArgv: ['--conditions=@maskroom/source', '--import', 'tsx', '--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const fleet = new Fleet(child);
    await fleet.wait('ready', () => true, 60_000);
    return fleet;
  }

  private dispatch(m: FromFleet): void {
    if (m.type === 'error') {
      this.fail(new Error(`client fleet: ${m.message}`));
      return;
    }
    if (m.type === 'seen') {
      const id = `${m.group}\n${m.doc}\n${m.key}`;
      const resolve = this.seenWaiters.get(id);
      if (resolve) {
        this.seenWaiters.delete(id);
        resolve(m.at);
      }
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

  send(msg: ToFleet): void {
    if (this.failure) throw this.failure;
    this.child.send(msg);
  }

  /** The next message of `type` that `match` accepts. */
  wait<T extends FromFleet['type']>(
    type: T,
    match: (m: Of<T>) => boolean,
    timeoutMs = 120_000,
  ): Promise<Of<T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Of<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for the fleet's ${type}`));
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

  /** Sends `msg` and waits for its answer. */
  async request<T extends FromFleet['type']>(
    msg: ToFleet,
    type: T,
    match: (m: Of<T>) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<Of<T>> {
    const answer = this.wait(type, match, timeoutMs);
    this.send(msg);
    return answer;
  }

  /** When every client of `group` has seen `key` in `doc` (register before writing it). */
  seen(group: string, doc: string, key: string, timeoutMs = 30_000): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      const id = `${group}\n${doc}\n${key}`;
      const timer = setTimeout(() => {
        this.seenWaiters.delete(id);
        reject(new Error(`timed out waiting for ${group} to see ${key}`));
      }, timeoutMs);
      this.seenWaiters.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** CPU time the fleet process has used so far (ms). */
  async cpuMs(): Promise<number> {
    const m = await this.request({ type: 'cpu' }, 'cpu');
    return m.userMs + m.systemMs;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' } satisfies ToFleet);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
