/**
 * Routes segmentation requests to workers (DESIGN §5):
 * - a session is pinned to one worker, which holds its model state; the session is opened there
 *   (and its prompt log replayed, when it moved) before its first request;
 * - each worker runs one request at a time, taken round-robin across its sessions, so one busy
 *   session cannot starve the others queued on the same worker;
 * - a worker silent for three heartbeat intervals is dead: its requests fail with the retryable
 *   `WORKER_LOST` and its sessions are unpinned, so the caller's retry lands on another worker;
 * - `NO_WORKER` when no connected worker can take the session.
 * The dispatcher knows nothing of documents: callers pass what a session's open and replay need.
 */
import {
  MaskroomError,
  type Capabilities,
  type DoneHeader,
  type ErrorHeader,
  type FramesSource,
  type RequestId,
  type ResultHeader,
  type ServerMessage,
  type SessionId,
  type WorkerId,
  type WorkerMessage,
} from '@maskroom/shared';
import { newId } from '../ids.js';
import type { Logger } from '../log.js';
import { WorkerLink, printable, type PeerId } from './WorkerLink.js';
import { Workers, type WorkerInfo, type WorkerSummary } from './Workers.js';

/** What a session needs to be opened on a worker. */
export interface SessionSource {
  readonly frames: FramesSource;
  readonly numFrames: number;
  readonly width: number;
  readonly height: number;
  /** Requests that rebuild the model state on a new worker (the session's prompt log), in order. */
  readonly replay: () => Promise<readonly ReplayRequest[]>;
}

/** A request without its `reqId` (the dispatcher assigns one per send). */
export type ReplayRequest = DistributiveOmitReqId<Extract<ServerMessage, { type: 'prompt' }>>;
type DistributiveOmitReqId<M> = M extends { type: infer T; header: infer H }
  ? { type: T; header: H extends unknown ? Omit<H, 'reqId'> : never }
  : never;

export type RequestMessage = Extract<ServerMessage, { header: { reqId: RequestId } }>;
type RequestBody = DistributiveOmitReqId<Exclude<RequestMessage, { type: 'open' }>>;

export interface CallOptions {
  /** Called with each `result` of the request, in arrival order. */
  readonly onResult?: (result: ResultHeader) => void | Promise<void>;
  /** Called once the request has an id (to cancel it later) and a worker. */
  readonly onAssigned?: (reqId: RequestId, workerId: WorkerId) => void;
}

interface Pending {
  readonly reqId: RequestId;
  readonly session: SessionId;
  readonly message: RequestMessage;
  readonly onResult: ((result: ResultHeader) => void | Promise<void>) | undefined;
  readonly resolve: (done: DoneHeader) => void;
  readonly reject: (error: MaskroomError) => void;
  peer: PeerId | undefined;
  sent: boolean;
  /** Results are handled one after another, before the request settles. */
  chain: Promise<void>;
}

interface WorkerQueue {
  running: Pending | undefined;
  readonly bySession: Map<SessionId, Pending[]>;
  /** Round-robin order of sessions with queued requests. */
  readonly turn: SessionId[];
}

interface Pinned {
  readonly peer: PeerId;
  readonly opened: Promise<void>;
  /** When a request of the session last started; the least recently used idle one is evicted. */
  lastUsed: number;
}

export interface DispatcherOptions {
  readonly log: Logger;
  /** How often liveness is checked. */
  readonly reapIntervalMs?: number;
  readonly now?: () => number;
}

export class Dispatcher {
  private readonly log: Logger;
  private readonly link: WorkerLink;
  private readonly workers: Workers;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly queues = new Map<PeerId, WorkerQueue>();
  private readonly pinned = new Map<SessionId, Pinned>();
  private reaper: NodeJS.Timeout | undefined;
  /** Counts of dropped worker messages by reason code, for metrics and tests. */
  readonly dropped = new Map<string, number>();
  private readonly workerListeners = new Set<() => void>();

  constructor(private readonly opts: DispatcherOptions) {
    this.log = opts.log.child({ component: 'dispatcher' });
    this.workers = new Workers(opts.now);
    this.link = new WorkerLink(
      {
        message: (peer, message) => this.onMessage(peer, message),
        rejected: (_peer, code) => this.drop(code),
      },
      this.log,
    );
  }

  /** Binds the ROUTER socket; returns the endpoint actually bound (port 0 → the real port). */
  async start(endpoint: string): Promise<string> {
    const bound = await this.link.bind(endpoint);
    this.reaper = setInterval(() => this.reap(), this.opts.reapIntervalMs ?? 250);
    this.reaper.unref();
    this.log.info('waiting for workers', { endpoint: bound });
    return bound;
  }

  workerSummaries(): WorkerSummary[] {
    return this.workers.summaries();
  }

  /** Requests queued or running, per session (metrics). */
  queueDepths(): Map<SessionId, number> {
    const depths = new Map<SessionId, number>();
    for (const p of this.pending.values()) depths.set(p.session, (depths.get(p.session) ?? 0) + 1);
    return depths;
  }

  /** Notified whenever a worker joins or leaves. */
  onWorkersChanged(listener: () => void): () => void {
    this.workerListeners.add(listener);
    return () => this.workerListeners.delete(listener);
  }

  /** Whether some connected worker offers `what` (e.g. text prompts). */
  supports(what: (c: Capabilities) => boolean): boolean {
    return this.workers.all().some((w) => what(w.capabilities));
  }

  /**
   * Sends one request of `session` to its worker (pinning and opening the session first) and
   * resolves with its `done`. Rejects with the worker's error code, `WORKER_LOST` (retryable) if
   * the worker dies meanwhile, or `NO_WORKER`.
   */
  async call(
    session: SessionId,
    source: SessionSource,
    body: RequestBody,
    needs: (c: Capabilities) => boolean,
    opts: CallOptions = {},
  ): Promise<DoneHeader> {
    const peer = await this.ensureSession(session, source, needs);
    const reqId = newId<RequestId>('req');
    const worker = this.workers.get(peer);
    if (worker) opts.onAssigned?.(reqId, worker.workerId);
    const message = { type: body.type, header: { ...body.header, reqId } } as RequestMessage;
    return this.enqueue(peer, session, message, opts.onResult);
  }

  /** Stops a request: dropped if still queued, else the worker is asked to cancel it. */
  cancel(reqId: RequestId): void {
    const p = this.pending.get(reqId);
    if (!p) return;
    if (!p.sent) {
      this.unqueue(p);
      this.settle(p, new MaskroomError('CANCELLED', 'cancelled before it started'));
      return;
    }
    if (p.peer) void this.link.send(p.peer, { type: 'cancel', header: { reqId } });
  }

  /** Drops a session's model state on its worker (e.g. the video was deleted). */
  closeSession(session: SessionId): void {
    const pin = this.pinned.get(session);
    if (!pin) return;
    this.pinned.delete(session);
    this.workers.get(pin.peer)?.sessions.delete(session);
    void this.link.send(pin.peer, { type: 'close', header: { sessionId: session } });
  }

  async close(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    for (const p of [...this.pending.values()])
      this.settle(p, new MaskroomError('WORKER_LOST', 'the server is shutting down'));
    await this.link.close();
  }

  // ------------------------------------------------------------------------------------------

  private async ensureSession(
    session: SessionId,
    source: SessionSource,
    needs: (c: Capabilities) => boolean,
  ): Promise<PeerId> {
    const existing = this.pinned.get(session);
    if (existing && this.workers.get(existing.peer)) {
      existing.lastUsed = Date.now();
      await existing.opened;
      return existing.peer;
    }
    const worker = this.workers.choose(needs) ?? this.evictIdle(needs);
    if (!worker) {
      throw new MaskroomError(
        'NO_WORKER',
        this.workers.all().length === 0
          ? 'no segmentation worker is connected'
          : 'no connected segmentation worker can take this session now',
      );
    }
    worker.sessions.add(session);
    const opened = this.open(worker, session, source);
    this.pinned.set(session, { peer: worker.peer, opened, lastUsed: Date.now() });
    try {
      await opened;
    } catch (error) {
      if (this.pinned.get(session)?.opened === opened) this.pinned.delete(session);
      worker.sessions.delete(session);
      throw error;
    }
    return worker.peer;
  }

  /**
   * Makes room when every capable worker is full: closes the least recently used session that
   * has nothing queued or running (its state is rebuilt from the prompt log when it comes back).
   */
  private evictIdle(needs: (c: Capabilities) => boolean): WorkerInfo | undefined {
    const busy = new Set([...this.pending.values()].map((p) => p.session));
    let victim: { session: SessionId; pin: Pinned } | undefined;
    for (const [session, pin] of this.pinned) {
      const worker = this.workers.get(pin.peer);
      if (!worker || !needs(worker.capabilities) || busy.has(session)) continue;
      if (!victim || pin.lastUsed < victim.pin.lastUsed) victim = { session, pin };
    }
    if (!victim) return undefined;
    this.log.info('closing the least recently used session to make room', { session: victim.session });
    this.closeSession(victim.session);
    return this.workers.choose(needs);
  }

  private async open(worker: WorkerInfo, session: SessionId, source: SessionSource): Promise<void> {
    const reqId = newId<RequestId>('req');
    await this.enqueue(worker.peer, session, {
      type: 'open',
      header: {
        reqId,
        sessionId: session,
        frames: source.frames,
        numFrames: source.numFrames,
        width: source.width,
        height: source.height,
      },
    });
    const replay = await source.replay();
    for (const r of replay) {
      // Results of a replay only rebuild state: the masks are already in the documents.
      await this.enqueue(worker.peer, session, {
        type: r.type,
        header: { ...r.header, reqId: newId<RequestId>('req') },
      } as RequestMessage);
    }
    if (replay.length > 0)
      this.log.info('replayed the prompt log', { session, worker: worker.workerId, prompts: replay.length });
  }

  private enqueue(
    peer: PeerId,
    session: SessionId,
    message: RequestMessage,
    onResult?: (r: ResultHeader) => void | Promise<void>,
  ): Promise<DoneHeader> {
    return new Promise<DoneHeader>((resolve, reject) => {
      const p: Pending = {
        reqId: message.header.reqId,
        session,
        message,
        onResult,
        resolve,
        reject,
        peer,
        sent: false,
        chain: Promise.resolve(),
      };
      this.pending.set(p.reqId, p);
      const q = this.queueOf(peer);
      const list = q.bySession.get(session);
      if (list) list.push(p);
      else {
        q.bySession.set(session, [p]);
        q.turn.push(session);
      }
      this.pump(peer);
    });
  }

  private queueOf(peer: PeerId): WorkerQueue {
    let q = this.queues.get(peer);
    if (!q) {
      q = { running: undefined, bySession: new Map(), turn: [] };
      this.queues.set(peer, q);
    }
    return q;
  }

  /** Starts the next request on an idle worker, taking sessions in turn. */
  private pump(peer: PeerId): void {
    const q = this.queueOf(peer);
    if (q.running) return;
    const session = q.turn.shift();
    if (session === undefined) return;
    const list = q.bySession.get(session) ?? [];
    const next = list.shift();
    if (list.length > 0) q.turn.push(session);
    else q.bySession.delete(session);
    if (!next) return this.pump(peer);
    q.running = next;
    next.sent = true;
    void this.link.send(peer, next.message).then((ok) => {
      if (!ok) this.settle(next, new MaskroomError('WORKER_LOST', 'the worker is gone', { retryable: true }));
    });
  }

  private unqueue(p: Pending): void {
    if (!p.peer) return;
    const q = this.queueOf(p.peer);
    const list = q.bySession.get(p.session);
    if (!list) return;
    const i = list.indexOf(p);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      q.bySession.delete(p.session);
      const t = q.turn.indexOf(p.session);
      if (t >= 0) q.turn.splice(t, 1);
    }
  }

  /** Settles a request once its results have been handled, and frees its worker. */
  private settle(p: Pending, outcome: DoneHeader | MaskroomError): void {
    if (this.pending.get(p.reqId) !== p) return;
    this.pending.delete(p.reqId);
    if (p.peer) {
      const q = this.queues.get(p.peer);
      if (q?.running === p) {
        q.running = undefined;
        this.pump(p.peer);
      }
    }
    void p.chain.then(
      () => (outcome instanceof MaskroomError ? p.reject(outcome) : p.resolve(outcome)),
      (error: unknown) =>
        p.reject(
          error instanceof MaskroomError
            ? error
            : new MaskroomError('INTERNAL', 'handling a result failed', { cause: error }),
        ),
    );
  }

  private onMessage(peer: PeerId, message: WorkerMessage): void {
    if (message.type === 'hello') return this.onHello(peer, message.header);
    if (!this.workers.seen(peer, message.type === 'heartbeat' ? message.header : undefined)) {
      // A worker that never said hello (or was declared dead) must introduce itself again.
      this.drop('NO_HELLO');
      return;
    }
    switch (message.type) {
      case 'heartbeat':
        return;
      case 'result':
        return this.onResult(peer, message.header);
      case 'done':
        return this.onDone(peer, message.header);
      case 'error':
        return this.onError(peer, message.header);
    }
  }

  private onHello(peer: PeerId, h: Parameters<Workers['hello']>[1]): void {
    const { worker, restarted } = this.workers.hello(peer, h);
    if (restarted) this.lose(restarted, 'the worker restarted');
    this.log.info('worker joined', {
      worker: worker.workerId,
      peer: printable(peer),
      backend: worker.backend,
      device: worker.device,
      capabilities: worker.capabilities,
    });
    this.notifyWorkers();
  }

  private request(peer: PeerId, reqId: RequestId | null, what: string): Pending | undefined {
    const p = reqId === null ? undefined : this.pending.get(reqId);
    if (!p || p.peer !== peer || !p.sent) {
      this.log.warn(`dropped a ${what} for an unknown request`, { peer: printable(peer), reqId });
      this.drop('UNKNOWN_REQUEST');
      return undefined;
    }
    return p;
  }

  private onResult(peer: PeerId, r: ResultHeader): void {
    const p = this.request(peer, r.reqId, 'result');
    if (!p) return;
    if (r.sessionId !== p.session) {
      this.drop('WRONG_SESSION');
      return;
    }
    const handler = p.onResult;
    if (handler) p.chain = p.chain.then(() => handler(r));
  }

  private onDone(peer: PeerId, d: DoneHeader): void {
    const p = this.request(peer, d.reqId, 'done');
    if (p) this.settle(p, d);
  }

  private onError(peer: PeerId, e: ErrorHeader): void {
    if (e.reqId === null) {
      // Not tied to a request: e.g. the worker closed an idle session.
      if (e.sessionId && this.pinned.get(e.sessionId)?.peer === peer) {
        this.pinned.delete(e.sessionId);
        this.workers.get(peer)?.sessions.delete(e.sessionId);
      }
      this.log.info('worker reported', {
        peer: printable(peer),
        code: e.code,
        message: e.message,
        session: e.sessionId,
      });
      return;
    }
    const p = this.request(peer, e.reqId, 'error');
    if (p) this.settle(p, new MaskroomError(e.code, e.message, { retryable: e.retryable }));
  }

  private reap(): void {
    for (const dead of this.workers.reapDead()) this.lose(dead, 'the worker stopped sending heartbeats');
  }

  /** Fails everything a lost worker held and unpins its sessions. */
  private lose(worker: WorkerInfo, why: string): void {
    this.log.warn('worker lost', { worker: worker.workerId, peer: printable(worker.peer), why });
    for (const session of worker.sessions) {
      if (this.pinned.get(session)?.peer === worker.peer) this.pinned.delete(session);
    }
    this.queues.delete(worker.peer);
    const lost = [...this.pending.values()].filter((p) => p.peer === worker.peer);
    for (const p of lost)
      this.settle(p, new MaskroomError('WORKER_LOST', `${why} (${worker.workerId})`, { retryable: true }));
    if (!this.workers.get(worker.peer)) this.link.forget(worker.peer);
    this.notifyWorkers();
  }

  private drop(code: string): void {
    this.dropped.set(code, (this.dropped.get(code) ?? 0) + 1);
  }

  private notifyWorkers(): void {
    for (const l of this.workerListeners) l();
  }
}
