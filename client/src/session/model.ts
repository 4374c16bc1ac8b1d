/**
 * What the workspace shows of a session, derived from its documents: meta, objects, prompts,
 * jobs, comments, and per-object frame coverage from every mask chunk. Views subscribe to one immutable
 * snapshot (React's `useSyncExternalStore`) and, for pixels, to the frames whose masks changed.
 */
import type {
  CommentId,
  CommentRecord,
  FrameIndex,
  JobId,
  JobRecord,
  MaskRecord,
  MetaRecord,
  ObjectId,
  ObjectRecord,
  PromptId,
  PromptRecord,
} from '@maskroom/shared';
import { CoverageIndex } from '../timeline/coverage.js';
import type { ChunkHandle, SessionConnection } from './connection.js';

export interface SessionSnapshot {
  readonly meta: MetaRecord | undefined;
  /** In creation order. */
  readonly objects: ReadonlyMap<ObjectId, ObjectRecord>;
  readonly prompts: ReadonlyMap<PromptId, PromptRecord>;
  readonly jobs: ReadonlyMap<JobId, JobRecord>;
  readonly comments: ReadonlyMap<CommentId, CommentRecord>;
  /** Bumped whenever any object's coverage changes. */
  readonly coverageVersion: number;
}

export class SessionModel {
  readonly coverage = new CoverageIndex();
  readonly #conn: SessionConnection;
  readonly #listeners = new Set<() => void>();
  readonly #maskListeners = new Set<(frames: ReadonlySet<number>) => void>();
  readonly #disposers: (() => void)[] = [];
  #snapshot: SessionSnapshot;
  #pendingFrames = new Set<number>();
  #flushScheduled = false;

  constructor(conn: SessionConnection) {
    this.#conn = conn;
    this.#snapshot = this.#read(0);
    const main = conn.main;
    const refresh = (): void => this.#emit();
    this.#disposers.push(
      main.observeMeta(refresh),
      main.objects.observe(refresh),
      main.prompts.observe(refresh),
      main.jobs.observe(refresh),
      main.comments.observe(refresh),
      conn.onChunk((c) => this.#watchChunk(c)),
    );
    for (const c of conn.chunks()) this.#watchChunk(c);
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  subscribe = (cb: () => void): (() => void) => {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  };

  getSnapshot = (): SessionSnapshot => this.#snapshot;

  /** Called (batched per animation frame) with the frames whose masks changed. */
  onMasks(cb: (frames: ReadonlySet<number>) => void): () => void {
    this.#maskListeners.add(cb);
    return () => this.#maskListeners.delete(cb);
  }

  /** Every mask of `frame` that is synced so far (its chunk is opened if it was not). */
  masksOfFrame(frame: FrameIndex): Map<ObjectId, MaskRecord> {
    return this.#conn.chunkOf(frame).masks.masksOfFrame(frame);
  }

  /** Whether the chunk holding `frame` has synced (so "no mask" means none, not "not yet"). */
  frameSynced(frame: FrameIndex): boolean {
    return this.#conn.chunkOf(frame).synced;
  }

  #watchChunk(chunk: ChunkHandle): void {
    this.#disposers.push(
      chunk.masks.observeMasks((changes) => {
        for (const c of changes) {
          if (c.action === 'delete') this.coverage.remove(c.objId, c.frame);
          else this.coverage.add(c.objId, c.frame);
          this.#pendingFrames.add(c.frame);
        }
        this.#scheduleFlush();
      }),
    );
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Propagation writes a frame at a time; one repaint per animation frame is enough.
    requestAnimationFrame(() => {
      this.#flushScheduled = false;
      const frames = this.#pendingFrames;
      this.#pendingFrames = new Set();
      for (const cb of this.#maskListeners) cb(frames);
      this.#emit();
    });
  }

  #emit(): void {
    this.#snapshot = this.#read(this.coverage.version);
    for (const cb of this.#listeners) cb();
  }

  #read(coverageVersion: number): SessionSnapshot {
    const main = this.#conn.main;
    const objects = [...main.objects.list()].sort(([, a], [, b]) => a.createdAt - b.createdAt);
    return {
      meta: main.getMeta(),
      objects: new Map(objects),
      prompts: main.prompts.list(),
      jobs: main.jobs.list(),
      comments: main.comments.list(),
      coverageVersion,
    };
  }

  destroy(): void {
    for (const d of this.#disposers.splice(0)) d();
    this.#listeners.clear();
    this.#maskListeners.clear();
  }
}
