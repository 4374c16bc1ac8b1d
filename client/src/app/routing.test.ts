import { describe, expect, it } from 'vitest';
import { parseRoute } from './routing.js';

describe('parseRoute', () => {
  it('opens a session at the frame its link carries', () => {
    expect(parseRoute('/s/ses_abc', '?frame=42')).toEqual({
      page: 'session',
      sessionId: 'ses_abc',
      frame: 42,
    });
    expect(parseRoute('/s/ses_abc/', '')).toEqual({ page: 'session', sessionId: 'ses_abc', frame: 0 });
  });

  it('ignores a frame that is not a whole number', () => {
    for (const q of ['?frame=-1', '?frame=1.5', '?frame=abc', '?frame=99999999'])
      expect(parseRoute('/s/ses_abc', q)).toMatchObject({ frame: 0 });
  });

  it('sends anything else to the library', () => {
    for (const p of ['/', '/videos/x', '/s/', '/s/bad id!', '/s/a/b'])
      expect(parseRoute(p, '')).toEqual({ page: 'library' });
  });
});
