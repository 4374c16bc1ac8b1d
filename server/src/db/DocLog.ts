/**
 * The durable Yjs update log (DESIGN §4): `append` commits an update before it is acknowledged;
 * `load` returns the document's snapshot (if compacted) and every later update in id order.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import type { DB } from './client.js';
import { mapErrors } from './errors.js';
import { docSnapshots, docUpdates } from './schema.js';

export interface LoadedDoc {
  /** Merged state of every update with id ≤ the snapshot's `last_update_id`; null before compaction. */
  readonly snapshot: Uint8Array | null;
  /** The updates after the snapshot, in id order. */
  readonly updates: Uint8Array[];
}

export class DocLog {
  /** `db` may be a transaction, to append atomically with other writes. */
  constructor(private readonly db: DB) {}

  /** Appends one update and returns its row id once committed (or once the caller's transaction commits). */
  async append(docName: string, update: Uint8Array): Promise<number> {
    checkDocName(docName);
    if (!(update instanceof Uint8Array)) throw new TypeError('DocLog.append: update must be a Uint8Array');
    return mapErrors('append document update', async () => {
      const [row] = await this.db
        .insert(docUpdates)
        .values({ docName, update })
        .returning({ id: docUpdates.id });
      if (!row) throw new Error('DocLog.append: insert returned no row');
      return row.id;
    });
  }

  /**
   * Snapshot plus later updates, read in one repeatable-read transaction, so that a compaction
   * committing in between cannot make the two disagree.
   */
  async load(docName: string): Promise<LoadedDoc> {
    checkDocName(docName);
    return this.db.transaction(
      async (tx) => {
        const [snap] = await tx
          .select({ state: docSnapshots.state, lastUpdateId: docSnapshots.lastUpdateId })
          .from(docSnapshots)
          .where(eq(docSnapshots.docName, docName));
        const rows = await tx
          .select({ update: docUpdates.update })
          .from(docUpdates)
          .where(
            snap
              ? and(eq(docUpdates.docName, docName), gt(docUpdates.id, snap.lastUpdateId))
              : eq(docUpdates.docName, docName),
          )
          .orderBy(asc(docUpdates.id));
        return { snapshot: snap?.state ?? null, updates: rows.map((r) => r.update) };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}

function checkDocName(docName: string): void {
  if (typeof docName !== 'string' || docName.length === 0) {
    throw new TypeError('DocLog: the document name must be a non-empty string');
  }
}
