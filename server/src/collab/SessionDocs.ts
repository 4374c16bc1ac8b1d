/**
 * The server's own writes into session documents (worker results, HTTP commands), DESIGN §3–4.
 *
 * A write runs through a Hocuspocus direct connection, so connected clients see it at once, and
 * the update it produced is appended to the durable log before `write` resolves: whatever the
 * caller reports afterwards (an HTTP response, job progress) is already durable. Direct
 * connections are kept open while writes keep coming (a propagation writes many frames), and
 * closed after `idleMs`.
 */
import type { Hocuspocus } from '@hocuspocus/server';
import * as Y from 'yjs';
import {
  MainDoc,
  MaskroomError,
  MaskChunkDoc,
  mainDocName,
  maskChunkDocName,
  type SessionId,
} from '@maskroom/shared';
import type { DocLog } from '../db/index.js';
import type { Logger } from '../log.js';

/** Who wrote: carried as the transaction origin's context, e.g. `{ writer: 'dispatcher' }`. */
export interface WriterContext {
  readonly writer: string;
}

/** The transaction origin of a server write. */
export interface LocalWriteOrigin {
  readonly source: 'local';
  readonly context: WriterContext;
}

/** The class `openDirectConnection` returns (the package exports only a narrower interface). */
type DirectConnection = Awaited<ReturnType<Hocuspocus['openDirectConnection']>>;

interface Held {
  readonly dc: DirectConnection;
  timer: NodeJS.Timeout | undefined;
  /** Writes to one document run one after another, so each one's update is captured alone. */
  queue: Promise<unknown>;
}

const APPEND_ATTEMPTS = 3;

export class SessionDocs {
  private readonly held = new Map<string, Promise<Held>>();
  private closed = false;

  constructor(
    private readonly hocuspocus: Hocuspocus,
    private readonly log: DocLog,
    private readonly logger: Logger,
    private readonly idleMs = 30_000,
  ) {}

  /** Edits the main document through its typed accessors. */
  writeMain<T>(session: SessionId, writer: string, fn: (main: MainDoc) => T): Promise<T> {
    return this.write(mainDocName(session), writer, (doc) => fn(new MainDoc(doc)));
  }

  /** Edits one mask chunk document through its typed accessors. */
  writeMasks<T>(
    session: SessionId,
    chunk: number,
    writer: string,
    fn: (masks: MaskChunkDoc) => T,
  ): Promise<T> {
    return this.write(maskChunkDocName(session, chunk), writer, (doc) => fn(new MaskChunkDoc(doc, chunk)));
  }

  /** Reads the live document (loading it if needed) without writing. */
  async read<T>(docName: string, fn: (doc: Y.Doc) => T): Promise<T> {
    if (this.closed) throw shuttingDown();
    const held = await this.hold(docName);
    try {
      const document = held.dc.document;
      if (!document) throw shuttingDown(docName);
      return fn(document);
    } finally {
      this.touch(docName, held);
    }
  }

  /** Reads the main document through its typed accessors. */
  readMain<T>(session: SessionId, fn: (main: MainDoc) => T): Promise<T> {
    return this.read(mainDocName(session), (doc) => fn(new MainDoc(doc)));
  }

  /**
   * Applies `fn` to the live document and resolves once the resulting update is in the log.
   * If `fn` throws after changing the document, what it changed is still persisted (it is
   * already in memory and on clients), then the error is rethrown.
   */
  async write<T>(docName: string, writer: string, fn: (doc: Y.Doc) => T): Promise<T> {
    if (this.closed) throw shuttingDown();
    const held = await this.hold(docName);
    const run = held.queue.then(() => this.writeNow(held, docName, writer, fn));
    held.queue = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      this.touch(docName, held);
    }
  }

  private async writeNow<T>(held: Held, docName: string, writer: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const document = held.dc.document;
    if (!document) throw shuttingDown(docName);
    // Hocuspocus' local origin shape (store hooks run; clients receive it like any change), with
    // the writer as context; this object's identity also picks out this write's update.
    const origin: LocalWriteOrigin = { source: 'local', context: { writer } };
    const updates: Uint8Array[] = [];
    const capture = (update: Uint8Array, o: unknown): void => {
      if (o === origin) updates.push(update);
    };
    document.on('update', capture);
    const outcome: { result?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
    try {
      document.transact(() => {
        try {
          outcome.result = { ok: true, value: fn(document) };
        } catch (error) {
          outcome.result = { ok: false, error };
        }
      }, origin);
    } finally {
      document.off('update', capture);
    }
    if (updates.length > 0)
      await this.append(docName, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates));
    const result = outcome.result;
    if (!result) throw new Error('unreachable: the write did not run');
    if (!result.ok) throw result.error;
    return result.value;
  }

  private async append(docName: string, update: Uint8Array): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.log.append(docName, update);
        return;
      } catch (error) {
        if (attempt >= APPEND_ATTEMPTS) throw error;
        this.logger.warn('append of a server write failed, retrying', { docName, attempt, err: error });
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private hold(docName: string): Promise<Held> {
    let held = this.held.get(docName);
    if (!held) {
      held = this.hocuspocus
        .openDirectConnection(docName, { writer: 'server' })
        .then((dc) => ({ dc, timer: undefined, queue: Promise.resolve() }));
      this.held.set(docName, held);
      held.catch(() => this.held.delete(docName));
    }
    return held;
  }

  private touch(docName: string, held: Held): void {
    if (held.timer) clearTimeout(held.timer);
    held.timer = setTimeout(() => void this.release(docName), this.idleMs);
    held.timer.unref();
  }

  private async release(docName: string): Promise<void> {
    const pending = this.held.get(docName);
    if (!pending) return;
    this.held.delete(docName);
    const held = await pending;
    if (held.timer) clearTimeout(held.timer);
    await held.queue;
    await held.dc
      .disconnect()
      .catch((e: unknown) => this.logger.warn('closing a direct connection failed', { docName, err: e }));
  }

  /** Finishes pending writes and closes every direct connection. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.held.keys()].map((name) => this.release(name)));
  }
}

/**
 * A read or write of a document after this instance began to close: a request that raced the
 * shutdown. Retryable, so the client (or the load balancer) tries another instance.
 */
function shuttingDown(docName?: string): MaskroomError {
  return new MaskroomError(
    'UNAVAILABLE',
    docName
      ? `${docName} is closed: this server instance is shutting down`
      : 'this server instance is shutting down',
  );
}
