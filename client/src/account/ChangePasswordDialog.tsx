import { useState } from 'react';
import { PASSWORD_MIN_LENGTH, changePasswordBodySchema } from '@maskroom/shared';
import { changePassword } from '../api/auth.js';
import { Dialog } from '../app/Dialog.js';
import { TextField } from '../app/TextField.js';
import { ErrorNote } from '../library/ErrorNote.js';
import { formIssue } from './formIssue.js';

/** The current password and a new one (twice); every other login of the account then ends. */
export function ChangePasswordDialog({ onClose }: { onClose(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const submit = async (): Promise<void> => {
    if (next !== again) {
      setProblem(new Error('the two new passwords differ'));
      return;
    }
    const parsed = changePasswordBodySchema.safeParse({ currentPassword: current, newPassword: next });
    if (!parsed.success) {
      setProblem(
        formIssue(parsed.error, { currentPassword: 'Current password', newPassword: 'New password' }),
      );
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await changePassword(parsed.data);
      setDone(true);
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Change password" testId="change-password-dialog" onClose={busy ? null : onClose}>
      {done ? (
        <>
          <p className="form-ok" data-testid="password-changed">
            Password changed. Your other logins (other browsers, other devices) have been logged out.
          </p>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form
          className="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void submit();
          }}
        >
          <TextField
            label="Current password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={setCurrent}
            testId="current-password"
          />
          <TextField
            label={`New password (at least ${PASSWORD_MIN_LENGTH} characters)`}
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={setNext}
            testId="new-password"
          />
          <TextField
            label="New password again"
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={setAgain}
            testId="confirm-password"
          />
          {problem !== null && <ErrorNote error={problem} testId="password-error" />}
          <div className="form-actions">
            <button type="button" className="btn" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save-password">
              {busy ? 'Saving…' : 'Change password'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
