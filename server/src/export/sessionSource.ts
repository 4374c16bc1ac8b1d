/**
 * An `ExportSource` over one session's documents as the server holds them: the live documents
 * (the HTTP route) or the durable log (the command line, with no server running). Either way the
 * documents are copied into private `Y.Doc`s first, so an export reads one consistent state while
 * people keep editing, and the export builders never touch a document Hocuspocus serves.
 */
import { readFile } from 'node:fs/promises';
import * as Y from 'yjs';
import {
  MainDoc,
  MaskChunkDoc,
  MaskroomError,
  chunkCount,
  exportSourceFromDocs,
  mainDocName,
  maskChunkDocName,
  type ExportSource,
  type SessionId,
  type VideoId,
} from '@maskroom/shared';
import type { SessionDocs } from '../collab/SessionDocs.js';
import type { DocLog } from '../db/index.js';
import type { DataDir } from '../storage/DataDir.js';

/** A document's whole state as one update (empty when the document was never written). */
export type DocStateReader = (docName: string) => Promise<Uint8Array>;

/** States of the live documents (loaded from the log when no one has them open). */
export const liveDocStates =
  (docs: SessionDocs): DocStateReader =>
  (name) =>
    docs.read(name, (doc) => Y.encodeStateAsUpdate(doc));

/** States replayed from the log alone: snapshot, then every later row. */
export const loggedDocStates =
  (log: DocLog): DocStateReader =>
  async (name) => {
    const loaded = await log.load(name);
    const parts = loaded.snapshot ? [loaded.snapshot, ...loaded.updates] : loaded.updates;
    if (parts.length === 0) return Y.encodeStateAsUpdate(new Y.Doc());
    return parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
  };

/** Reads the session's frames from the data directory (only called when images are exported). */
export const frameImagesOf =
  (dataDir: DataDir, video: VideoId) =>
  async (frame: number): Promise<Uint8Array> => {
    try {
      return await readFile(dataDir.framePath(video, frame));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new MaskroomError('FRAME_OUT_OF_RANGE', `frame ${frame} is missing from the video's files`);
      throw error;
    }
  };

function docFrom(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/**
 * The session's main document and every mask chunk, read through `read`, as an export source.
 * `NOT_FOUND` when the main document has no meta (no such session, or one not ingested yet).
 */
export async function loadExportSource(
  read: DocStateReader,
  session: SessionId,
  frameImage?: (frame: number) => Promise<Uint8Array>,
): Promise<ExportSource> {
  const main = new MainDoc(docFrom(await read(mainDocName(session))));
  const meta = main.getMeta();
  if (!meta) throw new MaskroomError('NOT_FOUND', 'the session has no document to export');
  const states: Uint8Array[] = [];
  for (let k = 0; k < chunkCount(meta.numFrames); k++) states.push(await read(maskChunkDocName(session, k)));
  // The builders go frame by frame: decode one chunk at a time (a Y.Doc is several times its
  // encoded state) and let the previous one go.
  let current: MaskChunkDoc | null = null;
  const chunkAt = (k: number): MaskChunkDoc => {
    if (current?.chunk !== k) current = new MaskChunkDoc(docFrom(states[k] ?? new Uint8Array([0, 0])), k);
    return current;
  };
  return exportSourceFromDocs(main, chunkAt, ...(frameImage ? [frameImage] : []));
}
