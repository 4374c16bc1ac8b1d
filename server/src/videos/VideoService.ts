/**
 * Videos from upload to deletion. An ingest lives in `<data>/tmp/<id>` and a database row in
 * status `ingesting` until everything succeeded; then the folder is renamed into place and the
 * row, its session and the session's first document update are committed in one transaction.
 * Any failure removes the folder and the row, so nothing half-ingested is left behind; a crash
 * leaves a stale row and folder that `sweep()` removes.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import * as Y from 'yjs';
import {
  MaskroomError,
  initMainDoc,
  mainDocName,
  type SessionId,
  type UserId,
  type VideoId,
} from '@maskroom/shared';
import type { IngestConfig } from '../config.js';
import type { VideoRecord, VideoStore, SessionRecord } from '../db/index.js';
import { receiveUpload } from '../http/upload.js';
import { newId } from '../ids.js';
import { IngestQueue, ingestVideo, type FfmpegTools } from '../ingest/index.js';
import type { Logger } from '../log.js';
import type { DataDir } from '../storage/DataDir.js';
import type { Histogram } from '../metrics/registry.js';

/** Progress is written to the database at most this often (others read it from there). */
const PROGRESS_INTERVAL_MS = 500;
/** An ingest whose row has not moved for this long belongs to a dead process. */
export const STALE_INGEST_MS = 2 * 60_000;

export interface UploadRequest {
  readonly req: IncomingMessage;
  readonly createdBy: UserId;
  readonly uploadId?: string;
  /** Aborts the ingest (the client went away). */
  readonly signal: AbortSignal;
}

export interface VideoServiceDeps {
  readonly store: VideoStore;
  readonly dataDir: DataDir;
  readonly tools: FfmpegTools;
  readonly config: IngestConfig;
  readonly instanceId: string;
  readonly log: Logger;
  /** Called after a session's rows are deleted, to close its open documents. */
  readonly onSessionDeleted?: (session: SessionId) => void;
  /** Ingest durations, by outcome (`ok` or the error code). */
  readonly metrics?: { readonly ingestSeconds: Pick<Histogram, 'startTimer'> };
}

export class VideoService {
  readonly queue: IngestQueue;

  constructor(private readonly deps: VideoServiceDeps) {
    this.queue = new IngestQueue({ concurrency: deps.config.concurrency });
  }

  /** Receives an upload and ingests it; resolves with the ready video and its session. */
  async ingestUpload(upload: UploadRequest): Promise<{ video: VideoRecord; session: SessionRecord }> {
    const { store, dataDir, config, log } = this.deps;
    const id = newId<VideoId>('vid');
    const tmp = dataDir.tmpDir(id);
    const source = path.join(tmp, 'source');
    const ilog = log.child({ videoId: id });
    let created = false;
    const progress = throttledProgress(store, id, ilog);
    const timed = this.deps.metrics?.ingestSeconds.startTimer();

    try {
      await mkdir(tmp, { recursive: true });
      const received = await receiveUpload(upload.req, {
        dest: source,
        maxBytes: config.maxUploadBytes,
        signal: upload.signal,
        onFile: async (originalName) => {
          await store.createIngesting({
            id,
            title: titleFrom(originalName),
            originalName,
            createdBy: upload.createdBy,
            instanceId: this.deps.instanceId,
            ...(upload.uploadId === undefined ? {} : { uploadId: upload.uploadId }),
          });
          created = true;
        },
        onBytes: (bytes) => progress.set({ phase: 'uploading', bytesReceived: bytes }),
      });
      await progress.flush();
      if (received.title !== undefined) await store.rename(id, received.title);
      ilog.info('upload received', { bytes: received.bytes, originalName: received.originalName });

      await store.updateProgress(id, { phase: 'probing' });
      const result = await ingestVideo(this.deps.tools, source, {
        limits: {
          maxDurationSec: config.maxDurationSec,
          maxWidth: config.maxDimension,
          maxHeight: config.maxDimension,
        },
        maxFrames: config.maxFrames,
        framesDir: path.join(tmp, 'frames'),
        thumbnailFile: path.join(tmp, 'thumb.jpg'),
        queue: this.queue,
        signal: upload.signal,
        log: ilog,
        onProbed: async (_probe, plan) => {
          await store.updateProgress(id, { phase: 'probing', framesTotal: plan.expectedFrames });
        },
        onExtracting: () => progress.set({ phase: 'extracting' }),
        onProgress: (framesDone, framesTotal) =>
          progress.set({ phase: 'extracting', framesDone, framesTotal }),
      });
      await progress.flush();
      await store.updateProgress(id, {
        phase: 'finalizing',
        framesDone: result.numFrames,
        framesTotal: result.numFrames,
      });

      const { probe, plan } = result;
      const title = received.title ?? titleFrom(received.originalName);
      const sessionId = newId<SessionId>('ses');
      const doc = new Y.Doc();
      initMainDoc(doc, {
        videoId: id,
        title,
        width: probe.width,
        height: probe.height,
        numFrames: result.numFrames,
        fps: plan.processingFps,
        sourceFps: probe.sourceFps,
        durationSec: probe.durationSec,
      });
      const initialDoc = { name: mainDocName(sessionId), update: Y.encodeStateAsUpdate(doc) };
      doc.destroy();

      // The folder moves into place first: a crash before the commit leaves a stale row whose
      // sweep removes videos/<id> too.
      await rename(tmp, dataDir.videoDir(id));
      const done = await store.finishIngest(
        id,
        {
          width: probe.width,
          height: probe.height,
          numFrames: result.numFrames,
          sourceFps: probe.sourceFps,
          processingFps: plan.processingFps,
          durationSec: probe.durationSec,
          rotation: probe.rotation,
          codec: probe.codec,
          container: probe.container,
          vfr: probe.vfr,
          sourceBytes: received.bytes,
          framesBytes: result.framesBytes,
        },
        { id: sessionId, createdBy: upload.createdBy },
        initialDoc,
      );
      ilog.info('video ready', { sessionId, numFrames: result.numFrames });
      timed?.({ outcome: 'ok' });
      return done;
    } catch (error) {
      progress.stop();
      await progress.settled();
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      await rm(dataDir.videoDir(id), { recursive: true, force: true }).catch(() => undefined);
      if (created)
        await store
          .deleteIngesting(id)
          .catch((e: unknown) => ilog.error('could not remove a failed ingest', { err: e }));
      const known =
        error instanceof MaskroomError
          ? error
          : new MaskroomError('INGEST_FAILED', 'the video could not be ingested', { cause: error });
      timed?.({ outcome: known.code });
      (known.code === 'INTERNAL' || known.code === 'INGEST_FAILED' ? ilog.error : ilog.info)(
        'ingest failed',
        {
          code: known.code,
          message: known.message,
          err: error,
        },
      );
      throw known;
    } finally {
      progress.stop();
    }
  }

  /**
   * Deletes a video: its rows and documents first (so nobody can open it any more), then its
   * files. Idempotent.
   */
  async delete(id: VideoId): Promise<void> {
    const session = await this.deps.store.delete(id);
    if (session) this.deps.onSessionDeleted?.(session);
    await this.deps.dataDir.removeVideo(id);
  }

  /**
   * Removes what dead ingests left behind: rows still `ingesting` that have not moved for
   * `STALE_INGEST_MS`, and folders under tmp/ without a live row.
   */
  async sweep(now = new Date()): Promise<number> {
    const { store, dataDir, log } = this.deps;
    const before = new Date(now.getTime() - STALE_INGEST_MS);
    let removed = 0;
    for (const video of await store.staleIngests(before)) {
      if (await store.deleteIngesting(video.id, { updatedBefore: before })) {
        await dataDir.removeVideo(video.id);
        removed++;
      }
    }
    for (const id of await dataDir.tmpVideoIds()) {
      const row = await store.get(id);
      if (row === null) {
        await dataDir.removeVideo(id);
        removed++;
      }
    }
    if (removed > 0) log.info('swept abandoned ingests', { removed });
    return removed;
  }
}

/** A title from a file name: without its extension, or "Untitled video". */
export function titleFrom(originalName: string): string {
  const stem = originalName.replace(/\.[A-Za-z0-9]{1,5}$/, '').trim();
  return (stem || 'Untitled video').slice(0, 200);
}

type Progress = Parameters<VideoStore['updateProgress']>[1];

/** Coalesces progress updates into at most one database write per interval. */
function throttledProgress(store: VideoStore, id: VideoId, log: Logger) {
  let pending: Progress | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;

  const write = (): void => {
    timer = undefined;
    if (!pending || stopped) return;
    const p = pending;
    pending = undefined;
    writing = writing
      .then(() => store.updateProgress(id, p))
      .then(
        () => undefined,
        (e: unknown) => log.warn('progress update failed', { err: e }),
      );
  };
  return {
    set(p: Progress): void {
      if (stopped) return;
      pending = { ...pending, ...p };
      timer ??= setTimeout(write, PROGRESS_INTERVAL_MS);
    },
    async flush(): Promise<void> {
      if (timer) clearTimeout(timer);
      write();
      await writing;
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    /** Resolves once no progress write is in flight. */
    settled(): Promise<void> {
      return writing;
    },
  };
}
