/**
 * Videos and their annotation sessions: the ingest lifecycle (`createIngesting` →
 * `updateProgress`… → `finishIngest`, or `deleteIngesting` when it fails or is abandoned) and
 * the library (list, rename, delete with every document of the session).
 */
import { and, count, desc, eq, inArray, like, lt, or, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { MaskroomError, isIdString, mainDocName, parseDocName } from '@maskroom/shared';
import type { SessionId, UserId, VideoId } from '@maskroom/shared';
import type { DB } from './client.js';
import { DocLog } from './DocLog.js';
import { mapErrors } from './errors.js';
import { docSnapshots, docUpdates, sessions, videos } from './schema.js';
import type { IngestPhase, VideoStatus } from './schema.js';

/** What ffprobe/ffmpeg found; every field is known once a video is ready. */
export interface VideoMeta {
  readonly width: number;
  readonly height: number;
  readonly numFrames: number;
  readonly sourceFps: number;
  readonly processingFps: number;
  readonly durationSec: number;
  /** Rotation metadata of the source in degrees (frames are extracted upright). */
  readonly rotation: number;
  readonly codec: string;
  readonly container: string;
  readonly vfr: boolean;
  /** Size of the uploaded file. */
  readonly sourceBytes: number;
  /** Total size of the extracted frames. */
  readonly framesBytes: number;
}

interface VideoBase {
  readonly id: VideoId;
  readonly title: string;
  readonly originalName: string;
  readonly phase: IngestPhase;
  readonly framesDone: number;
  readonly framesTotal: number | null;
  readonly bytesReceived: number;
  readonly createdBy: UserId;
  /** The server instance that ran (or runs) the ingest. */
  readonly instanceId: string;
  readonly uploadId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
export interface IngestingVideo extends VideoBase {
  readonly status: 'ingesting';
  /** Whatever probing has found so far is not exposed: only a ready video has metadata. */
  readonly meta: null;
}
export interface ReadyVideo extends VideoBase {
  readonly status: 'ready';
  readonly phase: 'ready';
  readonly meta: VideoMeta;
}
export type VideoRecord = IngestingVideo | ReadyVideo;

export interface SessionRecord {
  readonly id: SessionId;
  readonly videoId: VideoId;
  readonly createdBy: UserId;
  readonly createdAt: Date;
}

export interface NewIngest {
  readonly id: VideoId;
  readonly title: string;
  readonly originalName: string;
  readonly createdBy: UserId;
  readonly instanceId: string;
  /** The client's own id for this upload (an id string); `CONFLICT` if already used. */
  readonly uploadId?: string;
}

export interface IngestProgress {
  /** Any phase before `ready` (which only `finishIngest` sets). */
  readonly phase: Exclude<IngestPhase, 'ready'>;
  readonly framesDone?: number;
  readonly framesTotal?: number | null;
  readonly bytesReceived?: number;
}

export interface StorageTotals {
  /** Every video row, ingesting ones included. */
  readonly videos: number;
  readonly sourceBytes: number;
  readonly framesBytes: number;
}

type VideoRow = typeof videos.$inferSelect;
type SessionRow = typeof sessions.$inferSelect;

export class VideoStore {
  constructor(private readonly db: DB) {}

  /** Records a new upload (status `ingesting`, phase `uploading`). `CONFLICT` if the id exists. */
  async createIngesting(input: NewIngest): Promise<IngestingVideo> {
    checkId(input.id, 'video id');
    if (input.uploadId !== undefined) checkId(input.uploadId, 'upload id');
    return mapErrors('create video', async () => {
      const [row] = await this.db
        .insert(videos)
        .values({
          id: input.id,
          title: input.title,
          originalName: input.originalName,
          createdBy: input.createdBy,
          instanceId: input.instanceId,
          uploadId: input.uploadId ?? null,
          status: 'ingesting',
          phase: 'uploading',
        })
        .returning();
      return toVideo(must(row)) as IngestingVideo;
    });
  }

  /**
   * Updates the progress of an ingesting video and bumps `updated_at` (which the stale sweep
   * reads). `NOT_FOUND` if there is no such video, `CONFLICT` if it is already ready.
   */
  async updateProgress(id: VideoId, progress: IngestProgress): Promise<IngestingVideo> {
    const set: PgUpdateSetSource<typeof videos> = { phase: progress.phase, updatedAt: sql`now()` };
    if (progress.framesDone !== undefined) set.framesDone = progress.framesDone;
    if (progress.framesTotal !== undefined) set.framesTotal = progress.framesTotal;
    if (progress.bytesReceived !== undefined) set.bytesReceived = progress.bytesReceived;
    return mapErrors('update ingest progress', async () => {
      const [row] = await this.db
        .update(videos)
        .set(set)
        .where(and(eq(videos.id, id), eq(videos.status, 'ingesting')))
        .returning();
      if (row) return toVideo(row) as IngestingVideo;
      throw (await this.get(id)) === null ? notFound(id) : notIngesting(id);
    });
  }

  /**
   * In one transaction: the video becomes ready with its metadata, its session is created and
   * the session's initial main-document update is appended to the log. Nothing is written when
   * any step fails (`NOT_FOUND`: no such video, e.g. swept; `CONFLICT`: already ready, or the
   * session id is taken).
   */
  async finishIngest(
    id: VideoId,
    meta: VideoMeta,
    session: { readonly id: SessionId; readonly createdBy: UserId },
    initialDoc: { readonly name: string; readonly update: Uint8Array },
  ): Promise<{ video: ReadyVideo; session: SessionRecord }> {
    checkId(session.id, 'session id');
    const parsed = parseDocName(initialDoc.name);
    if (parsed === null || parsed.sessionId !== session.id) {
      throw new MaskroomError(
        'INTERNAL',
        `finishIngest: document ${JSON.stringify(initialDoc.name)} does not belong to session ${session.id}`,
      );
    }
    return mapErrors('finish ingest', () =>
      this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(videos)
          .set({
            status: 'ready',
            phase: 'ready',
            width: meta.width,
            height: meta.height,
            numFrames: meta.numFrames,
            sourceFps: meta.sourceFps,
            processingFps: meta.processingFps,
            durationSec: meta.durationSec,
            rotation: meta.rotation,
            codec: meta.codec,
            container: meta.container,
            vfr: meta.vfr,
            sourceBytes: meta.sourceBytes,
            framesBytes: meta.framesBytes,
            framesDone: meta.numFrames,
            framesTotal: meta.numFrames,
            updatedAt: sql`now()`,
          })
          .where(and(eq(videos.id, id), eq(videos.status, 'ingesting')))
          .returning();
        if (!row) {
          const [exists] = await tx.select({ id: videos.id }).from(videos).where(eq(videos.id, id));
          throw exists ? notIngesting(id) : notFound(id);
        }
        const [sessionRow] = await tx
          .insert(sessions)
          .values({ id: session.id, videoId: id, createdBy: session.createdBy })
          .returning();
        await new DocLog(tx).append(initialDoc.name, initialDoc.update);
        return { video: toVideo(row) as ReadyVideo, session: toSession(must(sessionRow)) };
      }),
    );
  }

  async get(id: VideoId): Promise<VideoRecord | null> {
    const [row] = await this.db.select().from(videos).where(eq(videos.id, id));
    return row ? toVideo(row) : null;
  }

  /** The video a client's upload created, found by the client's upload id. */
  async getByUploadId(uploadId: string): Promise<VideoRecord | null> {
    if (!isIdString(uploadId)) return null;
    const [row] = await this.db.select().from(videos).where(eq(videos.uploadId, uploadId));
    return row ? toVideo(row) : null;
  }

  /** Every video, newest first (optionally only those with `status`). */
  async list(filter: { status?: VideoStatus } = {}): Promise<VideoRecord[]> {
    const rows = await this.db
      .select()
      .from(videos)
      .where(filter.status === undefined ? undefined : eq(videos.status, filter.status))
      .orderBy(desc(videos.createdAt), desc(videos.id));
    return rows.map(toVideo);
  }

  /** Sets the title (and `updated_at`). `NOT_FOUND` if there is no such video. */
  async rename(id: VideoId, title: string): Promise<VideoRecord> {
    const [row] = await this.db
      .update(videos)
      .set({ title, updatedAt: sql`now()` })
      .where(eq(videos.id, id))
      .returning();
    if (!row) throw notFound(id);
    return toVideo(row);
  }

  async getSession(sessionId: SessionId): Promise<SessionRecord | null> {
    const [row] = await this.db.select().from(sessions).where(eq(sessions.id, sessionId));
    return row ? toSession(row) : null;
  }

  async sessionOfVideo(videoId: VideoId): Promise<SessionRecord | null> {
    const [row] = await this.db.select().from(sessions).where(eq(sessions.videoId, videoId));
    return row ? toSession(row) : null;
  }

  /** The session of each of `videoIds` that has one (ready videos), in one query. */
  async sessionIdsOf(videoIds: readonly VideoId[]): Promise<Map<VideoId, SessionId>> {
    if (videoIds.length === 0) return new Map();
    const rows = await this.db
      .select({ id: sessions.id, videoId: sessions.videoId })
      .from(sessions)
      .where(inArray(sessions.videoId, [...videoIds]));
    return new Map(rows.map((r) => [r.videoId as VideoId, r.id as SessionId]));
  }

  /**
   * Deletes a video with its session and every document of that session (`session/<sid>` and
   * `session/<sid>/masks/<k>`: log rows and snapshots), in one transaction. Returns the deleted
   * session's id (so the caller can evict open documents), or null when there was no session.
   * Deleting a missing video is not an error.
   */
  async delete(id: VideoId): Promise<SessionId | null> {
    return this.db.transaction(async (tx) => {
      // Lock the video row first: a concurrent finishIngest either committed (and its session
      // is seen below) or has not started (and will find no video).
      const [video] = await tx.select({ id: videos.id }).from(videos).where(eq(videos.id, id)).for('update');
      if (!video) return null;
      const [session] = await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.videoId, id));
      if (session) {
        const sid = session.id as SessionId;
        await tx.delete(docUpdates).where(sessionDocs(docUpdates.docName, sid));
        await tx.delete(docSnapshots).where(sessionDocs(docSnapshots.docName, sid));
        await tx.delete(sessions).where(eq(sessions.id, sid));
      }
      await tx.delete(videos).where(eq(videos.id, id));
      return session ? (session.id as SessionId) : null;
    });
  }

  /** Ingesting videos whose progress was last updated before `updatedBefore`, oldest first. */
  async staleIngests(updatedBefore: Date): Promise<IngestingVideo[]> {
    const rows = await this.db
      .select()
      .from(videos)
      .where(and(eq(videos.status, 'ingesting'), lt(videos.updatedAt, updatedBefore)))
      .orderBy(videos.updatedAt);
    return rows.map((r) => toVideo(r) as IngestingVideo);
  }

  /**
   * Deletes a video only while it is still ingesting (and, with `updatedBefore`, only if it has
   * made no progress since), so a sweep cannot remove a video that just became ready or moved
   * on. Returns whether a row was deleted.
   */
  async deleteIngesting(id: VideoId, opts: { updatedBefore?: Date } = {}): Promise<boolean> {
    const conditions = [eq(videos.id, id), eq(videos.status, 'ingesting')];
    if (opts.updatedBefore !== undefined) conditions.push(lt(videos.updatedAt, opts.updatedBefore));
    const rows = await this.db
      .delete(videos)
      .where(and(...conditions))
      .returning({ id: videos.id });
    return rows.length > 0;
  }

  async totals(): Promise<StorageTotals> {
    const [row] = await this.db
      .select({
        videos: count(),
        sourceBytes: sql<number>`coalesce(sum(${videos.sourceBytes}), 0)`.mapWith(Number),
        framesBytes: sql<number>`coalesce(sum(${videos.framesBytes}), 0)`.mapWith(Number),
      })
      .from(videos);
    return row ?? { videos: 0, sourceBytes: 0, framesBytes: 0 };
  }
}

/** `doc_name` is the session's main doc or one of its mask chunks (never another session's). */
function sessionDocs(column: typeof docUpdates.docName | typeof docSnapshots.docName, sid: SessionId): SQL {
  const main = mainDocName(sid);
  const chunks = `${escapeLike(main)}/masks/%`;
  return or(eq(column, main), like(column, chunks)) as SQL;
}

/** Escapes LIKE's wildcards (`%`, `_`) and its escape character (`\`, PostgreSQL's default). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function checkId(id: string, what: string): void {
  if (!isIdString(id))
    throw new MaskroomError('INVALID_REQUEST', `not a valid ${what}: ${JSON.stringify(id)}`);
}

function must<T>(row: T | undefined): T {
  if (row === undefined) throw new Error('expected a row to be returned');
  return row;
}

const notFound = (id: VideoId) => new MaskroomError('NOT_FOUND', `no video ${id}`);
const notIngesting = (id: VideoId) => new MaskroomError('CONFLICT', `video ${id} is not ingesting any more`);

function toVideo(row: VideoRow): VideoRecord {
  const base: VideoBase = {
    id: row.id as VideoId,
    title: row.title,
    originalName: row.originalName,
    phase: row.phase,
    framesDone: row.framesDone,
    framesTotal: row.framesTotal,
    bytesReceived: row.bytesReceived,
    createdBy: row.createdBy as UserId,
    instanceId: row.instanceId,
    uploadId: row.uploadId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.status === 'ingesting') return { ...base, status: 'ingesting', meta: null };
  const meta: VideoMeta = {
    width: need(row.width),
    height: need(row.height),
    numFrames: need(row.numFrames),
    sourceFps: need(row.sourceFps),
    processingFps: need(row.processingFps),
    durationSec: need(row.durationSec),
    rotation: need(row.rotation),
    codec: need(row.codec),
    container: need(row.container),
    vfr: need(row.vfr),
    sourceBytes: need(row.sourceBytes),
    framesBytes: need(row.framesBytes),
  };
  return { ...base, status: 'ready', phase: 'ready', meta };
}

function need<T>(value: T | null): T {
  if (value === null) throw new Error('a ready video lacks metadata');
  return value;
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id as SessionId,
    videoId: row.videoId as VideoId,
    createdBy: row.createdBy as UserId,
    createdAt: row.createdAt,
  };
}
