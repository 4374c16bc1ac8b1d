/**
 * The durable Yjs update log (DESIGN §4): `append` commits an update before it is acknowledged;
 * `load` returns the document's snapshot (if compacted) and every update not yet merged into it;
 * `compact` merges them into a new snapshot.
 *
 * Why "not yet merged" and not "id > last_update_id": on PostgreSQL, concurrent appends can
 * commit out of id order, so a row with a smaller id may become visible after a compaction read a
 * larger one. Compaction therefore deletes exactly the rows it merged (by id), in the same
 * transaction as the snapshot it wrote, and a load applies every row that is left. Yjs updates
 * are idempotent, so a row applied twice is harmless.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { DB } from './client.js';
import { mapErrors } from './errors.js';
import { docSnapshots, docUpdates } from './schema.js';

export interface LoadedDoc {
  /** Merged state of every compacted update; null before the first compaction. */
  readonly snapshot: Uint8Array | null;
  /** The updates not merged into the snapshot, in id order. */
  readonly updates: Uint8Array[];
}

export interface CompactionResult {
  /** Log rows merged into the snapshot (and deleted). */
  readonly merged: number;
  readonly snapshotBytes: number;
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
          .where(eq(docUpdates.docName, docName))
          .orderBy(asc(docUpdates.id));
        return { snapshot: snap?.state ?? null, updates: rows.map((r) => r.update) };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  /** Rows waiting to be compacted, and their bytes. */
  async pending(docName: string): Promise<{ rows: number; bytes: number }> {
    const [row] = await this.db
      .select({
        rows: sql<number>`count(*)::int`,
        bytes: sql<number>`coalesce(sum(octet_length(${docUpdates.update})), 0)::bigint`,
      })
      .from(docUpdates)
      .where(eq(docUpdates.docName, docName));
    return { rows: Number(row?.rows ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  /**
   * Merges the snapshot and every log row of `docName` into a new snapshot and deletes the merged
   * rows, in one transaction under a per-document advisory lock (so two compactors, on one
   * instance or several, never interleave). Appends may continue meanwhile: rows committed after
   * the read stay in the log.
   */
  async compact(docName: string): Promise<CompactionResult> {
    checkDocName(docName);
    return mapErrors('compact document', () =>
      this.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'maskroom.doc:' + docName}))`);
        const [snap] = await tx
          .select({ state: docSnapshots.state })
          .from(docSnapshots)
          .where(eq(docSnapshots.docName, docName));
        const rows = await tx
          .select({ id: docUpdates.id, update: docUpdates.update })
          .from(docUpdates)
          .where(eq(docUpdates.docName, docName))
          .orderBy(asc(docUpdates.id));
        if (rows.length === 0) return { merged: 0, snapshotBytes: snap?.state.length ?? 0 };
        const state = mergeSkippingBroken([...(snap ? [snap.state] : []), ...rows.map((r) => r.update)]);
        const lastUpdateId = rows[rows.length - 1]!.id;
        await tx
          .insert(docSnapshots)
          .values({ docName, state, lastUpdateId })
          .onConflictDoUpdate({
            target: docSnapshots.docName,
            set: { state, lastUpdateId, updatedAt: sql`now()` },
          });
        const ids = rows.map((r) => r.id);
        for (let i = 0; i < ids.length; i += 1000) {
          await tx.delete(docUpdates).where(inArray(docUpdates.id, ids.slice(i, i + 1000)));
        }
        return { merged: rows.length, snapshotBytes: state.length };
      }),
    );
  }
}

/**
 * The merged state of `updates`. Applied through a Y.Doc rather than `Y.mergeUpdates`, so that
 * the result is garbage-collected (deleted content dropped) like a live document's.
 */
function mergeSkippingBroken(updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  for (const u of updates) {
    try {
      Y.applyUpdate(doc, u);
    } catch {
      // A row that does not decode cannot become part of any state; it was never applied live.
    }
  }
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

function checkDocName(docName: string): void {
  if (typeof docName !== 'string' || docName.length === 0) {
    throw new TypeError('DocLog: the document name must be a non-empty string');
  }
}
