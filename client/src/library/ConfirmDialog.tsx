import type { ReactNode } from 'react';
import { Dialog } from '../app/Dialog.js';
import { ErrorNote } from './ErrorNote.js';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Asks to confirm a destructive action. Cancel comes first, so it takes the focus and a stray
 * Enter does not destroy anything; Escape and a click outside cancel unless the action is under way.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, children, confirmLabel, busy, error, onConfirm, onCancel } = props;
  return (
    <Dialog title={title} testId="confirm-dialog" role="alertdialog" onClose={busy ? null : onCancel}>
      <div className="dialog-body">{children}</div>
      {error !== null && error !== undefined && <ErrorNote error={error} testId="dialog-error" />}
      <div className="form-actions">
        <button
          type="button"
          className="lib-button"
          data-testid="cancel-delete"
          onClick={onCancel}
          disabled={busy}
        >
          Cancel
        </button>
        <button
          type="button"
          className="lib-button lib-button-danger"
          data-testid="confirm-delete"
          onClick={onConfirm}
          disabled={busy}
        >
          {busy ? 'Deleting…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
