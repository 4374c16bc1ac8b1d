/**
 * What the caller's role allows in the workspace (shared/src/roles.ts decides; this only words
 * it for the UI), so a disabled control can say why.
 */
import { can, type Action, type Role } from '@maskroom/shared';

export interface Permissions {
  readonly role: Role;
  /** Prompts, objects, names, colors, masks, propagation, undo. */
  readonly edit: boolean;
  readonly review: boolean;
  readonly comment: boolean;
  readonly resolve: boolean;
  readonly manage: boolean;
}

export function permissionsOf(role: Role): Permissions {
  return {
    role,
    edit: can(role, 'edit'),
    review: can(role, 'review'),
    comment: can(role, 'comment'),
    resolve: can(role, 'resolve'),
    manage: can(role, 'manage'),
  };
}

const WHAT: Record<Action, string> = {
  view: 'open this session',
  edit: 'change masks, objects or prompts',
  review: 'approve or reject objects',
  comment: 'comment',
  resolve: 'resolve comments',
  export: 'export',
  manage: 'share this session',
};

/** Why `action` is unavailable to `role` (null when it is available). */
export function deniedReason(role: Role, action: Action): string | null {
  return can(role, action) ? null : `As ${article(role)} ${role} you cannot ${WHAT[action]}.`;
}

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** The line shown above the workspace for a role that cannot edit (null for one that can). */
export function roleBannerText(role: Role): string | null {
  if (can(role, 'edit')) return null;
  if (can(role, 'review'))
    return 'You are reviewing: approve or reject objects and comment; masks are read-only.';
  if (can(role, 'comment')) return 'You can comment; masks and objects are read-only.';
  return 'You are viewing: masks, objects and comments are read-only.';
}
