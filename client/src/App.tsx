import { useState } from 'react';
import { navigate, sessionUrl, useRoute } from './app/routing.js';
import { useDisplayName } from './app/identity.js';
import { useServerHealth } from './health.js';
import { LibraryPage } from './library/LibraryPage.js';
import { WorkspacePage } from './workspace/WorkspacePage.js';

export function App() {
  const route = useRoute();
  const [name, setName] = useDisplayName();
  if (route.page === 'session' && name) {
    return (
      <WorkspacePage
        key={route.sessionId}
        sessionId={route.sessionId}
        initialFrame={route.frame}
        name={name}
        onLeave={() => navigate('/')}
      />
    );
  }
  return (
    <main className="shell">
      <header className="shell-header">
        <div>
          <h1>Maskroom</h1>
          <p className="tagline">Segment video together, live.</p>
        </div>
        <ServerStatus />
      </header>
      {!name ? (
        <NamePrompt onName={setName} />
      ) : (
        <>
          <p className="whoami">
            You are <strong data-testid="display-name">{name}</strong>{' '}
            <button type="button" className="link" onClick={() => setName('')}>
              change
            </button>
          </p>
          {route.page === 'library' && <LibraryPage onOpenSession={(id) => navigate(sessionUrl(id))} />}
        </>
      )}
    </main>
  );
}

function ServerStatus() {
  const health = useServerHealth();
  return (
    <section
      aria-label="Server status"
      className={`status status-${health.state}`}
      data-testid="server-status"
    >
      {health.state === 'checking' && 'Connecting to the server…'}
      {health.state === 'ok' && `Server ready (v${health.version})`}
      {health.state === 'down' && `Server unavailable: ${health.reason}. Is \`npm start\` still running?`}
    </section>
  );
}

/** Local mode has no accounts: a name is all it takes to tell people apart. */
function NamePrompt({ onName }: { onName(name: string): void }) {
  const [draft, setDraft] = useState('');
  return (
    <form
      className="name-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (draft.trim()) onName(draft);
      }}
    >
      <label>
        Your name, as the others in a session will see it{' '}
        <input
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          maxLength={80}
          autoFocus
          data-testid="name-input"
        />
      </label>
      <button type="submit" disabled={!draft.trim()} data-testid="name-submit">
        Continue
      </button>
    </form>
  );
}
