import { useEffect, useState, type ReactNode } from 'react';
import type { AuthMe, SessionId } from '@maskroom/shared';
import { AccountBar } from './account/AccountBar.js';
import { AuthForm } from './account/AuthForm.js';
import { useAuth, type Auth } from './account/useAuth.js';
import { navigate, sessionUrl, useRoute, type Route } from './app/routing.js';
import { useDisplayName } from './app/identity.js';
import { useServerHealth } from './health.js';
import { ErrorNote } from './library/ErrorNote.js';
import { LibraryPage } from './library/LibraryPage.js';
import { LinkLanding } from './share/LinkLanding.js';
import { WorkspacePage } from './workspace/WorkspacePage.js';
import './account/account.css';

/**
 * Who the browser is decides what a route shows. Local mode: a display name is all it takes.
 * Accounts mode: log in (or come in through a share link) first; an account has a library, a
 * guest only the one session its link opened.
 */
export function App() {
  const route = useRoute();
  const auth = useAuth();
  const [name, setName] = useDisplayName();
  const state = auth.state;
  const me = state.status === 'known' ? state.me : null;

  // A guest has one session: the library's address leads there.
  const guestHome = me?.kind === 'guest' && route.page === 'library' ? (me.guest?.sessionId ?? null) : null;
  useEffect(() => {
    if (guestHome) navigate(sessionUrl(guestHome), { replace: true });
  }, [guestHome]);

  if (me && route.page === 'session') {
    const workspace = workspaceFor(me, route, name);
    if (workspace) return workspace;
  }

  const onJoined = async (sessionId: SessionId, displayName: string | null): Promise<void> => {
    if (displayName && me?.mode === 'local') setName(displayName);
    // A guest login's cookie came with the answer: who this browser is has changed.
    await auth.reload();
    navigate(sessionUrl(sessionId));
  };

  let body: ReactNode;
  if (route.page === 'link' && (state.status === 'known' || state.status === 'anonymous')) {
    body = (
      <LinkLanding
        token={route.token}
        me={me}
        suggestedName={me?.kind === 'guest' ? me.user.name : name}
        onJoined={onJoined}
        onAuthed={auth.set}
      />
    );
  } else if (state.status === 'loading') {
    body = (
      <p className="form-note" data-testid="auth-loading">
        Checking who you are…
      </p>
    );
  } else if (state.status === 'failed') {
    body = <AuthFailed auth={auth} error={state.error} />;
  } else if (state.status === 'anonymous') {
    body = (
      <section className="auth-page" data-testid="auth-page" aria-label="Log in">
        <h2>Log in to continue</h2>
        <AuthForm onAuthed={auth.set} />
      </section>
    );
  } else if (me?.mode === 'local') {
    body = !name ? (
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
    );
  } else if (me?.kind === 'account') {
    body = (
      <>
        <AccountBar
          me={me}
          onLoggedOut={() => {
            auth.set(null);
            navigate('/');
          }}
        />
        {route.page === 'library' && <LibraryPage onOpenSession={(id) => navigate(sessionUrl(id))} />}
      </>
    );
  } else {
    body = (
      <p className="form-note" data-testid="guest-redirect">
        Opening your session…
      </p>
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
      {body}
    </main>
  );
}

/** The workspace for a known caller, or null while something else must come first (a name). */
function workspaceFor(me: AuthMe, route: Extract<Route, { page: 'session' }>, localName: string): ReactNode {
  // Another session is another workspace (fresh state), hence the key.
  const key = route.sessionId;
  const common = { sessionId: route.sessionId, initialFrame: route.frame };
  if (me.mode === 'local') {
    if (!localName) return null;
    return (
      <WorkspacePage key={key} {...common} name={localName} mode="local" onLeave={() => navigate('/')} />
    );
  }
  if (me.kind === 'guest') {
    const home = me.guest?.sessionId;
    const elsewhere = home && home !== route.sessionId ? home : null;
    return (
      <WorkspacePage
        key={key}
        {...common}
        name={me.user.name}
        mode="accounts"
        onLeave={elsewhere ? () => navigate(sessionUrl(elsewhere)) : null}
        leaveLabel="Back to your session"
      />
    );
  }
  return (
    <WorkspacePage key={key} {...common} name={me.user.name} mode="accounts" onLeave={() => navigate('/')} />
  );
}

function AuthFailed({ auth, error }: { auth: Auth; error: unknown }) {
  return (
    <section className="auth-page" data-testid="auth-failed">
      <p>The server could not tell who you are, so nothing can be shown yet.</p>
      <ErrorNote error={error} testId="auth-error" />
      <button type="button" className="btn" onClick={() => void auth.reload()}>
        Try again
      </button>
    </section>
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
