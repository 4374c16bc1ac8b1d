/**
 * What an export reads. The browser and the server implement it over the session's Y.Docs
 * (`exportSourceFromDocs`); tests and benchmarks may implement it directly.
 */
import { chunkIndexOf } from '../doc/constants.js';
import type { MainDoc } from '../doc/MainDoc.js';
import type { MaskChunkDoc } from '../doc/MaskChunkDoc.js';
import type { MaskRecord, MetaRecord, ObjectRecord } from '../doc/records.js';
import type { FrameIndex, ObjectId } from '../ids.js';

export interface ExportSource {
  /** Width, height, numFrames, fps, title… */
  readonly meta: MetaRecord;
  readonly objects: ReadonlyMap<ObjectId, ObjectRecord>;
  masksOfFrame(frame: number): ReadonlyMap<ObjectId, MaskRecord>;
  /** JPEG bytes of a frame (only called when `includeImages`). */
  frameImage?(frame: number): Promise<Uint8Array>;
}

/**
 * An export source over a session's documents. Meta and objects are read once, now; masks are
 * read frame by frame from the chunk doc `chunks(k)` holding the frame (loading chunk docs is the
 * caller's business: `chunks` may load on demand and drop chunks already exported).
 *
 * @throws DocError `SCHEMA_MISSING` / `SCHEMA_INVALID` when the main doc has no readable meta.
 */
export function exportSourceFromDocs(
  main: MainDoc,
  chunks: (k: number) => MaskChunkDoc,
  frameImage?: (frame: number) => Promise<Uint8Array>,
): ExportSource {
  const meta = main.requireMeta();
  const objects = main.objects.list();
  return {
    meta,
    objects,
    masksOfFrame: (frame) => chunks(chunkIndexOf(frame, meta.chunkSize)).masksOfFrame(frame as FrameIndex),
    ...(frameImage === undefined ? {} : { frameImage }),
  };
}
