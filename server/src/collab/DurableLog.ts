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
import type {
  Extension,
  beforeSyncPayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
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

/** The empty Yjs update (no structs, no deletes): nothing to persist. */
const isEmptyUpdate = (u: Uint8Array): boolean => u.length === 2 && u[0] === 0 && u[1] === 0;

export class DurableLog implements Extension {
  /** Runs before other extensions' hooks of the same name. */
  priority = 900;
  private readonly compactAfterRows: number;

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

  async beforeSync({ type, payload, connection, documentName }: beforeSyncPayload): Promise<void> {
    if ((type !== SYNC_STEP_2 && type !== SYNC_UPDATE) || connection.readOnly || isEmptyUpdate(payload))
      return;
    // A malformed update must never reach the log: it would break every later load.
    try {
      Y.decodeUpdate(payload);
    } catch {
      // Hocuspocus closes the document connection with the thrown `code` and `reason`.
      throw Object.assign(new Error(`invalid update for ${documentName}`), CLOSE_INVALID_UPDATE);
    }
    try {
      await this.opts.log.append(documentName, payload);
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

  async onStoreDocument({ documentName }: onStoreDocumentPayload): Promise<void> {
    const pending = await this.opts.log.pending(documentName);
    if (pending.rows < this.compactAfterRows) return;
    const result = await this.opts.log.compact(documentName);
    this.opts.logger.debug('compacted', { documentName, ...result });
  }
}
