/**
 * Who this browser is to the server, asked once on load (`GET /api/auth/me`) and again after a
 * log-in, log-out or join. While the server does not answer it asks again on its own, so a page
 * opened before `npm start` finished comes up by itself.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuthMe } from '@maskroom/shared';
import { getMe } from '../api/auth.js';
import { isApiError } from '../api/http.js';

export type AuthState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  /** Accounts mode without a valid login. */
  | { readonly status: 'anonymous' }
  | { readonly status: 'known'; readonly me: AuthMe };

export interface Auth {
  readonly state: AuthState;
  /** Asks the server again; resolves once the state reflects its answer. */
  reload(): Promise<void>;
  /** Takes an answer that already says who the caller is (log-in, sign-up); null = logged out. */
  set(me: AuthMe | null): void;
}

const RETRY_MS = 3000;

export function useAuth(): Auth {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const generation = useRef(0);

  const reload = useCallback(async (): Promise<void> => {
    const mine = ++generation.current;
    try {
      const me = await getMe();
      if (mine === generation.current) setState(me ? { status: 'known', me } : { status: 'anonymous' });
    } catch (error) {
      if (mine === generation.current) setState({ status: 'failed', error });
    }
  }, []);

  const set = useCallback((me: AuthMe | null): void => {
    generation.current++;
    setState(me ? { status: 'known', me } : { status: 'anonymous' });
  }, []);

  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  const retrying = state.status === 'failed' && isApiError(state.error) && state.error.retryable;
  useEffect(() => {
    if (!retrying) return;
    const t = setTimeout(() => void reload(), RETRY_MS);
    return () => clearTimeout(t);
  }, [retrying, state, reload]);

  return { state, reload, set };
}
