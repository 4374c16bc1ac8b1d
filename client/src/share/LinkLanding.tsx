/**
 * Where a share link (`/s/<token>`) lands: what it opens (the video, the role, until when), a
 * display name for someone not logged in, and Join. A link that is expired, revoked or unknown
 * gets a page saying so and what to do.
 */
import { useEffect, useState } from 'react';
import {
  DISPLAY_NAME_MAX_LENGTH,
  displayNameSchema,
  type AuthMe,
  type LinkInfo,
  type SessionId,
} from '@maskroom/shared';
import { getLinkInfo, joinLink } from '../api/links.js';
import { isApiError } from '../api/http.js';
import { AuthForm } from '../account/AuthForm.js';
import { ErrorNote } from '../library/ErrorNote.js';
import { ROLE_DESCRIPTIONS, relativeTime } from './linkState.js';
import '../account/account.css';

export interface LinkLandingProps {
  readonly token: string;
  /** Null when not logged in (accounts mode). */
  readonly me: AuthMe | null;
  /** The name this browser already goes by (local mode, or a guest's), to suggest. */
  readonly suggestedName: string;
  /** After a successful join: the caller refreshes who this browser is, then opens the session. */
  onJoined(sessionId: SessionId, displayName: string | null): Promise<void>;
  /** A log-in or sign-up from this page. */
  onAuthed(me: AuthMe): void;
}

type Load = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; info: LinkInfo };

/** Codes that mean the link itself opens nothing (as opposed to a failure to ask). */
const DEAD_LINK_CODES = new Set(['LINK_EXPIRED', 'LINK_REVOKED', 'NOT_FOUND']);

export function LinkLanding(props: LinkLandingProps) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setLoad({ state: 'loading' });
    getLinkInfo(props.token, { signal: ctl.signal }).then(
      (info) => setLoad({ state: 'ready', info }),
      (error: unknown) => {
        if (!ctl.signal.aborted) setLoad({ state: 'failed', error });
      },
    );
    return () => ctl.abort();
  }, [props.token, attempt]);

  if (load.state === 'loading') {
    return (
      <section className="link-landing" data-testid="link-loading">
        Opening the link…
      </section>
    );
  }
  if (load.state === 'failed') {
    return <LinkProblem error={load.error} onRetry={() => setAttempt((a) => a + 1)} />;
  }
  return <JoinCard {...props} info={load.info} onDead={(error) => setLoad({ state: 'failed', error })} />;
}

function JoinCard(props: LinkLandingProps & { info: LinkInfo; onDead(error: unknown): void }) {
  const { info, me } = props;
  const account = me?.kind === 'account';
  const [name, setName] = useState(props.suggestedName);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const expires = new Date(info.expiresAt);

  const join = async (): Promise<void> => {
    let displayName: string | null = null;
    if (!account) {
      const parsed = displayNameSchema.safeParse(name);
      if (!parsed.success) {
        setProblem(new Error('Choose a display name first: the others in the session will see it.'));
        return;
      }
      displayName = parsed.data;
    }
    setBusy(true);
    setProblem(null);
    try {
      const joined = await joinLink(props.token, displayName === null ? {} : { displayName });
      await props.onJoined(joined.sessionId, displayName);
    } catch (error) {
      setBusy(false);
      if (isApiError(error) && DEAD_LINK_CODES.has(error.code)) props.onDead(error);
      else setProblem(error);
    }
  };

  return (
    <section className="link-landing" data-testid="link-landing" aria-label="Invitation">
      <h2>You are invited to a session</h2>
      <dl>
        <dt>Video</dt>
        <dd data-testid="link-video-title">{info.videoTitle}</dd>
        <dt>Your role</dt>
        <dd>
          <strong data-testid="link-role" data-role={info.role}>
            {info.role}
          </strong>{' '}
          <span className="form-note">({ROLE_DESCRIPTIONS[info.role]})</span>
        </dd>
        <dt>Link valid until</dt>
        <dd data-testid="link-expiry" title={info.expiresAt}>
          {expires.toLocaleString()} ({relativeTime(info.expiresAt, Date.now())})
        </dd>
      </dl>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void join();
        }}
      >
        {account ? (
          <p className="form-note">
            You join as <strong>{me.user.name}</strong>; the session will be in your library.
          </p>
        ) : (
          <label>
            Your name, as the others in the session will see it
            <input
              value={name}
              maxLength={DISPLAY_NAME_MAX_LENGTH}
              onChange={(e) => setName(e.target.value)}
              autoFocus
              data-testid="guest-name"
            />
          </label>
        )}
        {problem !== null && <ErrorNote error={problem} testId="join-error" />}
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || (!account && name.trim() === '')}
            data-testid="join-link"
          >
            {busy ? 'Joining…' : 'Join'}
          </button>
        </div>
      </form>
      {(me === null || me.kind === 'guest') && (
        <>
          <p className="link-or">
            Or, to keep this session in a library of your own, log in or sign up first:
          </p>
          <AuthForm invite={props.token} initialMode="signup" onAuthed={props.onAuthed} />
        </>
      )}
    </section>
  );
}

function LinkProblem({ error, onRetry }: { error: unknown; onRetry(): void }) {
  const code = isApiError(error) ? error.code : 'CLIENT';
  const what =
    code === 'LINK_EXPIRED'
      ? 'This link has expired.'
      : code === 'LINK_REVOKED'
        ? 'This link was revoked by the owner of the session.'
        : code === 'NOT_FOUND'
          ? 'This link does not open anything: it may be mistyped or cut short.'
          : null;
  return (
    <section className="link-landing link-error" role="alert" data-testid="link-error" data-code={code}>
      <h2>{what ?? 'The link could not be checked'}</h2>
      {what ? (
        <p>Ask the owner of the session for a new link.</p>
      ) : (
        <>
          <ErrorNote error={error} testId="link-error-detail" />
          <div className="form-actions">
            <button type="button" className="btn" onClick={onRetry}>
              Try again
            </button>
          </div>
        </>
      )}
    </section>
  );
}
