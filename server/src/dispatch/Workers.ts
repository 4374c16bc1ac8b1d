/**
 * Which workers are connected, what they can do and whether they are alive. A worker that has
 * been silent for three of its own heartbeat intervals is dead (DESIGN §5).
 */
import type {
  Capabilities,
  HelloHeader,
  HeartbeatHeader,
  SessionId,
  WorkerBackend,
  WorkerId,
} from '@maskroom/shared';
import type { PeerId } from './WorkerLink.js';

export const MISSED_HEARTBEATS = 3;

export interface WorkerInfo {
  readonly peer: PeerId;
  readonly workerId: WorkerId;
  readonly backend: WorkerBackend;
  readonly device: string;
  readonly capabilities: Capabilities;
  readonly maxSessions: number;
  readonly heartbeatIntervalMs: number;
  lastSeen: number;
  busy: boolean;
  queued: number;
  /** Sessions the dispatcher pinned to this worker. */
  readonly sessions: Set<SessionId>;
}

/** What `/api/health` shows of a worker. */
export interface WorkerSummary {
  readonly workerId: string;
  readonly backend: WorkerBackend;
  readonly device: string;
  readonly capabilities: Capabilities;
  readonly sessions: number;
  readonly maxSessions: number;
  readonly busy: boolean;
  readonly queued: number;
}

export class Workers {
  private readonly byPeer = new Map<PeerId, WorkerInfo>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A `hello`: a new worker, or a known one that restarted (its previous state is gone). */
  hello(peer: PeerId, h: HelloHeader): { worker: WorkerInfo; restarted: WorkerInfo | undefined } {
    const previous = this.byPeer.get(peer);
    const worker: WorkerInfo = {
      peer,
      workerId: h.workerId as WorkerId,
      backend: h.backend,
      device: h.device,
      capabilities: h.capabilities,
      maxSessions: h.maxSessions,
      heartbeatIntervalMs: h.heartbeatIntervalMs,
      lastSeen: this.now(),
      busy: false,
      queued: 0,
      sessions: new Set(),
    };
    this.byPeer.set(peer, worker);
    return { worker, restarted: previous };
  }

  /** Any message proves the worker alive; false for a peer that never said hello. */
  seen(peer: PeerId, beat?: HeartbeatHeader): boolean {
    const w = this.byPeer.get(peer);
    if (!w) return false;
    w.lastSeen = this.now();
    if (beat) {
      w.busy = beat.busy;
      w.queued = beat.queued;
    }
    return true;
  }

  get(peer: PeerId): WorkerInfo | undefined {
    return this.byPeer.get(peer);
  }

  /** Removes and returns the workers silent for too long. */
  reapDead(): WorkerInfo[] {
    const now = this.now();
    const dead: WorkerInfo[] = [];
    for (const w of this.byPeer.values()) {
      if (now - w.lastSeen > MISSED_HEARTBEATS * w.heartbeatIntervalMs) dead.push(w);
    }
    for (const w of dead) this.byPeer.delete(w.peer);
    return dead;
  }

  remove(peer: PeerId): WorkerInfo | undefined {
    const w = this.byPeer.get(peer);
    this.byPeer.delete(peer);
    return w;
  }

  /**
   * The worker for a new session: it must support what is asked and have room; among those,
   * the one with the fewest pinned sessions (ties: least queued work), never one in `exclude`.
   */
  choose(
    needs: (c: Capabilities) => boolean,
    exclude: ReadonlySet<PeerId> = new Set(),
  ): WorkerInfo | undefined {
    let best: WorkerInfo | undefined;
    for (const w of this.byPeer.values()) {
      if (exclude.has(w.peer) || !needs(w.capabilities) || w.sessions.size >= w.maxSessions) continue;
      if (
        !best ||
        w.sessions.size < best.sessions.size ||
        (w.sessions.size === best.sessions.size && w.queued < best.queued)
      ) {
        best = w;
      }
    }
    return best;
  }

  all(): WorkerInfo[] {
    return [...this.byPeer.values()];
  }

  summaries(): WorkerSummary[] {
    return this.all().map((w) => ({
      workerId: w.workerId,
      backend: w.backend,
      device: w.device,
      capabilities: w.capabilities,
      sessions: w.sessions.size,
      maxSessions: w.maxSessions,
      busy: w.busy,
      queued: w.queued,
    }));
  }
}
