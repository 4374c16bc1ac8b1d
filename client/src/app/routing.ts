/**
 * The two places of the app and their URLs: the library at `/`, a session's workspace at
 * `/s/<sessionId>?frame=<n>`, so a link opens a session at a frame.
 */
import { useEffect, useState } from 'react';
import { sessionIdSchema, type SessionId } from '@maskroom/shared';

export type Route =
  | { readonly page: 'library' }
  | { readonly page: 'session'; readonly sessionId: SessionId; readonly frame: number };

export function parseRoute(pathname: string, search: string): Route {
  const m = /^\/s\/([^/]+)\/?$/.exec(pathname);
  const id = m ? sessionIdSchema.safeParse(decodeURIComponent(m[1]!)) : null;
  if (!id?.success) return { page: 'library' };
  const raw = new URLSearchParams(search).get('frame');
  const frame = raw !== null && /^\d{1,7}$/.test(raw) ? Number(raw) : 0;
  return { page: 'session', sessionId: id.data, frame };
}

export function sessionUrl(sessionId: SessionId, frame?: number): string {
  return `/s/${encodeURIComponent(sessionId)}${frame ? `?frame=${frame}` : ''}`;
}

/** Goes to `url` in this tab (a history entry, no reload). */
export function navigate(url: string): void {
  window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** Keeps the URL's frame in step with the playhead without adding history entries. */
export function replaceFrameInUrl(frame: number): void {
  const url = new URL(window.location.href);
  if (frame === 0) url.searchParams.delete('frame');
  else url.searchParams.set('frame', String(frame));
  window.history.replaceState(window.history.state, '', url);
}

export function useRoute(): Route {
  const read = (): Route => parseRoute(window.location.pathname, window.location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onPop = (): void => setRoute(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return route;
}
