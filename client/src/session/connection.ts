/**
 * One session's documents on one collaboration socket (DESIGN §3): the main doc, and the mask
 * chunk docs opened around the playhead first, the rest prefetched one at a time in the
 * background. Status (connected, synced, unsynced changes, a refusal) is published as one
 * snapshot for the UI.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import {
  LOCAL_NAME_PARAM,
  MainDoc,
  MaskChunkDoc,
  chunkCount,
  chunkIndexOf,
  mainDocName,
  maskChunkDocName,
  type SessionId,
} from '@maskroom/shared';
import * as Y from 'yjs';

export type SocketState = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionStatus {
  readonly socket: SocketState;
  /** The main document has synced at least once since the page opened. */
  readonly mainSynced: boolean;
  /** Local changes the server has not acknowledged yet, over every open document. */
  readonly unsynced: number;
  /** Mask chunks synced / known. */
  readonly chunksSynced: number;
  readonly chunksTotal: number;
  /** The server refused the session (no access, no such session); reconnecting will not help. */
  readonly refused: string | null;
  /** Times the socket came back after a loss. */
  readonly reconnects: number;
}

export interface ChunkHandle {
  readonly index: number;
  readonly provider: HocuspocusProvider;
  readonly masks: MaskChunkDoc;
  synced: boolean;
}

export interface ConnectionOptions {
  readonly sessionId: SessionId;
  readonly name: string;
  /** Transaction origin of this participant's own edits (its undo history tracks it). */
  readonly origin: object;
  /** Chunks opened eagerly on each side of the playhead's chunk. */
  readonly around?: number;
  /** Base URL of the server; defaults to the page's. */
  readonly baseUrl?: string;
}

type Listener = () => void;

export class SessionConnection {
  readonly sessionId: SessionId;
  readonly socket: HocuspocusProviderWebsocket;
  readonly mainProvider: HocuspocusProvider;
  readonly main: MainDoc;
  readonly origin: object;
  readonly #chunks = new Map<number, ChunkHandle>();
  readonly #listeners = new Set<Listener>();
  readonly #chunkListeners = new Set<(chunk: ChunkHandle) => void>();
  readonly #around: number;
  #numChunks = 0;
  #prefetching = false;
  #destroyed = false;
  #status: ConnectionStatus = {
    socket: 'connecting',
    mainSynced: false,
    unsynced: 0,
    chunksSynced: 0,
    chunksTotal: 0,
    refused: null,
    reconnects: 0,
  };
  #everConnected = false;

  constructor(opts: ConnectionOptions) {
    this.sessionId = opts.sessionId;
    this.origin = opts.origin;
    this.#around = opts.around ?? 1;
    const base = opts.baseUrl ?? window.location.origin;
    // `session` lets a load balancer keep a session's sockets on one server instance (DESIGN §9).
    const url = `${base.replace(/^http/, 'ws')}/collab?session=${encodeURIComponent(this.sessionId)}&${LOCAL_NAME_PARAM}=${encodeURIComponent(opts.name)}`;
    this.socket = new HocuspocusProviderWebsocket({ url, delay: 250, minDelay: 250, maxDelay: 4000 });
    this.socket.on('status', ({ status }: { status: WebSocketStatus }) => {
      const socket: SocketState =
        status === WebSocketStatus.Connected
          ? 'connected'
          : status === WebSocketStatus.Connecting
            ? 'connecting'
            : 'disconnected';
      const reconnected = socket === 'connected' && this.#everConnected;
      if (socket === 'connected') this.#everConnected = true;
      this.#set({ socket, reconnects: this.#status.reconnects + (reconnected ? 1 : 0) });
    });
    this.mainProvider = this.#provider(mainDocName(this.sessionId), new Y.Doc());
    this.main = new MainDoc(this.mainProvider.document, { origin: this.origin });
    this.mainProvider.on('synced', () => {
      const meta = this.main.getMeta();
      if (meta) this.#numChunks = chunkCount(meta.numFrames);
      this.#set({ mainSynced: true, chunksTotal: this.#numChunks });
    });
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Called on every status change. */
  onStatus(cb: Listener): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** Called when a chunk document is opened (before it syncs). */
  onChunk(cb: (chunk: ChunkHandle) => void): () => void {
    this.#chunkListeners.add(cb);
    return () => this.#chunkListeners.delete(cb);
  }

  chunks(): IterableIterator<ChunkHandle> {
    return this.#chunks.values();
  }

  /** The chunk holding `frame`, opened if needed. */
  chunkOf(frame: number): ChunkHandle {
    return this.#open(chunkIndexOf(frame));
  }

  /**
   * Opens the playhead's chunk and its neighbours now, then the rest of the session one chunk at a
   * time (nearest first) so that scrubbing and export find everything already synced.
   */
  focus(frame: number): void {
    if (this.#destroyed) return;
    const k = chunkIndexOf(frame);
    this.#open(k);
    for (let d = 1; d <= this.#around; d++) {
      if (k + d < this.#numChunks) this.#open(k + d);
      if (k - d >= 0) this.#open(k - d);
    }
    void this.#prefetchRest(k);
  }

  /** Resolves once every chunk of the session is open and synced (before an edit of them all). */
  async whenAllSynced(): Promise<void> {
    await whenSynced(this.mainProvider);
    const meta = this.main.getMeta();
    if (meta) this.#numChunks = chunkCount(meta.numFrames);
    const all = [...Array(this.#numChunks).keys()].map((k) => this.#open(k));
    await Promise.all(all.map((c) => (c.synced ? undefined : whenSynced(c.provider))));
  }

  async #prefetchRest(from: number): Promise<void> {
    if (this.#prefetching) return;
    this.#prefetching = true;
    try {
      const order = [...Array(this.#numChunks).keys()].sort(
        (a, b) => Math.abs(a - from) - Math.abs(b - from),
      );
      for (const k of order) {
        if (this.#destroyed) return;
        const chunk = this.#open(k);
        if (!chunk.synced) await whenSynced(chunk.provider);
      }
    } finally {
      this.#prefetching = false;
    }
  }

  #open(k: number): ChunkHandle {
    const existing = this.#chunks.get(k);
    if (existing) return existing;
    const provider = this.#provider(maskChunkDocName(this.sessionId, k), new Y.Doc());
    const handle: ChunkHandle = {
      index: k,
      provider,
      masks: new MaskChunkDoc(provider.document, k, { origin: this.origin }),
      synced: false,
    };
    this.#chunks.set(k, handle);
    provider.on('synced', () => {
      if (handle.synced) return;
      handle.synced = true;
      this.#set({ chunksSynced: [...this.#chunks.values()].filter((c) => c.synced).length });
    });
    for (const cb of this.#chunkListeners) cb(handle);
    return handle;
  }

  #provider(name: string, document: Y.Doc): HocuspocusProvider {
    const provider = new HocuspocusProvider({
      websocketProvider: this.socket,
      name,
      document,
      token: '',
      onAuthenticationFailed: ({ reason }) => this.#set({ refused: reason || 'access refused' }),
      onUnsyncedChanges: () => this.#set({ unsynced: this.#countUnsynced() }),
    });
    provider.attach();
    return provider;
  }

  #countUnsynced(): number {
    let n = this.mainProvider?.unsyncedChanges ?? 0;
    for (const c of this.#chunks.values()) n += c.provider.unsyncedChanges;
    return n;
  }

  #set(patch: Partial<ConnectionStatus>): void {
    this.#status = { ...this.#status, ...patch };
    for (const cb of this.#listeners) cb();
  }

  destroy(): void {
    this.#destroyed = true;
    for (const c of this.#chunks.values()) c.provider.destroy();
    this.mainProvider.destroy();
    this.socket.destroy();
    this.#listeners.clear();
    this.#chunkListeners.clear();
  }
}

/** Resolves when `provider` has synced (at once if it has). */
function whenSynced(provider: HocuspocusProvider): Promise<void> {
  if (provider.isSynced) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      provider.off('synced', done);
      resolve();
    };
    provider.on('synced', done);
  });
}
