import { colorForUser, DISPLAY_NAME_MAX_LENGTH, type PresenceUser, type UserId } from '@maskroom/shared';
import { cleanText } from '../http/upload.js';

/** The local user when the browser gave no name. */
export const LOCAL_USER = 'local' as UserId;
const DEFAULT_NAME = 'Local user';

/**
 * Local mode's participant for a requested display name: the id is a hash of the cleaned name, so
 * the same name is the same user across reloads and sockets, and different names are different
 * users. Not an authentication: anyone on the loopback interface is trusted in local mode.
 */
export function localUser(requestedName: string | null | undefined): PresenceUser & { id: UserId } {
  const name = cleanText(requestedName ?? '')
    .trim()
    .slice(0, DISPLAY_NAME_MAX_LENGTH);
  const id = name ? (`local-${fnv1a(name.toLowerCase())}` as UserId) : LOCAL_USER;
  return { id, name: name || DEFAULT_NAME, color: colorForUser(id) };
}

function fnv1a(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

/**
 * The name a browser sends in its header: percent-encoded UTF-8 (header values are Latin-1), or
 * plain text from other clients (a malformed escape is taken literally).
 */
export function nameFromHeader(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
