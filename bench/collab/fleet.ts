/**
 * The bench's side of the client fleet (`clients.ts` in a child process): requests and the
 * answers they wait for.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildChannel } from '../child.js';
import type { FromFleet, ToFleet } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export class Fleet {
  /** `group\ndoc\nkey` → the resolver of the write waiting for it. */
  private readonly seenWaiters = new Map<string, (at: number[]) => void>();
  private channel!: ChildChannel<ToFleet, FromFleet>;

  private constructor() {}

  /** Starts the fleet process (TypeScript through tsx, like the bench itself). */
  static async start(): Promise<Fleet> {
    const fleet = new Fleet();
    fleet.channel = await ChildChannel.start<ToFleet, FromFleet>({
      script: path.join(here, 'clients.ts'),
      label: 'client fleet',
      execArgv: ['--max-old-space-size=8192'],
      // `seen` reports go to the write that registered for them, not to a request.
      intercept: (m) => {
        if (m.type !== 'seen') return false;
        const id = `${m.group}\n${m.doc}\n${m.key}`;
        const resolve = fleet.seenWaiters.get(id);
        if (resolve) {
          fleet.seenWaiters.delete(id);
          resolve(m.at);
        }
        return true;
      },
    });
    return fleet;
  }

  send(msg: ToFleet): void {
    this.channel.send(msg);
  }

  /** The next message of `type` that `match` accepts. */
  wait<T extends FromFleet['type']>(
    type: T,
    match: (m: Extract<FromFleet, { type: T }>) => boolean = () => true,
    timeoutMs = 120_000,
  ): Promise<Extract<FromFleet, { type: T }>> {
    return this.channel.wait(type, match, timeoutMs);
  }

  /** Sends `msg` and waits for its answer. */
  request<T extends FromFleet['type']>(
    msg: ToFleet,
    type: T,
    match: (m: Extract<FromFleet, { type: T }>) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<Extract<FromFleet, { type: T }>> {
    return this.channel.request(msg, type, match, timeoutMs);
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

  stop(): Promise<void> {
    return this.channel.stop();
  }
}
