/** The collaboration socket's state, when it is not simply "connected and saved". */
import type { ConnectionStatus } from '../session/connection.js';

export function ConnectionBanner({ status }: { status: ConnectionStatus | null }) {
  if (!status) return null;
  if (status.refused) {
    return (
      <div
        className="conn-banner conn-refused"
        role="alert"
        data-testid="connection-banner"
        data-state="refused"
      >
        The server refused this session: {status.refused}. Go back to the library and open it again.
      </div>
    );
  }
  const saving = status.unsynced > 0;
  const state = status.socket !== 'connected' ? status.socket : saving ? 'saving' : 'saved';
  const text =
    status.socket === 'disconnected'
      ? `Connection lost, reconnecting…${saving ? ` ${status.unsynced} change${status.unsynced === 1 ? '' : 's'} not yet saved (kept here, sent when back).` : ''}`
      : status.socket === 'connecting'
        ? status.mainSynced
          ? 'Reconnecting…'
          : 'Connecting…'
        : saving
          ? `Saving ${status.unsynced} change${status.unsynced === 1 ? '' : 's'}…`
          : 'All changes saved';
  return (
    <span
      className={`conn-status conn-${state}`}
      data-testid="connection-status"
      data-state={state}
      role="status"
    >
      {text}
    </span>
  );
}
