/**
 * Test clients for the collaboration socket: the real `@hocuspocus/provider` over the `ws`
 * package (Node 20 has no global WebSocket), one socket multiplexing several documents as the
 * browser does.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface TestClient {
  readonly socket: HocuspocusProviderWebsocket;
  /** Opens (or returns) the provider of `name` on this client's socket. */
  open(name: string, opts?: { token?: string }): HocuspocusProvider;
  doc(name: string): Y.Doc;
  /** Resolves when every open document is synced and has nothing unacknowledged. */
  settled(timeoutMs?: number): Promise<void>;
  destroy(): void;
}

export function connectClient(baseUrl: string, opts: { name?: string } = {}): TestClient {
  const url = `${baseUrl.replace(/^http/, 'ws')}/collab${opts.name ? `?name=${encodeURIComponent(opts.name)}` : ''}`;
  const socket = new HocuspocusProviderWebsocket({
    url,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    delay: 50,
    minDelay: 50,
    maxDelay: 500,
    factor: 1.5,
  });
  const providers = new Map<string, HocuspocusProvider>();
  return {
    socket,
    open(name, o = {}) {
      let p = providers.get(name);
      if (!p) {
        p = new HocuspocusProvider({
          websocketProvider: socket,
          name,
          document: new Y.Doc(),
          token: o.token ?? '',
        });
        p.attach();
        providers.set(name, p);
      }
      return p;
    },
    doc(name) {
      const p = providers.get(name);
      if (!p) throw new Error(`${name} is not open`);
      return p.document;
    },
    async settled(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = [...providers.values()];
        if (all.every((p) => p.isSynced && p.unsyncedChanges === 0)) return;
        if (Date.now() > deadline) {
          const state = all.map(
            (p) => `${p.configuration.name}: synced=${p.isSynced} unsynced=${p.unsyncedChanges}`,
          );
          throw new Error(`clients did not settle: ${state.join('; ')}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    destroy() {
      for (const p of providers.values()) p.destroy();
      socket.destroy();
    },
  };
}

/** Polls `check` until it returns true (or throws its last error after `timeoutMs`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when `provider` has synced (at once if it has). */
export function whenSynced(provider: HocuspocusProvider): Promise<void> {
  if (provider.isSynced) return Promise.resolve();
  return new Promise((resolve) => {
    const onSynced = ({ state }: { state: boolean }): void => {
      if (!state) return;
      provider.off('synced', onSynced);
      resolve();
    };
    provider.on('synced', onSynced);
  });
}
