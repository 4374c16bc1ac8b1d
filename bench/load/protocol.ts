/**
 * Messages between the load bench (`main.ts`, which runs the server) and its collaborators
 * (`collaborators.ts`, a child process, so that the clients' work does not run on the server's
 * event loop). Latencies are measured inside the child: the editing client and the clients that
 * observe the edit share its clock.
 */

/** One session's collaborators. */
export interface GroupSpec {
  readonly group: string;
  readonly url: string;
  /** The session's main doc. */
  readonly doc: string;
  /** One object per collaborator, which that collaborator renames. */
  readonly objects: readonly string[];
}

/** How often each collaborator edits, on average (exponential gaps, as people do not edit in step). */
export interface EditRates {
  /** Object renames per second per collaborator. */
  readonly renamesPerSec: number;
  /** Presence updates (playhead and cursor) per second per collaborator. */
  readonly presencePerSec: number;
}

/** An acknowledged document edit: the editing client's Yjs id and its clock after the edit. */
export interface AckedEdit {
  readonly objId: string;
  readonly name: string;
  readonly clientId: number;
  readonly clock: number;
}

/** Latencies of one group, ms: per (edit, other client) and per edit until all others saw it. */
export interface GroupLatency {
  readonly renameEach: number[];
  readonly renameAll: number[];
  readonly presenceEach: number[];
  readonly presenceAll: number[];
  /** Edits made, acknowledged by the server, and (at stop) never seen by every other client. */
  readonly renames: number;
  readonly renamesAcked: number;
  readonly presenceSent: number;
  readonly renamesUnseen: number;
  readonly presenceUnseen: number;
}

export interface GroupCheck {
  readonly group: string;
  /** Acknowledged edits (every one, for the database check), the last one per object flagged. */
  readonly acked: AckedEdit[];
  /** The name each object has at the end, per the editing client's last acknowledged rename. */
  readonly finalNames: Record<string, string>;
  /** (acknowledged edit, client) pairs where the client's document lacks the edit. */
  readonly missing: number;
  /** Clients whose object names differ from the final names. */
  readonly wrongNames: number;
  /** Edits never acknowledged (still unsynced after the settle timeout). */
  readonly unacked: number;
}

export type ToCollaborators =
  | { type: 'open'; spec: GroupSpec; clients: number }
  | { type: 'start'; group: string; rates: EditRates; seed: number }
  | { type: 'stop'; group: string }
  | { type: 'check'; group: string }
  | { type: 'close'; group: string }
  | { type: 'cpu' }
  | { type: 'exit' };

export type FromCollaborators =
  | { type: 'ready' }
  | { type: 'opened'; group: string; ms: number }
  | { type: 'started'; group: string }
  | { type: 'stopped'; group: string; latency: GroupLatency }
  | { type: 'checked'; check: GroupCheck }
  | { type: 'closed'; group: string }
  | { type: 'cpu'; userMs: number; systemMs: number }
  | { type: 'error'; message: string };
