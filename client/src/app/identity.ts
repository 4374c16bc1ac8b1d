/**
 * The display name this browser goes by (local mode has no accounts): kept in localStorage, sent
 * with every request and on the collaboration socket. `?as=<name>` in the URL sets it, which lets
 * two windows of one browser be two people.
 */
import { useState } from 'react';
import { DISPLAY_NAME_MAX_LENGTH } from '@maskroom/shared';
import { setClientIdentity } from '../api/http.js';

const KEY = 'maskroom.displayName';

function initialName(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('as');
  const stored = fromUrl ?? safeStorage()?.getItem(KEY) ?? '';
  return clean(stored);
}

const clean = (name: string): string => name.trim().slice(0, DISPLAY_NAME_MAX_LENGTH);

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The current name (empty until chosen) and a setter that persists it. */
export function useDisplayName(): [string, (name: string) => void] {
  const [name, setName] = useState(() => {
    const n = initialName();
    setClientIdentity(n || null);
    return n;
  });
  const update = (next: string): void => {
    const n = clean(next);
    safeStorage()?.setItem(KEY, n);
    setClientIdentity(n || null);
    setName(n);
  };
  return [name, update];
}
