/**
 * The DOM side of the shortcut table: one keydown listener on window for the workspace.
 */
import { useEffect, useRef } from 'react';
import { matchShortcut } from './keymap.js';
import type { ShortcutAction } from './keymap.js';

export interface UseShortcutsOptions {
  /** While false the listener stays attached but ignores every key (e.g. a modal is open). */
  readonly enabled?: boolean;
}

/**
 * Calls `handler` with the action of each matching keydown and prevents the browser's default for
 * it (Space scrolling, Backspace navigating). Keys a focused control already handled
 * (`defaultPrevented`) are left alone. The handler may change on every render without
 * re-attaching the listener.
 */
export function useShortcuts(
  handler: (action: ShortcutAction) => void,
  options: UseShortcutsOptions = {},
): void {
  const handlerRef = useRef(handler);
  const enabledRef = useRef(options.enabled ?? true);
  useEffect(() => {
    handlerRef.current = handler;
    enabledRef.current = options.enabled ?? true;
  });
  useEffect(() => {
    const apple = isApplePlatform();
    const onKeyDown = (e: KeyboardEvent): void => {
      if (!enabledRef.current || e.defaultPrevented) return;
      const action = matchShortcut(e, { apple });
      if (action === null) return;
      e.preventDefault();
      handlerRef.current(action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

interface NavigatorUAData {
  readonly platform?: string;
}

/** Whether Mod means Cmd here. */
export function isApplePlatform(): boolean {
  if (typeof navigator === 'undefined') return false;
  const uaData = (navigator as Navigator & { userAgentData?: NavigatorUAData }).userAgentData;
  const platform = uaData?.platform ?? navigator.platform ?? '';
  return /mac|iphone|ipad|ipod/i.test(platform);
}
