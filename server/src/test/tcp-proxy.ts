/**
 * A loopback TCP proxy a test controls, to take a service (PostgreSQL) away and bring it back:
 * `cut()` resets every forwarded connection and refuses new ones (each is accepted and reset at
 * once, as when the database restarts); `restore()` forwards again.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The loopback port to connect to instead of the target. */
  readonly port: number;
  /** Connections forwarded since the start (for checking that clients reconnected). */
  readonly accepted: number;
  /** Connections refused while cut. */
  readonly refused: number;
  /** Resets every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let cut = false;
  let accepted = 0;
  let refused = 0;
  const server = net.createServer((client) => {
    if (cut) {
      refused++;
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = (): void => {
      open.delete(client);
      open.delete(upstream);
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.resetAndDestroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const s of [...open]) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    async close() {
      cut = true;
      for (const s of [...open]) s.resetAndDestroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
