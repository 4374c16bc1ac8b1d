/**
 * Who may do what in a session (DESIGN §7), defined once: the server enforces it on every HTTP
 * route and on the collaboration socket, the client uses it to disable what a role cannot do.
 */
export const ROLES = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a share link may carry (ownership is never shared). */
export const LINK_ROLES = ['editor', 'reviewer', 'viewer'] as const;
export type LinkRole = (typeof LINK_ROLES)[number];

export const ACTIONS = [
  /** See the session: its video, frames, documents (read-only), jobs. */
  'view',
  /** Prompts, objects, propagations, reset, mask edits: writing the session's documents. */
  'edit',
  /** Approve or reject objects. */
  'review',
  /** Leave comments. */
  'comment',
  /** Mark comments resolved (or open again). */
  'resolve',
  /** Export masks and annotations. */
  'export',
  /** Rename or delete the video, create, list and revoke share links. */
  'manage',
] as const;
export type Action = (typeof ACTIONS)[number];

const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  owner: new Set(ACTIONS),
  editor: new Set(['view', 'edit', 'comment', 'resolve', 'export']),
  reviewer: new Set(['view', 'review', 'comment', 'export']),
  viewer: new Set(['view', 'export']),
};

export function can(role: Role | null | undefined, action: Action): boolean {
  return role ? PERMISSIONS[role].has(action) : false;
}

/** Whether the role writes the session's documents on the collaboration socket. */
export const writesDocuments = (role: Role): boolean => can(role, 'edit');

/** The stronger of two roles (a member who also opens a link keeps the better one). */
export function strongerRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}
