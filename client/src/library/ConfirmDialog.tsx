import { useEffect, useRef, type ReactNode } from 'react';
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
 * A small modal asking to confirm a destructive action. Focus starts on Cancel, so a stray Enter
 * does not destroy anything; Escape and a click outside cancel.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, children, confirmLabel, busy, error, onConfirm, onCancel } = props;
  const cancelButton = useRef<HTMLButtonElement>(null);
  const onCancelRef = useRef(onCancel);
  useEffect(() => {
    onCancelRef.current = onCancel;
  }, [onCancel]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelButton.current?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onCancelRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, []);

  return (
    <div
      className="lib-backdrop"
      data-testid="dialog-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget && !busy) onCancel();
      }}
    >
      <div
        className="lib-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="lib-dialog-title"
        data-testid="confirm-dialog"
      >
        <h2 id="lib-dialog-title">{title}</h2>
        <div className="lib-dialog-body">{children}</div>
        {error !== null && error !== undefined && <ErrorNote error={error} testId="dialog-error" />}
        <div className="lib-dialog-actions">
          <button
            ref={cancelButton}
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
      </div>
    </div>
  );
}
