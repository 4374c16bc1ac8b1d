/**
 * "Acknowledged ⇒ durable" (DESIGN §4) as a Hocuspocus extension.
 *
 * Hocuspocus acknowledges an update (SyncStatus) right after applying it in memory and stores
 * documents seconds later. Here every update a client sends is appended to the Postgres log in
 * `beforeSync`, which Hocuspocus awaits before applying and acknowledging. If the append fails
 * the whole socket is closed, so the provider reconnects and sends the change again (closing only
 * the document would leave it unacknowledged and never resent). Loading = snapshot + unmerged
 * rows; the debounced store hook only compacts the log.
 */
import {
  OutgoingMessage,
  type Connection,
  type Extension,
  type afterHandleMessagePayload,
  type beforeSyncPayload,
  type onLoadDocumentPayload,
  type onStoreDocumentPayload,
} from '@hocuspocus/server';
import * as Y from 'yjs';
import type { DocLog } from '../db/index.js';
import type { Logger } from '../log.js';

/** y-protocols sync message types that carry an update. */
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
/** Close code the provider answers by reconnecting (Hocuspocus' ResetConnection). */
export const CLOSE_PERSIST_FAILED = { code: 4205, reason: 'persist failed: reconnect and resend' } as const;
export const CLOSE_INVALID_UPDATE = { code: 4400, reason: 'invalid update' } as const;

export interface DurableLogOptions {
  readonly log: DocLog;
  readonly logger: Logger;
  /** Compact when a document has at least this many log rows (checked on the debounced store). */
  readonly compactAfterRows?: number;
  /** Called with every appended update (for metrics and tests). */
  readonly onAppend?: (docName: string, bytes: number) => void;
}

/** Whether an update starts, for some client, past what `doc` holds of that client (a gap). */
function buildsOnMissing(from: ReadonlyMap<number, number>, doc: Y.Doc): boolean {
  for (const [client, clock] of from) if (clock > Y.getState(doc.store, client)) return true;
  return false;
}

/** Whether `doc` holds every struct up to `to` (exclusive clocks per client). */
function holdsAll(to: ReadonlyMap<number, number>, doc: Y.Doc): boolean {
  for (const [client, clock] of to) if (Y.getState(doc.store, client) < clock) return false;
  return true;
}

/** The empty Yjs update (no structs, no deletes): nothing to persist. */
const isEmptyUpdate = (u: Uint8Array): boolean => u.length === 2 && u[0] === 0 && u[1] === 0;

export class DurableLog implements Extension {
  /** Runs before other extensions' hooks of the same name. */
  priority = 900;
  private readonly compactAfterRows: number;
  /** Connections made read-only for the frame being handled (see `beforeSync`). */
  private readonly readOnlyForFrame = new WeakSet<Connection>();
  /** Per connection, how many updates are held back, and the clock (per client) they reach. */
  private readonly heldBack = new WeakMap<Connection, { count: number; to: Map<number, number> }>();
  /** Appends and compactions under way: shutdown waits for them before the database closes. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly opts: DurableLogOptions) {
    this.compactAfterRows = opts.compactAfterRows ?? 200;
  }

  async onLoadDocument({ documentName, document }: onLoadDocumentPayload): Promise<void> {
    const { snapshot, updates } = await this.opts.log.load(documentName);
    let skipped = 0;
    Y.transact(
      document,
      () => {
        for (const u of snapshot ? [snapshot, ...updates] : updates) {
          try {
            Y.applyUpdate(document, u);
          } catch {
            skipped++;
          }
        }
      },
      { source: 'local', skipStoreHooks: true },
    );
    if (skipped > 0) this.opts.logger.error('skipped undecodable log rows', { documentName, skipped });
  }

  async beforeSync({ type, payload, connection, document, documentName }: beforeSyncPayload): Promise<void> {
    if ((type !== SYNC_STEP_2 && type !== SYNC_UPDATE) || connection.readOnly || isEmptyUpdate(payload))
      return;
    // A malformed update must never reach the log: it would break every later load.
    let meta: { from: Map<number, number>; to: Map<number, number> };
    try {
      Y.decodeUpdate(payload);
      meta = Y.parseUpdateMeta(payload);
    } catch {
      // Hocuspocus closes the document connection with the thrown `code` and `reason`.
      throw Object.assign(new Error(`invalid update for ${documentName}`), CLOSE_INVALID_UPDATE);
    }
    if (type === SYNC_UPDATE && buildsOnMissing(meta.from, document)) {
      // A reconnecting provider sends the edits it queued offline before the SyncStep2 that
      // carries those it sent on the broken socket, so this update builds on edits the server
      // never stored. Applied now, its structs would wait for them while its delete set already
      // removed the values it replaces (acknowledged values gone from the log until the SyncStep2
      // arrives, for good if it never does), and its ack would zero the provider's unsynced count
      // before the SyncStep2 is stored. Held back instead: for this one frame the connection
      // counts as read-only, so Hocuspocus neither applies nor acknowledges it (SyncStatus false);
      // the client's SyncStep2, which follows, carries it, and once that is stored and applied
      // the held update is acknowledged (`afterHandleMessage`).
      connection.readOnly = true;
      this.readOnlyForFrame.add(connection);
      const held = this.heldBack.get(connection) ?? { count: 0, to: new Map<number, number>() };
      held.count++;
      for (const [client, clock] of meta.to) held.to.set(client, Math.max(clock, held.to.get(client) ?? 0));
      this.heldBack.set(connection, held);
      return;
    }
    try {
      await this.track(this.opts.log.append(documentName, payload));
      this.opts.onAppend?.(documentName, payload.length);
    } catch (error) {
      this.opts.logger.warn('append failed: closing the socket so the client resends', {
        documentName,
        err: error,
      });
      connection.webSocket.close(CLOSE_PERSIST_FAILED.code, CLOSE_PERSIST_FAILED.reason);
      throw error;
    }
  }

  async afterHandleMessage({ connection, document }: afterHandleMessagePayload): Promise<void> {
    if (this.readOnlyForFrame.delete(connection)) connection.readOnly = false;
    const held = this.heldBack.get(connection);
    if (!held || !holdsAll(held.to, document)) return;
    // Whatever the document holds came through an append: the held updates are stored now.
    this.heldBack.delete(connection);
    const ack = new OutgoingMessage(connection.messageAddress).writeSyncStatus(true).toUint8Array();
    for (let i = 0; i < held.count; i++) connection.send(ack);
  }

  async onStoreDocument({ documentName }: onStoreDocumentPayload): Promise<void> {
    await this.track(
      (async () => {
        const pending = await this.opts.log.pending(documentName);
        if (pending.rows < this.compactAfterRows) return;
        const result = await this.opts.log.compact(documentName);
        this.opts.logger.debug('compacted', { documentName, ...result });
      })(),
    );
  }

  /**
   * Waits for the appends under way: a client's update received just before its socket was closed
   * is still stored (and the client, never acknowledged, resends it elsewhere anyway).
   */
  async onDestroy(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }
}
