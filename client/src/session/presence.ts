/**
 * This participant's presence (playhead, cursor, selection, following) published through the main
 * document's awareness, and everyone else's as the server relays it. Cursor moves are throttled to
 * {@link PRESENCE_MAX_UPDATES_PER_SECOND}; the whole state is announced again after a reconnect,
 * since the server dropped it with the old socket.
 */
import type { HocuspocusProvider } from '@hocuspocus/provider';
import {
  PRESENCE_MAX_UPDATES_PER_SECOND,
  presenceSchema,
  type Presence,
  type PresenceView,
} from '@maskroom/shared';

export interface Participant extends Presence {
  /** The awareness client id (one per tab). */
  readonly clientId: number;
}

const INTERVAL_MS = 1000 / PRESENCE_MAX_UPDATES_PER_SECOND;

export class PresenceChannel {
  readonly #provider: HocuspocusProvider;
  readonly #listeners = new Set<() => void>();
  #view: PresenceView = {
    frame: 0 as PresenceView['frame'],
    cursor: null,
    selectedObjId: null,
    following: null,
  };
  #others: readonly Participant[] = [];
  #lastSent = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #onChange = (): void => this.#refresh();

  constructor(provider: HocuspocusProvider) {
    this.#provider = provider;
    provider.awareness?.on('change', this.#onChange);
    this.#send();
  }

  get others(): readonly Participant[] {
    return this.#others;
  }

  subscribe = (cb: () => void): (() => void) => {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  };

  getOthers = (): readonly Participant[] => this.#others;

  /** Updates this participant's view; sent at most {@link PRESENCE_MAX_UPDATES_PER_SECOND} times a second. */
  update(patch: Partial<PresenceView>): void {
    this.#view = { ...this.#view, ...patch };
    const wait = this.#lastSent + INTERVAL_MS - performance.now();
    if (wait <= 0) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), wait);
  }

  /** Sends the whole state again (after a reconnect). */
  announce(): void {
    this.#send();
  }

  #send(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#lastSent = performance.now();
    this.#provider.awareness?.setLocalState({ ...this.#view });
  }

  #refresh(): void {
    const awareness = this.#provider.awareness;
    if (!awareness) return;
    const others: Participant[] = [];
    for (const [clientId, state] of awareness.getStates()) {
      if (clientId === awareness.clientID) continue;
      const parsed = presenceSchema.safeParse(state);
      if (parsed.success) others.push({ ...parsed.data, clientId });
    }
    others.sort((a, b) => a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId);
    this.#others = others;
    for (const cb of this.#listeners) cb();
  }

  destroy(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#provider.awareness?.off('change', this.#onChange);
    this.#provider.awareness?.setLocalState(null);
    this.#listeners.clear();
  }
}
