/**
 * The live parts of an open session, made and torn down together: the collaboration connection,
 * the derived model, presence, and this participant's edit history (tracking every document
 * the connection opens). Created in an effect so React's StrictMode double mount makes two and
 * destroys one, rather than sharing a destroyed socket.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { SessionId } from '@maskroom/shared';
import { SessionConnection, type ConnectionStatus } from '../session/connection.js';
import { EditHistory } from '../session/history.js';
import { SessionModel, type SessionSnapshot } from '../session/model.js';
import { PresenceChannel, type Participant } from '../session/presence.js';

export interface SessionRuntime {
  readonly conn: SessionConnection;
  readonly model: SessionModel;
  readonly presence: PresenceChannel;
  readonly history: EditHistory;
}

export function createRuntime(
  sessionId: SessionId,
  name: string,
): { runtime: SessionRuntime; destroy(): void } {
  const history = new EditHistory({ maxSteps: 100 });
  const conn = new SessionConnection({ sessionId, name, origin: history.origin });
  history.track(conn.main.doc, conn.main.undoScope());
  const offChunk = conn.onChunk((c) => history.track(c.provider.document, c.masks.undoScope()));
  const model = new SessionModel(conn);
  const presence = new PresenceChannel(conn.mainProvider);
  let wasConnected = false;
  const offStatus = conn.onStatus(() => {
    const connected = conn.status.socket === 'connected';
    // The server forgot this participant's presence with the old socket: say it again.
    if (connected && !wasConnected) presence.announce();
    wasConnected = connected;
  });
  return {
    runtime: { conn, model, presence, history },
    destroy() {
      offStatus();
      offChunk();
      presence.destroy();
      model.destroy();
      history.destroy();
      conn.destroy();
    },
  };
}

export function useRuntime(sessionId: SessionId, name: string): SessionRuntime | null {
  const [runtime, setRuntime] = useState<SessionRuntime | null>(null);
  useEffect(() => {
    const made = createRuntime(sessionId, name);
    setRuntime(made.runtime);
    return () => {
      setRuntime(null);
      made.destroy();
    };
  }, [sessionId, name]);
  return runtime;
}

const noop = (): (() => void) => () => undefined;

export function useSnapshot(runtime: SessionRuntime | null): SessionSnapshot | null {
  return useSyncExternalStore(runtime?.model.subscribe ?? noop, () => runtime?.model.getSnapshot() ?? null);
}

export function useParticipants(runtime: SessionRuntime | null): readonly Participant[] {
  return useSyncExternalStore(
    runtime?.presence.subscribe ?? noop,
    () => runtime?.presence.getOthers() ?? EMPTY,
  );
}
const EMPTY: readonly Participant[] = [];

export function useConnectionStatus(runtime: SessionRuntime | null): ConnectionStatus | null {
  return useSyncExternalStore(
    (cb) => runtime?.conn.onStatus(cb) ?? (() => undefined),
    () => runtime?.conn.status ?? null,
  );
}

export function useHistoryState(runtime: SessionRuntime | null): {
  canUndo: boolean;
  canRedo: boolean;
  undoLabel: string | null;
  redoLabel: string | null;
} {
  const [, setTick] = useState(0);
  useEffect(() => runtime?.history.onChange(() => setTick((t) => t + 1)), [runtime]);
  const h = runtime?.history;
  return {
    canUndo: h?.canUndo ?? false,
    canRedo: h?.canRedo ?? false,
    undoLabel: h?.undoLabel ?? null,
    redoLabel: h?.redoLabel ?? null,
  };
}
