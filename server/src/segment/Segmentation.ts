/**
 * Session commands that need a model (DESIGN §2): prompts and propagations go to a worker
 * through the dispatcher, and everything they produce is written into the session's documents
 * (prompt records, job records with live progress, each frame's masks) as it arrives, so every
 * participant sees it. Object edits that need no model happen here too when asked over HTTP.
 */
import {
  MaskroomError,
  chunkCount,
  chunkIndexOf,
  mainDocName,
  maskChunkDocName,
  paletteColor,
  type FrameIndex,
  type JobId,
  type JobRecord,
  type MaskObject,
  type MaskRecord,
  type ObjectId,
  type PromptBody,
  type PromptId,
  type PromptRecord,
  type PropagateBody,
  type RequestId,
  type ResultHeader,
  type SessionId,
  type UserId,
} from '@maskroom/shared';
import type { SessionDocs } from '../collab/SessionDocs.js';
import { persistRelayed } from '../cluster/persist-relayed.js';
import type { DocLog, JobIndex } from '../db/index.js';
import type { Dispatcher, ReplayRequest, SessionSource } from '../dispatch/Dispatcher.js';
import { newId } from '../ids.js';
import type { Logger } from '../log.js';
import type { DataDir } from '../storage/DataDir.js';
import type { SessionMedia } from '../videos/SessionMedia.js';

const WRITER = 'dispatcher';
/** Job progress is written at most this often (each frame's masks are written as they come). */
const PROGRESS_INTERVAL_MS = 200;
/** Attempts of a propagation across worker failures. */
const MAX_ATTEMPTS = 3;

/**
 * How an instance holds the propagations it runs (DESIGN §9): a lease of `ms`, renewed every
 * `renewMs`; every `scanMs` (and at start) it looks for jobs whose lease expired (their instance
 * died) and takes them over. `ms` is several renewals long so that a slow database round trip
 * does not hand a healthy job to another instance.
 */
export interface LeaseTiming {
  readonly ms: number;
  readonly renewMs: number;
  readonly scanMs: number;
}
export const DEFAULT_LEASE: LeaseTiming = { ms: 6_000, renewMs: 1_500, scanMs: 2_000 };

export interface SegmentationDeps {
  readonly dispatcher: Dispatcher;
  readonly docs: SessionDocs;
  readonly media: SessionMedia;
  readonly jobs: JobIndex;
  readonly dataDir: DataDir;
  readonly log: Logger;
  /**
   * This server instance: with it, the propagations run here are leased to it and jobs of dead
   * instances are taken over. Without it (tests of one instance) jobs carry no lease.
   */
  readonly instanceId?: string;
  readonly lease?: LeaseTiming;
  /** The durable log, to which a takeover first saves what the dead instance only relayed. */
  readonly docLog?: DocLog;
  readonly metrics?: { readonly framesWritten: { inc(): void } };
}

interface RunningJob {
  readonly id: JobId;
  readonly session: SessionId;
  cancelled: boolean;
  /**
   * The job is no longer this instance's to finish: its lease went to another instance, or it was
   * handed back at shutdown. Its end is not written to the document (the new owner writes it).
   */
  released: boolean;
  reqId: RequestId | undefined;
  /** Settles when the job has ended (set right after the job starts). */
  finished: Promise<void>;
}

export class Segmentation {
  private readonly running = new Map<SessionId, RunningJob>();
  private readonly log: Logger;
  private readonly lease: LeaseTiming;
  private scanner: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: SegmentationDeps) {
    this.log = deps.log.child({ component: 'segmentation' });
    this.lease = deps.lease ?? DEFAULT_LEASE;
    if (deps.instanceId !== undefined) {
      this.scanner = setInterval(() => void this.takeOverExpired(), this.lease.scanMs);
      this.scanner.unref();
      void this.takeOverExpired();
    }
  }

  /**
   * Stops taking jobs over and hands the running ones back: they stop here, stay `running` in
   * their documents, and their leases expire at once so that another instance (or this one's
   * next start) resumes them. Call `settled` first to let them finish instead.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.scanner) clearInterval(this.scanner);
    await this.scanning;
    await Promise.all(
      [...this.running.values()].map(async (run) => {
        run.released = true;
        await this.cancel(run);
        if (this.deps.instanceId !== undefined)
          await this.deps.jobs
            .release(run.id, this.deps.instanceId, { expire: true })
            .catch((e: unknown) => this.log.warn('could not hand a job back', { job: run.id, err: e }));
      }),
    );
  }

  /** Frames, size and prompt log of a session, as a worker needs them to open it. */
  async source(session: SessionId): Promise<SessionSource & { numFrames: number }> {
    const media = await this.deps.media.get(session);
    if (!media) throw new MaskroomError('NOT_FOUND', 'no such session');
    return {
      frames: { kind: 'dir', path: this.deps.dataDir.framesDir(media.videoId) },
      numFrames: media.numFrames,
      width: media.width,
      height: media.height,
      replay: () => this.replayLog(session),
    };
  }

  /** The prompts that built the session's objects, oldest first, as worker requests. */
  private async replayLog(session: SessionId): Promise<ReplayRequest[]> {
    const prompts = await this.deps.docs.readMain(session, (main) => [...main.prompts.list().values()]);
    return prompts
      .filter((p) => p.status === 'done')
      .sort((a, b) => a.at - b.at)
      .map((p) => ({ type: 'prompt' as const, header: promptHeader(session, p) }));
  }

  async createObject(
    session: SessionId,
    by: UserId,
    init: {
      className?: string | undefined;
      instanceName?: string | undefined;
      color?: string | undefined;
    } = {},
  ): Promise<ObjectId> {
    await this.source(session);
    const objId = newId<ObjectId>('obj');
    await this.deps.docs.writeMain(session, WRITER, (main) => {
      const n = main.objects.size;
      main.objects.create(objId, {
        className: init.className ?? '',
        instanceName: init.instanceName ?? `object ${n + 1}`,
        color: init.color ?? paletteColor(n),
        createdBy: by,
        createdAt: Date.now(),
      });
    });
    return objId;
  }

  /** Removes an object, its prompts and every mask of it, and tells its worker. */
  async removeObject(session: SessionId, objId: ObjectId): Promise<void> {
    const source = await this.source(session);
    const { numFrames } = source;
    const existed = await this.deps.docs.writeMain(session, WRITER, (main) => main.objects.delete(objId));
    if (!existed) throw new MaskroomError('NOT_FOUND', 'no such object');
    for (let k = 0; k < chunkCount(numFrames); k++) {
      await this.deps.docs.writeMasks(session, k, WRITER, (m) => m.deleteObjectMasks(objId));
    }
    await this.tellWorker(session, source, { type: 'remove_object', header: { sessionId: session, objId } });
  }

  /** Clears objects, prompts, jobs and masks. */
  async reset(session: SessionId): Promise<void> {
    const source = await this.source(session);
    const { numFrames } = source;
    await this.cancelRunning(session);
    await this.deps.docs.writeMain(session, WRITER, (main) => {
      for (const id of main.objects.list().keys()) main.objects.delete(id);
      for (const id of main.prompts.list().keys()) main.prompts.delete(id);
      for (const id of main.jobs.list().keys()) main.jobs.delete(id);
    });
    for (let k = 0; k < chunkCount(numFrames); k++) {
      await this.deps.docs.writeMasks(session, k, WRITER, (m) => m.clear());
    }
    await this.tellWorker(session, source, { type: 'reset', header: { sessionId: session } });
  }

  /** Runs one prompt: records it, gets its masks from a worker, writes them; returns them. */
  async prompt(
    session: SessionId,
    body: PromptBody,
    by: UserId,
  ): Promise<{ promptId: PromptId; objId: ObjectId; frame: FrameIndex; masks: MaskObject[] }> {
    const source = await this.source(session);
    if (body.frame >= source.numFrames) {
      throw new MaskroomError('INVALID_PROMPT', `frame ${body.frame} is outside [0, ${source.numFrames})`);
    }
    if (body.text !== undefined && !this.deps.dispatcher.supports((c) => c.text)) {
      throw new MaskroomError(
        'UNSUPPORTED_PROMPT',
        'no connected worker understands text prompts (the classical backend does not)',
      );
    }
    let objId = body.objId;
    if (objId !== undefined) {
      const known = await this.deps.docs.readMain(session, (main) => main.objects.has(objId!));
      if (!known) throw new MaskroomError('INVALID_PROMPT', 'no such object in this session');
    } else {
      objId = await this.createObject(session, by);
    }
    const promptId = newId<PromptId>('prm');
    const record: PromptRecord = {
      ...(body.points
        ? { kind: 'points' as const, points: body.points }
        : body.box
          ? { kind: 'box' as const, box: body.box }
          : { kind: 'text' as const, text: body.text! }),
      objId,
      frame: body.frame,
      by,
      at: Date.now(),
      status: 'running',
    };
    await this.deps.docs.writeMain(session, WRITER, (main) => main.prompts.put(promptId, record));

    const masks: MaskObject[] = [];
    try {
      await this.withRetry(() =>
        this.deps.dispatcher.call(
          session,
          source,
          { type: 'prompt', header: promptHeader(session, record) },
          needsFor(record.kind),
          {
            onResult: async (r) => {
              if (r.frame !== body.frame) return;
              masks.splice(0, masks.length, ...r.objects);
              await this.writeFrame(session, r.frame, r.objects, {
                source: 'prompt',
                ref: promptId,
                by,
                scope: [objId!],
              });
            },
          },
        ),
      );
      await this.deps.docs.writeMain(session, WRITER, (main) =>
        main.prompts.update(promptId, { status: 'done' }),
      );
    } catch (error) {
      const e = asMaskroomError(error);
      await this.deps.docs
        .writeMain(session, WRITER, (main) =>
          main.prompts.update(promptId, { status: 'failed', error: e.message }),
        )
        .catch(() => undefined);
      throw e;
    }
    return { promptId, objId, frame: body.frame, masks };
  }

  /** Starts a propagation; it runs in the background and reports through its job record. */
  async propagate(session: SessionId, body: PropagateBody, by: UserId): Promise<JobId> {
    const source = await this.source(session);
    const prompts = await this.deps.docs.readMain(session, (main) => ({
      first: [...main.prompts.list().values()]
        .filter((p) => p.status === 'done')
        .sort((a, b) => a.frame - b.frame)[0],
      objects: [...main.objects.list().keys()],
    }));
    if (!prompts.first) throw new MaskroomError('INVALID_PROMPT', 'prompt an object before propagating');
    const startFrame = body.startFrame ?? prompts.first.frame;
    if (startFrame >= source.numFrames) {
      throw new MaskroomError('INVALID_PROMPT', `frame ${startFrame} is outside [0, ${source.numFrames})`);
    }
    for (const id of body.objIds ?? []) {
      if (!prompts.objects.includes(id))
        throw new MaskroomError('INVALID_PROMPT', `no object ${id} in this session`);
    }
    // A new propagation of a session supersedes the one running.
    await this.cancelRunning(session);

    const id = newId<JobId>('job');
    await this.deps.jobs.record(
      id,
      session,
      this.deps.instanceId !== undefined ? { owner: this.deps.instanceId, ms: this.lease.ms } : undefined,
    );
    const framesTotal =
      body.direction === 'forward'
        ? source.numFrames - startFrame
        : body.direction === 'backward'
          ? startFrame + 1
          : source.numFrames;
    const job: JobRecord = {
      kind: 'propagate',
      direction: body.direction,
      startFrame,
      ...(body.objIds ? { objIds: body.objIds } : {}),
      status: 'queued',
      framesDone: 0,
      framesTotal,
      by,
      at: Date.now(),
    };
    await this.deps.docs.writeMain(session, WRITER, (main) => main.jobs.put(id, job));
    this.start(id, session, source, job, prompts.objects);
    return id;
  }

  private start(
    id: JobId,
    session: SessionId,
    source: SessionSource,
    job: JobRecord,
    objects: ObjectId[],
  ): void {
    const run: RunningJob = {
      id,
      session,
      cancelled: false,
      released: false,
      reqId: undefined,
      finished: Promise.resolve(),
    };
    run.finished = this.runLeased(run, source, job, objects).finally(() => {
      if (this.running.get(session) === run) this.running.delete(session);
    });
    this.running.set(session, run);
  }

  /** Runs a job while renewing its lease; a lost lease or a cancel seen in the document stops it. */
  private async runLeased(
    run: RunningJob,
    source: SessionSource,
    job: JobRecord,
    objects: ObjectId[],
  ): Promise<void> {
    const owner = this.deps.instanceId;
    if (owner === undefined) return this.runJob(run, source, job, objects);
    const renew = async (): Promise<void> => {
      if (run.released || run.cancelled) return;
      const held = await this.deps.jobs.renew(run.id, owner, this.lease.ms);
      if (!held) {
        this.log.warn('job lease lost to another instance', { job: run.id });
        run.released = true;
        await this.cancel(run);
        return;
      }
      // A cancel made through another instance reaches the document only.
      const status = await this.deps.docs.readMain(run.session, (main) => main.jobs.get(run.id)?.status);
      if (status === 'cancelled') await this.cancel(run);
    };
    const renewer = setInterval(() => {
      renew().catch((e: unknown) => this.log.warn('job lease renewal failed', { job: run.id, err: e }));
    }, this.lease.renewMs);
    try {
      await this.runJob(run, source, job, objects);
    } finally {
      clearInterval(renewer);
      if (!run.released)
        await this.deps.jobs
          .release(run.id, owner)
          .catch((e: unknown) => this.log.warn('could not release a job lease', { job: run.id, err: e }));
    }
  }

  /**
   * Takes over the jobs whose instance died (their lease expired) and resumes each from its start
   * frame with this instance's workers, as a retry after a lost worker does. Only while this
   * instance has a worker that can propagate: without one the job would fail, where another
   * instance could finish it.
   */
  private takeOverExpired(): Promise<void> {
    if (this.scanning || this.closed) return this.scanning ?? Promise.resolve();
    const owner = this.deps.instanceId;
    if (owner === undefined) return Promise.resolve();
    this.scanning = (async () => {
      while (!this.closed && this.deps.dispatcher.supports((c) => c.propagate)) {
        const mine = [...this.running.values()].map((r) => r.id);
        const claimed = await this.deps.jobs.claimExpired(owner, this.lease.ms, mine);
        if (!claimed) return;
        await this.resume(claimed.id, claimed.session, owner).catch(async (e: unknown) => {
          this.log.warn('could not take a job over', { job: claimed.id, err: e });
          await this.deps.jobs.release(claimed.id, owner, { expire: true });
        });
      }
    })()
      .catch((e: unknown) => this.log.warn('looking for jobs to take over failed', { err: e }))
      .finally(() => {
        this.scanning = undefined;
      });
    return this.scanning;
  }

  private async resume(id: JobId, session: SessionId, owner: string): Promise<void> {
    const state = await this.deps.docs.readMain(session, (main) => ({
      job: main.jobs.get(id),
      objects: [...main.objects.list().keys()],
    }));
    const { job } = state;
    if (!job || (job.status !== 'queued' && job.status !== 'running')) {
      // It ended, but its instance died before letting go of it.
      await this.deps.jobs.release(id, owner);
      return;
    }
    if (this.running.has(session)) {
      // A newer propagation of the session runs here: it superseded this one.
      await this.deps.docs.writeMain(session, WRITER, (main) =>
        main.jobs.update(id, { status: 'cancelled' }),
      );
      await this.deps.jobs.release(id, owner);
      return;
    }
    const source = await this.source(session);
    if (this.deps.docLog) {
      const names = [
        mainDocName(session),
        ...Array.from({ length: chunkCount(source.numFrames) }, (_, k) => maskChunkDocName(session, k)),
      ];
      for (const name of names) {
        if (await persistRelayed(this.deps.docs, this.deps.docLog, name))
          this.log.info('saved what a lost instance had only relayed', { doc: name });
      }
    }
    this.log.info('propagation taken over from a lost instance', { job: id, session });
    this.start(id, session, source, job, state.objects);
  }

  async cancelJob(id: JobId): Promise<void> {
    const session = await this.deps.jobs.sessionOf(id);
    if (!session) throw new MaskroomError('NOT_FOUND', 'no such job');
    const run = this.running.get(session);
    if (run?.id === id) {
      await this.cancel(run);
      return;
    }
    // Not running here: mark it cancelled if it is still pending in the document.
    await this.deps.docs.writeMain(session, WRITER, (main) => {
      const job = main.jobs.get(id);
      if (job && (job.status === 'queued' || job.status === 'running'))
        main.jobs.update(id, { status: 'cancelled' });
    });
  }

  async job(id: JobId): Promise<{ sessionId: SessionId; job: JobRecord }> {
    const session = await this.deps.jobs.sessionOf(id);
    const job = session && (await this.deps.docs.readMain(session, (main) => main.jobs.get(id)));
    if (!session || !job) throw new MaskroomError('NOT_FOUND', 'no such job');
    return { sessionId: session, job };
  }

  /** Waits for the running propagation of a session, if any (tests, shutdown). */
  async settled(session: SessionId): Promise<void> {
    await this.running.get(session)?.finished;
  }

  /** Waits for every running propagation to end, at most `timeoutMs`; false if some still run. */
  async allSettled(timeoutMs: number): Promise<boolean> {
    const all = Promise.all([...this.running.values()].map((r) => r.finished)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    return Promise.race([all, late]).finally(() => clearTimeout(timer));
  }

  // ------------------------------------------------------------------------------------------

  private async runJob(
    run: RunningJob,
    source: SessionSource,
    job: JobRecord,
    allObjects: ObjectId[],
  ): Promise<void> {
    const { session, id } = run;
    const scope = job.objIds ?? allObjects;
    let framesDone = 0;
    let lastProgress = 0;
    const writeProgress = async (force: boolean, patch: Partial<JobRecord> = {}): Promise<void> => {
      const now = Date.now();
      if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = now;
      await this.deps.docs.writeMain(session, WRITER, (main) => {
        const current = main.jobs.get(id);
        if (!current) return;
        main.jobs.update(id, { framesDone: Math.min(framesDone, current.framesTotal), ...patch });
      });
    };
    try {
      await this.withRetry(
        async () => {
          if (run.cancelled) throw new MaskroomError('CANCELLED', 'cancelled');
          // A retry on another worker runs from the start again: frames already written are
          // rewritten with the same masks (unchanged writes are skipped), and the final state is
          // the same as an uninterrupted run's.
          let seenThisAttempt = 0;
          await this.deps.dispatcher.call(
            session,
            source,
            {
              type: 'propagate',
              header: {
                sessionId: session,
                direction: job.direction,
                startFrame: job.startFrame,
                ...(job.objIds ? { objIds: job.objIds } : {}),
              },
            },
            (c) => c.propagate,
            {
              onAssigned: (reqId, workerId) => {
                run.reqId = reqId;
                void writeProgress(true, { status: 'running', workerId });
              },
              onResult: async (r: ResultHeader) => {
                await this.writeFrame(session, r.frame, r.objects, {
                  source: 'propagation',
                  ref: id,
                  by: job.by,
                  scope,
                });
                this.deps.metrics?.framesWritten.inc();
                seenThisAttempt++;
                framesDone = Math.max(framesDone, r.progress?.framesDone ?? seenThisAttempt);
                await writeProgress(false);
              },
            },
          );
        },
        (attempt, error) =>
          this.log.warn('propagation retried on another worker', { job: id, attempt, err: error.message }),
      );
      framesDone = job.framesTotal;
      await writeProgress(true, { status: 'done' });
    } catch (error) {
      const e = asMaskroomError(error);
      if (run.released) return;
      const status = e.code === 'CANCELLED' || run.cancelled ? 'cancelled' : 'failed';
      await writeProgress(true, { status, ...(status === 'failed' ? { error: e.message } : {}) }).catch(
        () => undefined,
      );
      if (status === 'failed')
        this.log.warn('propagation failed', { job: id, code: e.code, message: e.message });
    }
  }

  /** Writes one frame's masks for the objects in `scope`: returned ones set, missing ones removed. */
  private async writeFrame(
    session: SessionId,
    frame: FrameIndex,
    objects: readonly MaskObject[],
    meta: { source: MaskRecord['source']; ref: string; by: UserId; scope: readonly ObjectId[] },
  ): Promise<void> {
    const returned = new Map(objects.map((o) => [o.objId, o]));
    // A participant may have deleted an object in the document (undoably) while its worker still
    // tracks it: its masks are not written back, and come back with the object if it is restored.
    const live = await this.deps.docs.readMain(session, (main) =>
      objects.filter((o) => main.objects.has(o.objId)),
    );
    await this.deps.docs.writeMasks(session, chunkIndexOf(frame), WRITER, (m) => {
      m.setFrameMasks(
        frame,
        live.map((o) => [
          o.objId,
          {
            rle: o.rle,
            bbox: o.bbox,
            area: o.area,
            score: o.score,
            source: meta.source,
            ref: meta.ref,
            by: meta.by,
          },
        ]),
      );
      for (const objId of meta.scope) if (!returned.has(objId)) m.deleteMask(frame, objId);
    });
  }

  private async cancelRunning(session: SessionId): Promise<void> {
    const run = this.running.get(session);
    if (run) await this.cancel(run);
  }

  private async cancel(run: RunningJob): Promise<void> {
    run.cancelled = true;
    if (run.reqId) this.deps.dispatcher.cancel(run.reqId);
    await run.finished;
  }

  /** Sends a fire-and-forget command to the session's worker when one holds the session. */
  private async tellWorker(
    session: SessionId,
    source: SessionSource,
    body:
      | { type: 'remove_object'; header: { sessionId: SessionId; objId: ObjectId } }
      | { type: 'reset'; header: { sessionId: SessionId } },
  ): Promise<void> {
    try {
      await this.deps.dispatcher.call(session, source, body, () => true);
    } catch (error) {
      const e = asMaskroomError(error);
      // Without a worker there is no model state to update: the documents are what counts.
      if (e.code !== 'NO_WORKER' && e.code !== 'WORKER_LOST') throw e;
    }
  }

  /** Retries `fn` on another worker when the worker it ran on was lost. */
  private async withRetry<T>(
    fn: () => Promise<T>,
    onRetry?: (attempt: number, e: MaskroomError) => void,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const e = asMaskroomError(error);
        if (e.code !== 'WORKER_LOST' || attempt >= MAX_ATTEMPTS) throw e;
        onRetry?.(attempt, e);
      }
    }
  }
}

function promptHeader(session: SessionId, p: PromptRecord): ReplayRequest['header'] {
  const base = { sessionId: session, frame: p.frame, objId: p.objId };
  if (p.kind === 'points') return { ...base, kind: 'points', points: p.points };
  if (p.kind === 'box') return { ...base, kind: 'box', box: p.box };
  return { ...base, kind: 'text', text: p.text };
}

function needsFor(kind: PromptRecord['kind']) {
  return (c: { points: boolean; box: boolean; text: boolean }) => c[kind];
}

function asMaskroomError(error: unknown): MaskroomError {
  return error instanceof MaskroomError
    ? error
    : new MaskroomError('INTERNAL', 'segmentation failed', { cause: error });
}
