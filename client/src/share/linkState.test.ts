import { describe, expect, it } from 'vitest';
import { EXPIRY_CHOICES, linkState, relativeTime, shareUrl } from './linkState.js';

const now = Date.parse('2026-03-01T12:00:00.000Z');

describe('linkState', () => {
  it('is revoked once revoked, whatever its expiry', () => {
    expect(
      linkState({ expiresAt: '2027-01-01T00:00:00.000Z', revokedAt: '2026-02-01T00:00:00.000Z' }, now),
    ).toBe('revoked');
    expect(
      linkState({ expiresAt: '2020-01-01T00:00:00.000Z', revokedAt: '2019-12-01T00:00:00.000Z' }, now),
    ).toBe('revoked');
  });

  it('expires at its expiry time exactly', () => {
    const at = (iso: string) => linkState({ expiresAt: iso, revokedAt: null }, now);
    expect(at('2026-03-01T12:00:00.001Z')).toBe('active');
    expect(at('2026-03-01T12:00:00.000Z')).toBe('expired');
    expect(at('2026-02-28T12:00:00.000Z')).toBe('expired');
  });
});

describe('EXPIRY_CHOICES', () => {
  it('offers 1 hour, 1 day, 7 days and 30 days, shortest first', () => {
    expect(EXPIRY_CHOICES.map((c) => c.hours)).toEqual([1, 24, 168, 720]);
  });
});

describe('shareUrl', () => {
  it('joins the origin and the path with one slash', () => {
    expect(shareUrl('http://host:8080', '/s/abc')).toBe('http://host:8080/s/abc');
    expect(shareUrl('http://host/', 's/abc')).toBe('http://host/s/abc');
  });
});

describe('relativeTime', () => {
  it('says how far ahead or back, in the largest whole unit', () => {
    expect(relativeTime('2026-03-08T12:00:00.000Z', now)).toBe('in 7 days');
    expect(relativeTime('2026-03-01T13:00:00.000Z', now)).toBe('in 1 hour');
    expect(relativeTime('2026-03-01T12:59:50.000Z', now)).toBe('in 1 hour');
    expect(relativeTime('2026-03-01T12:45:00.000Z', now)).toBe('in 45 minutes');
    expect(relativeTime('2026-03-01T11:30:00.000Z', now)).toBe('30 minutes ago');
    expect(relativeTime('2026-03-01T12:00:10.000Z', now)).toBe('in less than a minute');
  });
});
