/**
 * The places of the app and their URLs: the library at `/`, a session's workspace at
 * `/session/<sessionId>?frame=<n>` (so an address opens a session at a frame), and a share link's
 * landing page at `/s/<token>`.
 */
import { useEffect, useState } from 'react';
import { sessionIdSchema, type SessionId } from '@maskroom/shared';

export type Route =
  | { readonly page: 'library' }
  | { readonly page: 'session'; readonly sessionId: SessionId; readonly frame: number }
  | { readonly page: 'link'; readonly token: string };

/** Longer than any token the server hands out; a longer segment is not a link. */
const TOKEN_MAX_LENGTH = 512;

export function parseRoute(pathname: string, search: string): Route {
  const session = /^\/session\/([^/]+)\/?$/.exec(pathname);
  if (session) {
    const id = sessionIdSchema.safeParse(decodeSegment(session[1]!));
    if (!id.success) return { page: 'library' };
    const raw = new URLSearchParams(search).get('frame');
    const frame = raw !== null && /^\d{1,7}$/.test(raw) ? Number(raw) : 0;
    return { page: 'session', sessionId: id.data, frame };
  }
  const link = /^\/s\/([^/]+)\/?$/.exec(pathname);
  if (link) {
    const token = decodeSegment(link[1]!);
    // The server decides whether a token is valid; this only keeps out what cannot be one.
    if (token && token.length <= TOKEN_MAX_LENGTH && /^[\x21-\x7e]+$/.test(token)) {
      return { page: 'link', token };
    }
  }
  return { page: 'library' };
}

/** A malformed percent-escape (`%zz`) is no address of ours. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function sessionUrl(sessionId: SessionId, frame?: number): string {
  return `/session/${encodeURIComponent(sessionId)}${frame ? `?frame=${frame}` : ''}`;
}

/** Goes to `url` in this tab (a history entry, no reload); `replace` swaps the current entry. */
export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
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
