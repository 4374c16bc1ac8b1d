import * as Y from 'yjs';
import type { SessionDocs } from '../collab/SessionDocs.js';
import type { DocLog } from '../db/index.js';

/**
 * Makes durable whatever this instance holds of a document that the log lacks. An instance that
 * dies can have relayed a write of its own (through Redis) to the others before appending it to
 * the log: the others hold it in memory and their clients have it, but nobody will send it again,
 * and a takeover that rewrites the same content writes nothing (unchanged writes are skipped).
 * Returns whether anything was appended.
 */
export async function persistRelayed(docs: SessionDocs, log: DocLog, docName: string): Promise<boolean> {
  const loaded = await log.load(docName);
  const stored = new Y.Doc();
  try {
    if (loaded.snapshot) Y.applyUpdate(stored, loaded.snapshot);
    for (const u of loaded.updates) Y.applyUpdate(stored, u);
    const storedVector = Y.encodeStateVector(stored);
    const storedSnapshot = Y.snapshot(stored);
    const missing = await docs.read(docName, (doc) =>
      Y.equalSnapshots(Y.snapshot(doc), storedSnapshot) ? null : Y.encodeStateAsUpdate(doc, storedVector),
    );
    if (!missing) return false;
    await log.append(docName, missing);
    return true;
  } finally {
    stored.destroy();
  }
}
