import { Router, type Response } from 'express';
import { MaskroomError, exportZip, type SessionId } from '@maskroom/shared';
import type { SessionAccess } from '../auth/SessionAccess.js';
import type { SessionDocs } from '../collab/SessionDocs.js';
import type { VideoStore } from '../db/index.js';
import { attachmentHeader, exportOptionsFromParams } from '../export/options.js';
import { frameImagesOf, liveDocStates, loadExportSource } from '../export/sessionSource.js';
import type { Logger } from '../log.js';
import type { Histogram } from '../metrics/registry.js';
import type { DataDir } from '../storage/DataDir.js';
import { pathId } from './validate.js';

export interface ExportRoutesDeps {
  readonly access: SessionAccess;
  readonly docs: SessionDocs;
  readonly store: VideoStore;
  readonly dataDir: DataDir;
  readonly log: Logger;
  /** Export durations, by outcome (`ok`, `aborted`: the client went away, `failed`). */
  readonly metrics?: { readonly exportSeconds: Pick<Histogram, 'startTimer'> };
}

/**
 * `GET /api/sessions/:id/export?formats=coco,yolo&start=0&end=30&images=1&approved=1`: the
 * session as a ZIP, built by the same shared builders as the browser's export and streamed as it
 * is made (memory stays about one frame's worth plus the socket's buffer; a slow client slows the
 * build down rather than piling it up). Every role may export.
 */
export function exportRoutes(deps: ExportRoutesDeps): Router {
  const router = Router();

  router.get('/sessions/:id/export', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await deps.access.require(req.caller, session, 'export');
    const record = await deps.store.getSession(session);
    if (!record) throw new MaskroomError('NOT_FOUND', 'no such session');
    const video = await deps.store.get(record.videoId);
    if (!video || video.status !== 'ready') throw new MaskroomError('NOT_FOUND', 'no such session');
    const numFrames = video.meta.numFrames;
    const options = exportOptionsFromParams(req.query, numFrames);
    const source = await loadExportSource(
      liveDocStates(deps.docs),
      session,
      options.includeImages ? frameImagesOf(deps.dataDir, record.videoId) : undefined,
    );

    // From here on the answer is a stream: a failure can only cut it short, which the client sees
    // as a truncated ZIP (no central directory), never as a valid partial export.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    res.status(200);
    res.set({
      'Content-Type': 'application/zip',
      'Content-Disposition': attachmentHeader(source.meta.title || video.title),
      'Cache-Control': 'no-store',
    });
    const timed = deps.metrics?.exportSeconds.startTimer();
    try {
      await exportZip(
        source,
        options,
        async (chunk, final) => {
          if (abort.signal.aborted) return;
          if (chunk.length > 0 && !res.write(chunk)) await drained(res);
          if (final) res.end();
        },
        { signal: abort.signal },
      );
      timed?.({ outcome: abort.signal.aborted ? 'aborted' : 'ok' });
    } catch (error) {
      timed?.({ outcome: abort.signal.aborted ? 'aborted' : 'failed' });
      if (abort.signal.aborted) return;
      deps.log.error('export failed mid-stream', { requestId: req.requestId, session, err: error });
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });

  return router;
}

/** Resolves when the socket takes more, or is gone (then nothing more will be written). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
