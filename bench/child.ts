/**
 * A bench's typed channel to a helper process it forks (clients in another process, so their work
 * does not share the measured event loop): requests, the answers they wait for, and failure. The
 * child reports a failure as `{type: 'error', message}`; it fails every pending request, as does
 * an unexpected exit. The child leaves when sent `{type: 'exit'}`.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Message {
  readonly type: string;
}

type Of<From extends Message, T extends From['type']> = Extract<From, { type: T }>;

interface Waiter<From> {
  match(m: From): boolean;
  resolve(m: From): void;
  reject(e: Error): void;
}

export interface ChildOptions<From extends Message> {
  /** The TypeScript file to run (through tsx, like the bench itself). */
  readonly script: string;
  /** How errors name the child ("client fleet"). */
  readonly label: string;
  readonly execArgv?: readonly string[];
  /** Sees every message first; returns true when it handled it (it then reaches no waiter). */
  readonly intercept?: (m: From) => boolean;
}

export class ChildChannel<To extends Message, From extends Message> {
  private readonly waiters = new Set<Waiter<From>>();
  private failure: Error | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: ChildOptions<From>,
  ) {
    child.on('message', (m: From) => this.dispatch(m));
    child.on('exit', (code, signal) => {
      if (code !== 0) this.fail(new Error(`${opts.label} exited (code ${code}, signal ${signal})`));
    });
  }

  /** Forks the child and waits for its `{type: 'ready'}`. */
  static async start<To extends Message, From extends Message>(
    opts: ChildOptions<From>,
  ): Promise<ChildChannel<To, From>> {
    const child = fork(opts.script, [], {
      execArgv: ['--conditions=@maskroom/source', '--import', 'tsx', ...(opts.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const channel = new ChildChannel<To, From>(child, opts);
    await channel.wait('ready' as From['type'], () => true, 60_000);
    return channel;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private dispatch(m: From): void {
    if (m.type === 'error') {
      this.fail(
        new Error(`${this.opts.label}: ${(m as Message & { message?: string }).message ?? 'failed'}`),
      );
      return;
    }
    if (this.opts.intercept?.(m)) return;
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

  send(msg: To): void {
    if (this.failure) throw this.failure;
    this.child.send(msg);
  }

  /** The next message of `type` that `match` accepts. */
  wait<T extends From['type']>(
    type: T,
    match: (m: Of<From, T>) => boolean = () => true,
    timeoutMs = 120_000,
  ): Promise<Of<From, T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Of<From, T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for the ${this.opts.label}'s ${type}`));
      }, timeoutMs);
      const waiter: Waiter<From> = {
        match: (m) => m.type === type && match(m as Of<From, T>),
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Of<From, T>);
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
  async request<T extends From['type']>(
    msg: To,
    type: T,
    match: (m: Of<From, T>) => boolean = () => true,
    timeoutMs = 120_000,
  ): Promise<Of<From, T>> {
    const answer = this.wait(type, match, timeoutMs);
    this.send(msg);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

// --- the child's side ------------------------------------------------------------------------------

/**
 * Runs `handle` for every message from the bench, reporting a failure as `{type: 'error'}` (which
 * fails the bench's pending requests), and tells the bench it is ready.
 */
export function serveBench<To extends Message>(handle: (msg: To) => Promise<void>): void {
  process.on('message', (msg: To) => {
    handle(msg).catch((e: unknown) =>
      process.send?.({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
  process.send?.({ type: 'ready' });
}

/** Leaves after the bench's `{type: 'exit'}`, once the IPC channel has flushed. */
export function leaveBench(): void {
  process.disconnect?.();
  setTimeout(() => process.exit(0), 100).unref();
}
