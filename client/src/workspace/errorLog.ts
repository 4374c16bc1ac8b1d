/**
 * Every problem the workspace met, newest first, for the error panel: what failed, the server's
 * code and request id when there was one, and what the user can do about it. The same problem
 * repeated (e.g. the worker missing on every click) is counted, not listed again.
 */
import type { ApiErrorCode } from '../api/http.js';
import { isApiError } from '../api/http.js';

export interface ProblemEntry {
  readonly id: number;
  readonly at: number;
  /** What the user was doing ("Prompt on frame 12"). */
  readonly action: string;
  readonly message: string;
  readonly code: ApiErrorCode | 'CLIENT' | 'CONNECTION' | null;
  readonly requestId: string | null;
  /** What to do about it. */
  readonly hint: string;
  readonly count: number;
}

const HINTS: Partial<Record<ApiErrorCode | 'CONNECTION', string>> = {
  NO_WORKER: 'No segmentation worker is connected. Start one (npm start starts a CPU worker) and try again.',
  WORKER_LOST: 'The worker stopped while working. Try again: another worker takes over if there is one.',
  UNSUPPORTED_PROMPT: 'The connected workers cannot do this kind of prompt. Use clicks or a box instead.',
  INVALID_PROMPT: 'The prompt was refused; check the frame and the object, then prompt again.',
  NETWORK:
    'The server does not answer. Check that it is still running; your edits are kept and sent when it is back.',
  TIMEOUT: 'The worker took too long. Try again, or a smaller request.',
  NOT_FOUND: 'It no longer exists (someone may have deleted it). Reload to see the current state.',
  CONNECTION: 'Reconnecting on its own; edits made meanwhile are kept and sent when the connection is back.',
};

export function hintFor(code: ProblemEntry['code']): string {
  return (
    (code && code !== 'CLIENT' && HINTS[code]) ||
    'Try again; if it keeps failing, quote the request id when reporting it.'
  );
}

export class ErrorLog {
  #entries: readonly ProblemEntry[] = [];
  #next = 1;
  readonly #listeners = new Set<() => void>();
  readonly #limit: number;

  constructor(limit = 100) {
    this.#limit = limit;
  }

  get entries(): readonly ProblemEntry[] {
    return this.#entries;
  }

  getEntries = (): readonly ProblemEntry[] => this.#entries;

  subscribe = (cb: () => void): (() => void) => {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  };

  /** Records a failure of `action`; returns the entry (a repeat bumps the latest one's count). */
  report(action: string, error: unknown, now = Date.now()): ProblemEntry {
    const code: ProblemEntry['code'] = isApiError(error) ? error.code : 'CLIENT';
    const message = error instanceof Error ? error.message : String(error);
    const requestId = isApiError(error) ? error.requestId : null;
    return this.add({ action, message, code, requestId, hint: hintFor(code) }, now);
  }

  add(entry: Omit<ProblemEntry, 'id' | 'at' | 'count'>, now = Date.now()): ProblemEntry {
    const last = this.#entries[0];
    if (last && last.action === entry.action && last.message === entry.message && last.code === entry.code) {
      const bumped = {
        ...last,
        at: now,
        count: last.count + 1,
        requestId: entry.requestId ?? last.requestId,
      };
      this.#entries = [bumped, ...this.#entries.slice(1)];
      this.#emit();
      return bumped;
    }
    const created: ProblemEntry = { ...entry, id: this.#next++, at: now, count: 1 };
    this.#entries = [created, ...this.#entries].slice(0, this.#limit);
    this.#emit();
    return created;
  }

  clear(): void {
    this.#entries = [];
    this.#emit();
  }

  #emit(): void {
    for (const cb of this.#listeners) cb();
  }
}
