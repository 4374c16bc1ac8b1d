/** The latest problem as a banner, and the history of them all with codes and request ids. */
import { useState, useSyncExternalStore } from 'react';
import type { ErrorLog, ProblemEntry } from './errorLog.js';

export function ErrorPanel({ log }: { log: ErrorLog }) {
  const entries = useSyncExternalStore(log.subscribe, log.getEntries);
  const [open, setOpen] = useState(false);
  const [dismissed, setDismissed] = useState(0);
  const latest = entries[0];
  const showBanner =
    latest && latest.id + latest.count / 1e6 !== dismissed && Date.now() - latest.at < 60_000;
  return (
    <>
      {showBanner && (
        <div className="error-banner" role="alert" data-testid="error-banner" data-code={latest.code ?? ''}>
          <Problem entry={latest} />
          <div className="error-actions">
            <button type="button" onClick={() => setOpen(true)}>
              History ({entries.length})
            </button>
            <button
              type="button"
              onClick={() => setDismissed(latest.id + latest.count / 1e6)}
              aria-label="Dismiss"
            >
              ✕
            </button>
          </div>
        </div>
      )}
      {!showBanner && entries.length > 0 && (
        <button
          type="button"
          className="error-history-button"
          onClick={() => setOpen(!open)}
          data-testid="error-history-button"
        >
          Problems ({entries.length})
        </button>
      )}
      {open && (
        <aside className="error-history" aria-label="Problems" data-testid="error-history">
          <header className="panel-header">
            <h2>Problems</h2>
            <button type="button" onClick={() => log.clear()}>
              Clear
            </button>
            <button type="button" onClick={() => setOpen(false)} aria-label="Close">
              ✕
            </button>
          </header>
          <ul>
            {entries.map((e) => (
              <li key={e.id}>
                <time>{new Date(e.at).toLocaleTimeString()}</time>
                <Problem entry={e} />
              </li>
            ))}
          </ul>
        </aside>
      )}
    </>
  );
}

function Problem({ entry }: { entry: ProblemEntry }) {
  return (
    <div className="problem">
      <strong>{entry.action} failed</strong>
      {entry.count > 1 && <span className="count"> ×{entry.count}</span>}: {entry.message}
      <div className="hint">{entry.hint}</div>
      {(entry.code || entry.requestId) && (
        <div className="meta">
          {entry.code && <code data-testid="error-code">{entry.code}</code>}
          {entry.requestId && (
            <>
              {' '}
              request id <code data-testid="error-request-id">{entry.requestId}</code>
            </>
          )}
        </div>
      )}
    </div>
  );
}
