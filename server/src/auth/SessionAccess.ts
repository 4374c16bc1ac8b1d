/**
 * The one answer to "what role does this caller have in this session?" and "may it do this?",
 * for HTTP routes and the collaboration socket alike. No role means the session is not revealed:
 * `NOT_FOUND`, as for one that does not exist.
 */
import { MaskroomError, can, type Action, type Role, type SessionId, type VideoId } from '@maskroom/shared';
import type { Caller } from './AuthService.js';
import type { AuthStore } from './AuthStore.js';

export interface SessionLookup {
  getSession(id: SessionId): Promise<{ id: SessionId } | null>;
  sessionOfVideo(id: VideoId): Promise<{ id: SessionId } | null>;
}

/** What a video route knows of its video. */
export interface VideoRef {
  readonly id: VideoId;
  readonly createdBy: string;
}

export class SessionAccess {
  constructor(
    private readonly sessions: SessionLookup,
    /** Null in local mode, where the local user owns everything. */
    private readonly store: AuthStore | null,
  ) {}

  async roleOf(caller: Caller | null, session: SessionId): Promise<Role | null> {
    if (!caller) return null;
    if (caller.kind === 'local') return (await this.sessions.getSession(session)) ? 'owner' : null;
    if (!this.store) return null;
    if (caller.kind === 'guest') return caller.sessionId === session ? caller.role : null;
    const owner = await this.store.ownerOf(session);
    if (owner === null) return null;
    if (owner === caller.user.id) return 'owner';
    return this.store.memberRole(session, caller.user.id);
  }

  /** The caller's role, if it allows `action`; else `UNAUTHENTICATED`, `NOT_FOUND` or `FORBIDDEN`. */
  async require(caller: Caller | null, session: SessionId, action: Action): Promise<Role> {
    if (!caller) throw new MaskroomError('UNAUTHENTICATED', 'log in or open a share link first');
    const role = await this.roleOf(caller, session);
    if (!role) throw new MaskroomError('NOT_FOUND', 'no such session');
    if (!can(role, action))
      throw new MaskroomError('FORBIDDEN', `a ${role} cannot ${action} in this session`);
    return role;
  }

  /**
   * The caller's role in a video: its session's role, or owner for whoever uploaded it (a video
   * still ingesting has no session yet, and only its uploader sees it).
   */
  async videoRole(caller: Caller | null, video: VideoRef): Promise<Role | null> {
    if (!caller) return null;
    if (caller.kind === 'local') return 'owner';
    if (caller.kind === 'account' && video.createdBy === caller.user.id) return 'owner';
    const session = await this.sessions.sessionOfVideo(video.id);
    return session ? this.roleOf(caller, session.id) : null;
  }

  async requireVideo(caller: Caller | null, video: VideoRef, action: Action): Promise<Role> {
    if (!caller) throw new MaskroomError('UNAUTHENTICATED', 'log in or open a share link first');
    const role = await this.videoRole(caller, video);
    if (!role) throw new MaskroomError('NOT_FOUND', 'no such video');
    if (!can(role, action)) throw new MaskroomError('FORBIDDEN', `a ${role} cannot ${action} this video`);
    return role;
  }

  /** Uploading makes one an owner: accounts and the local user may, guests and strangers not. */
  requireUploader(caller: Caller | null): Caller {
    if (!caller) throw new MaskroomError('UNAUTHENTICATED', 'log in to upload videos');
    if (caller.kind === 'guest') throw new MaskroomError('FORBIDDEN', 'guests cannot upload videos');
    return caller;
  }
}
