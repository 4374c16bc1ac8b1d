/**
 * Log in or sign up (accounts mode). The fields are checked with the shared schemas before they
 * are sent; the server's refusals are shown with their code and request id, and a closed sign-up
 * says how to get in.
 */
import { useState } from 'react';
import { loginBodySchema, signupBodySchema, type AuthMe } from '@maskroom/shared';
import { login, signup } from '../api/auth.js';
import { isApiError } from '../api/http.js';
import { TextField } from '../app/TextField.js';
import { ErrorNote } from '../library/ErrorNote.js';
import '../app/dialog.css';
import { formIssue } from './formIssue.js';
import './account.css';

const LABELS = { email: 'Email', password: 'Password', displayName: 'Display name' };

export type AuthFormMode = 'login' | 'signup';

export interface AuthFormProps {
  /** A share link's token: lets one sign up where sign-up is by invitation. */
  readonly invite?: string;
  readonly initialMode?: AuthFormMode;
  onAuthed(me: AuthMe): void;
}

export function AuthForm({ invite, initialMode = 'login', onAuthed }: AuthFormProps) {
  const [mode, setMode] = useState<AuthFormMode>(initialMode);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);

  const submit = async (): Promise<void> => {
    let send: () => Promise<AuthMe>;
    if (mode === 'login') {
      const parsed = loginBodySchema.safeParse({ email, password });
      if (!parsed.success) return setProblem(formIssue(parsed.error, LABELS));
      send = () => login(parsed.data);
    } else {
      const parsed = signupBodySchema.safeParse({
        email,
        password,
        displayName,
        ...(invite ? { invite } : {}),
      });
      if (!parsed.success) return setProblem(formIssue(parsed.error, LABELS));
      send = () => signup(parsed.data);
    }
    setBusy(true);
    setProblem(null);
    try {
      onAuthed(await send());
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  const signupClosed = isApiError(problem) && problem.code === 'SIGNUP_CLOSED';
  return (
    <form
      className="auth-form form-grid"
      data-testid="auth-form"
      data-mode={mode}
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void submit();
      }}
    >
      <div className="auth-tabs" role="tablist">
        {(['login', 'signup'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={`auth-tab${mode === m ? ' active' : ''}`}
            data-testid={`auth-${m}-tab`}
            onClick={() => {
              setMode(m);
              setProblem(null);
            }}
          >
            {m === 'login' ? 'Log in' : 'Sign up'}
          </button>
        ))}
      </div>
      <TextField
        label={LABELS.email}
        type="email"
        autoComplete="email"
        value={email}
        onChange={setEmail}
        testId="auth-email"
        required
      />
      <TextField
        label={LABELS.password}
        type="password"
        autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
        value={password}
        onChange={setPassword}
        testId="auth-password"
        required
      />
      {mode === 'signup' && (
        <TextField
          label="Display name, as the others in a session will see it"
          value={displayName}
          maxLength={80}
          autoComplete="nickname"
          onChange={setDisplayName}
          testId="auth-display-name"
          required
        />
      )}
      {mode === 'signup' && invite && (
        <p className="form-note">You are signing up with the invitation this link carries.</p>
      )}
      {problem !== null && <ErrorNote error={problem} testId="auth-error" />}
      {signupClosed && (
        <p className="form-note" data-testid="signup-closed">
          Sign-up needs an invitation link: ask the owner of a session to share it with you, open that link,
          and sign up from there.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="auth-submit">
          {busy ? 'Please wait…' : mode === 'login' ? 'Log in' : 'Create the account'}
        </button>
      </div>
    </form>
  );
}
