import { Router, type Request, type Response } from 'express';
import {
  MaskroomError,
  UPLOAD_ID_HEADER,
  isIdString,
  renameVideoBodySchema,
  type SessionId,
  type StorageStatus,
  type VideoId,
} from '@maskroom/shared';
import type { Caller } from '../auth/AuthService.js';
import { requireCaller } from '../auth/caller.js';
import type { SessionAccess } from '../auth/SessionAccess.js';
import type { VideoStore } from '../db/index.js';
import type { DataDir } from '../storage/DataDir.js';
import { presentSession, presentVideo } from '../videos/present.js';
import { parseBody, pathId } from './validate.js';
import type { VideoService } from '../videos/VideoService.js';

export interface VideoRoutesDeps {
  readonly store: VideoStore;
  readonly service: VideoService;
  readonly dataDir: DataDir;
  readonly maxUploadBytes: number;
  /** Who may see and change which video (DESIGN §7). */
  readonly access: SessionAccess;
  /** The sessions an account sees in its library (null: every session, local mode). */
  readonly visibleSessions: (caller: Caller) => Promise<ReadonlySet<SessionId> | null>;
}

/** Frames never change for a given video id, so clients may cache them forever. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** The video library, uploads and frames (DESIGN §6). */
export function videoRoutes(deps: VideoRoutesDeps): Router {
  const { store, service, dataDir } = deps;
  const router = Router();
  /**
   * What never changes about a ready video (its uploader and frame count), for the frame route:
   * frames are requested far more than videos, and the role check needs only these.
   */
  const readyVideos = new Map<
    VideoId,
    { readonly id: VideoId; readonly createdBy: string; readonly numFrames: number }
  >();
  const readyVideo = async (req: Request, id: VideoId) => {
    const known = readyVideos.get(id);
    if (known) return known;
    const video = await requireVideo(store, id, req);
    if (!video.meta) return video;
    const facts = { id, createdBy: video.createdBy, numFrames: video.meta.numFrames };
    readyVideos.set(id, facts);
    return facts;
  };

  router.post('/videos', async (req, res) => {
    const caller = deps.access.requireUploader(req.caller);
    if (!req.is('multipart/form-data')) {
      throw new MaskroomError(
        'INVALID_REQUEST',
        'upload the video as multipart/form-data with a part named "file"',
      );
    }
    const declared = Number(req.get('content-length'));
    // Refuse before reading a byte when the client says up front that it is too large.
    if (Number.isFinite(declared) && declared > deps.maxUploadBytes + 64 * 1024) {
      closeAfterResponse(req, res);
      throw new MaskroomError(
        'FILE_TOO_LARGE',
        `the file is larger than the limit of ${Math.round(deps.maxUploadBytes / 2 ** 20)} MB`,
      );
    }
    const uploadId = req.get(UPLOAD_ID_HEADER);
    if (uploadId !== undefined && !isIdString(uploadId)) {
      throw new MaskroomError(
        'INVALID_REQUEST',
        `${UPLOAD_ID_HEADER} must be 1-64 characters of A-Z a-z 0-9 _ -`,
      );
    }
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    try {
      const { video, session } = await service.ingestUpload({
        req,
        createdBy: caller.user.id,
        signal: gone.signal,
        ...(uploadId === undefined ? {} : { uploadId }),
      });
      res.status(201).json({ video: presentVideo(video, session.id), session: presentSession(session) });
    } catch (error) {
      // The rest of the body was not read: close the connection rather than drain it.
      if (!req.complete) closeAfterResponse(req, res);
      throw error;
    }
  });

  router.get('/videos', async (req, res) => {
    const caller = requireCaller(req);
    const all = await store.list();
    const sessions = await store.sessionIdsOf(all.map((v) => v.id));
    const visible = await deps.visibleSessions(caller);
    const videos = all.filter((v) => {
      if (visible === null) return true;
      const session = sessions.get(v.id);
      return v.createdBy === caller.user.id || (session !== undefined && visible.has(session));
    });
    res.json({ videos: videos.map((v) => presentVideo(v, sessions.get(v.id) ?? null)) });
  });

  router.get('/videos/:id', async (req, res) => {
    const video = await requireVideo(store, req.params.id, req);
    await deps.access.requireVideo(req.caller, video, 'view');
    const session = await store.sessionOfVideo(video.id);
    res.json(presentVideo(video, session?.id ?? null));
  });

  router.get('/uploads/:uploadId', async (req, res) => {
    const caller = requireCaller(req);
    const found = await store.getByUploadId(req.params.uploadId);
    // Only its uploader follows an upload.
    const video = found && (caller.kind === 'local' || found.createdBy === caller.user.id) ? found : null;
    if (!video)
      throw new MaskroomError('NOT_FOUND', 'no upload with that id (it may have failed or not started yet)');
    const session = await store.sessionOfVideo(video.id);
    res.json(presentVideo(video, session?.id ?? null));
  });

  router.patch('/videos/:id', async (req, res) => {
    const id = parseVideoId(req.params.id);
    await deps.access.requireVideo(req.caller, await requireVideo(store, id, req), 'manage');
    const { title } = parseBody(renameVideoBodySchema, req.body);
    const video = await store.rename(id, title);
    const session = await store.sessionOfVideo(id);
    res.json(presentVideo(video, session?.id ?? null));
  });

  router.delete('/videos/:id', async (req, res) => {
    requireCaller(req);
    const id = parseVideoId(req.params.id);
    const existing = await store.get(id);
    // Deleting is idempotent for its owner; nobody else learns whether it existed.
    if (existing) await deps.access.requireVideo(req.caller, existing, 'manage');
    else requireCaller(req);
    readyVideos.delete(id);
    await service.delete(id);
    res.status(204).end();
  });

  router.get('/videos/:id/frames/:index.jpg', async (req, res) => {
    requireCaller(req);
    const id = parseVideoId(req.params.id);
    const raw = req.params.index;
    if (!/^\d{1,9}$/.test(raw)) throw new MaskroomError('FRAME_OUT_OF_RANGE', `not a frame index: ${raw}`);
    const index = Number(raw);
    const video = await readyVideo(req, id);
    await deps.access.requireVideo(req.caller, video, 'view');
    if (!('numFrames' in video)) throw new MaskroomError('NOT_FOUND', 'the video is still being ingested');
    if (index >= video.numFrames) {
      throw new MaskroomError('FRAME_OUT_OF_RANGE', `frame ${index} is outside [0, ${video.numFrames})`);
    }
    await sendImmutable(req, res, dataDir.framePath(id, index), `"${id}.${index}"`);
  });

  router.get('/videos/:id/thumbnail.jpg', async (req, res) => {
    const video = await requireVideo(store, req.params.id, req);
    await deps.access.requireVideo(req.caller, video, 'view');
    if (!video.meta) throw new MaskroomError('NOT_FOUND', 'the video is still being ingested');
    await sendImmutable(req, res, dataDir.thumbnailPath(video.id), `"${video.id}.thumb"`);
  });

  router.get('/storage', async (req, res) => {
    deps.access.requireUploader(req.caller);
    const totals = await store.totals();
    const disk = await dataDir.diskSpace();
    const body: StorageStatus = {
      videos: totals.videos,
      usedBytes: totals.sourceBytes + totals.framesBytes,
      freeBytes: disk.freeBytes,
      totalBytes: disk.totalBytes,
    };
    res.json(body);
  });

  return router;
}

const parseVideoId = (raw: string): VideoId => pathId(raw, 'video');

/** The video of a route; who is asking is checked first, so strangers cannot probe which ids exist. */
async function requireVideo(store: VideoStore, raw: string, req: Request) {
  requireCaller(req);
  const video = await store.get(parseVideoId(raw));
  if (!video) throw new MaskroomError('NOT_FOUND', 'no such video');
  return video;
}

async function sendImmutable(req: Request, res: Response, file: string, etag: string): Promise<void> {
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', IMMUTABLE);
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    res.sendFile(file, { etag: false, lastModified: false, cacheControl: false, dotfiles: 'deny' }, (err) => {
      if (!err) resolve();
      else if ((err as { code?: string }).code === 'ENOENT')
        reject(new MaskroomError('NOT_FOUND', 'the file is gone'));
      else reject(err);
    });
  });
}

/** Ends the connection once the response is out, so an unread request body is not drained. */
function closeAfterResponse(req: Request, res: Response): void {
  res.setHeader('Connection', 'close');
  res.once('finish', () => setTimeout(() => req.destroy(), 1000).unref());
}
