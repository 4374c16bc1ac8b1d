import { useState } from 'react';
import type { AuthMe } from '@maskroom/shared';
import { logout } from '../api/auth.js';
import { ErrorNote } from '../library/ErrorNote.js';
import { ChangePasswordDialog } from './ChangePasswordDialog.js';

/** The logged-in account: its name, log out, change password. */
export function AccountBar({ me, onLoggedOut }: { me: AuthMe; onLoggedOut(): void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [changing, setChanging] = useState(false);

  const doLogout = async (): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      await logout();
      onLoggedOut();
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  };

  return (
    <div className="account-bar" data-testid="account-bar">
      <span className="account-who">
        <span className="account-dot" style={{ background: me.user.color }} />
        <strong data-testid="account-name">{me.user.name}</strong>
        {me.email && <span className="account-email"> · {me.email}</span>}
      </span>
      <button
        type="button"
        className="btn btn-quiet"
        onClick={() => setChanging(true)}
        data-testid="change-password"
      >
        Change password
      </button>
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={() => void doLogout()}
        data-testid="logout"
      >
        {busy ? 'Logging out…' : 'Log out'}
      </button>
      {problem !== null && <ErrorNote error={problem} testId="logout-error" />}
      {changing && <ChangePasswordDialog onClose={() => setChanging(false)} />}
    </div>
  );
}
