import { describe, expect, it } from 'vitest';
import type { SessionId } from '@maskroom/shared';
import { parseRoute, sessionUrl } from './routing.js';

describe('parseRoute', () => {
  it('opens a session at the frame its address carries', () => {
    expect(parseRoute('/session/ses_abc', '?frame=42')).toEqual({
      page: 'session',
      sessionId: 'ses_abc',
      frame: 42,
    });
    expect(parseRoute('/session/ses_abc/', '')).toEqual({ page: 'session', sessionId: 'ses_abc', frame: 0 });
  });

  it('ignores a frame that is not a whole number', () => {
    for (const q of ['?frame=-1', '?frame=1.5', '?frame=abc', '?frame=99999999'])
      expect(parseRoute('/session/ses_abc', q)).toMatchObject({ frame: 0 });
  });

  it('reads /s/<token> as a share link, not a session', () => {
    expect(parseRoute('/s/tok.en-123_ABC', '')).toEqual({ page: 'link', token: 'tok.en-123_ABC' });
    expect(parseRoute('/s/ses_abc/', '?frame=3')).toEqual({ page: 'link', token: 'ses_abc' });
    expect(parseRoute('/s/a%2Eb', '')).toEqual({ page: 'link', token: 'a.b' });
  });

  it('sends anything else to the library', () => {
    for (const p of [
      '/',
      '/videos/x',
      '/s/',
      '/s/a/b',
      '/s/%zz',
      '/s/has%20space',
      `/s/${'x'.repeat(513)}`,
      '/session/',
      '/session/bad id!',
      '/session/a/b',
    ])
      expect(parseRoute(p, '')).toEqual({ page: 'library' });
  });
});

describe('sessionUrl', () => {
  it('makes addresses that parse back to the same session and frame', () => {
    const id = 'ses_abc' as SessionId;
    for (const frame of [0, 7, 1234]) {
      const url = new URL(sessionUrl(id, frame), 'http://x');
      expect(parseRoute(url.pathname, url.search)).toEqual({ page: 'session', sessionId: id, frame });
    }
  });
});
