/** A share link as the owner's list shows it: its state, when it ends, the address to send. */
import type { LinkRole, ShareLink } from '@maskroom/shared';

export type LinkState = 'active' | 'expired' | 'revoked';

export function linkState(link: Pick<ShareLink, 'expiresAt' | 'revokedAt'>, now: number): LinkState {
  if (link.revokedAt !== null) return 'revoked';
  return Date.parse(link.expiresAt) <= now ? 'expired' : 'active';
}

export const EXPIRY_CHOICES = [
  { label: '1 hour', hours: 1 },
  { label: '1 day', hours: 24 },
  { label: '7 days', hours: 24 * 7 },
  { label: '30 days', hours: 24 * 30 },
] as const;

export const ROLE_DESCRIPTIONS: Record<LinkRole, string> = {
  editor: 'can prompt, edit masks and objects, and comment',
  reviewer: 'can approve or reject objects and comment; masks are read-only',
  viewer: 'can look, not change anything',
};

/** The full address of a link's `/s/<token>` path on this site. */
export function shareUrl(origin: string, path: string): string {
  return `${origin.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** "in 3 days", "in 5 hours", "2 hours ago": coarse, for a list. */
export function relativeTime(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  let text = 'less than a minute';
  for (const [size, name] of units) {
    // A link made for an hour, looked at a few seconds later, still reads "in 1 hour".
    if (abs >= size * 0.98) {
      const n = Math.max(1, Math.round(abs / size));
      text = `${n} ${name}${n === 1 ? '' : 's'}`;
      break;
    }
  }
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
