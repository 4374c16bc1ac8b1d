/**
 * The keyboard shortcut help: a modal listing the shortcut table, closed by Esc or a click
 * outside it.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import type { MouseEvent } from 'react';
import { shortcutTable } from './keymap.js';
import { isApplePlatform } from './useShortcuts.js';
import './shortcuts.css';

export interface ShortcutsOverlayProps {
  onClose(): void;
}

/** Render it only while open. */
export function ShortcutsOverlay({ onClose }: ShortcutsOverlayProps) {
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });
  const rows = useMemo(() => shortcutTable(isApplePlatform() ? 'apple' : 'other'), []);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialogRef.current?.focus();
    // Capture phase on window: Esc closes the overlay before any other listener (the workspace's
    // own Esc would otherwise also clear the selection).
    const onKeyDown = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      closeRef.current();
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      previous?.focus({ preventScroll: true });
    };
  }, []);

  const onBackdrop = (e: MouseEvent<HTMLDivElement>): void => {
    if (e.target === e.currentTarget) onClose();
  };

  return (
    <div className="shortcuts-backdrop" onMouseDown={onBackdrop}>
      <div
        ref={dialogRef}
        className="shortcuts-dialog"
        data-testid="shortcuts-overlay"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
      >
        <header className="shortcuts-header">
          <h2 id={titleId}>Keyboard shortcuts</h2>
          <button type="button" className="shortcuts-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <table className="shortcuts-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.action} data-action={r.action}>
                <td className="shortcuts-keys">
                  {r.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && <span className="shortcuts-or"> or </span>}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{r.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
