import { MaskroomError, parseDocName, type DocName, type SessionId, writesDocuments } from '@maskroom/shared';
import type { Caller as AuthCaller } from '../auth/AuthService.js';
import type { SessionAccess } from '../auth/SessionAccess.js';

/** What a caller may do with one session's documents. */
export type Access = 'write' | 'read';

/** Who is connecting, as established from the cookie (account, share-link guest) or local mode. */
export type Caller = AuthCaller;

/**
 * The one decision point for the collaboration socket: may `caller` open `docName`, and may they
 * write to it? Throws `FORBIDDEN` / `NOT_FOUND`. The accounts issue replaces the local policy
 * with roles; every document open goes through here.
 */
export interface Authorizer {
  authorize(caller: Caller, session: SessionId): Promise<Access>;
}

export interface SessionLookup {
  getSession(id: SessionId): Promise<{ id: SessionId } | null>;
}

/** Local mode: the one local user owns every session that exists. */
export class LocalAuthorizer implements Authorizer {
  constructor(private readonly sessions: SessionLookup) {}

  async authorize(_caller: Caller, session: SessionId): Promise<Access> {
    if (!(await this.sessions.getSession(session))) throw new MaskroomError('NOT_FOUND', 'no such session');
    return 'write';
  }
}

/**
 * Accounts mode: the caller's role in the session decides. Owners and editors write; reviewers
 * and viewers read (their updates are refused and never stored); no role is `NOT_FOUND`.
 */
export class RoleAuthorizer implements Authorizer {
  constructor(private readonly access: SessionAccess) {}

  async authorize(caller: Caller, session: SessionId): Promise<Access> {
    const role = await this.access.require(caller, session, 'view');
    return writesDocuments(role) ? 'write' : 'read';
  }
}

/** A document name the socket may serve, or `INVALID_REQUEST`. */
export function requireDocName(name: string): DocName {
  const parsed = parseDocName(name);
  if (!parsed)
    throw new MaskroomError(
      'INVALID_REQUEST',
      `not a Maskroom document name: ${JSON.stringify(name.slice(0, 100))}`,
    );
  return parsed;
}
