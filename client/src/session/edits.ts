/**
 * The edits a participant makes straight in the session's documents (names, colors, deletes,
 * mask erasures), each one step of their own undo history. Prompts and propagations go through
 * the HTTP API instead: the server runs them on a worker.
 */
import type { FrameIndex, ObjectId, ObjectPatch } from '@maskroom/shared';
import { chunkIndexOf } from '@maskroom/shared';
import type { SessionConnection } from './connection.js';
import type { EditHistory } from './history.js';

export class SessionEdits {
  constructor(
    private readonly conn: SessionConnection,
    private readonly history: EditHistory,
  ) {}

  /** Renames or recolors an object (one undo step). */
  updateObject(objId: ObjectId, patch: ObjectPatch, label = 'Edit object'): void {
    const main = this.conn.main;
    if (!main.objects.has(objId)) return;
    this.history.edit(label, (origin) => main.objects.update(objId, patch, origin));
  }

  /**
   * Deletes an object with its prompts and every mask of it, as one undo step. Waits until every
   * mask chunk is synced: a chunk not yet received would keep masks of the deleted object.
   */
  async deleteObject(objId: ObjectId): Promise<boolean> {
    await this.conn.whenAllSynced();
    const main = this.conn.main;
    const record = main.objects.get(objId);
    if (!record) return false;
    const chunks = [...this.conn.chunks()];
    this.history.edit(`Delete ${record.instanceName || 'object'}`, (origin) => {
      main.objects.delete(objId, origin);
      for (const c of chunks) c.masks.deleteObjectMasks(objId, origin);
    });
    return true;
  }

  /** Erases one object's mask on one frame (one undo step). */
  eraseMask(frame: FrameIndex, objId: ObjectId): boolean {
    const chunk = this.conn.chunkOf(frame);
    if (chunk.index !== chunkIndexOf(frame) || !chunk.masks.getMask(frame, objId)) return false;
    this.history.edit(`Erase mask on frame ${frame}`, (origin) =>
      chunk.masks.deleteMask(frame, objId, origin),
    );
    return true;
  }
}
