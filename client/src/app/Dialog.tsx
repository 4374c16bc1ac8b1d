import { useEffect, useRef, type ReactNode } from 'react';
import './dialog.css';

export interface DialogProps {
  readonly title: string;
  readonly testId: string;
  readonly children: ReactNode;
  /** Escape, a click outside and the ✕ call it; null while something must not be interrupted. */
  readonly onClose: (() => void) | null;
  /** `alertdialog` for a question that interrupts, such as confirming a deletion. */
  readonly role?: 'dialog' | 'alertdialog';
}

/**
 * A small modal: focus moves into it (its first field or button) and back where it was on close.
 * The workspace's shortcuts must be switched off by its owner while it is open.
 */
export function Dialog({ title, testId, children, onClose, role = 'dialog' }: DialogProps) {
  const box = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    box.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.dialog-close)')?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && onCloseRef.current) {
        e.preventDefault();
        onCloseRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, []);

  return (
    <div
      className="dialog-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose?.();
      }}
    >
      <div ref={box} className="dialog" role={role} aria-modal="true" aria-label={title} data-testid={testId}>
        <header className="dialog-header">
          <h2>{title}</h2>
          <button
            type="button"
            className="dialog-close"
            aria-label="Close"
            disabled={!onClose}
            onClick={() => onClose?.()}
          >
            ✕
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
