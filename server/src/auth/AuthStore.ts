/**
 * The rows of accounts mode: users, login sessions, share links and session members. Only
 * queries live here; the rules (expiry, roles, rate limits) are in `AuthService` and `SessionAccess`.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { SessionId, UserId } from '@maskroom/shared';
import type { DB } from '../db/client.js';
import { mapErrors } from '../db/errors.js';
import { authSessions, sessionMembers, sessions, shareLinks, users, videos } from '../db/schema.js';

export type UserRow = typeof users.$inferSelect;
export type LoginSessionRow = typeof authSessions.$inferSelect;
export type ShareLinkRow = typeof shareLinks.$inferSelect;
export type MemberRole = (typeof sessionMembers.$inferSelect)['role'];

export class AuthStore {
  constructor(private readonly db: DB) {}

  // --- users -------------------------------------------------------------------------------

  async createUser(row: typeof users.$inferInsert): Promise<UserRow> {
    const [created] = await mapErrors('create user', () => this.db.insert(users).values(row).returning());
    return created!;
  }

  async userByEmail(email: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email));
    return row ?? null;
  }

  async userById(id: string): Promise<UserRow | null> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row ?? null;
  }

  async setPassword(id: string, passwordHash: string, at: Date): Promise<void> {
    await this.db.update(users).set({ passwordHash, passwordChangedAt: at }).where(eq(users.id, id));
  }

  // --- login sessions ----------------------------------------------------------------------

  async createLoginSession(row: typeof authSessions.$inferInsert): Promise<void> {
    await mapErrors('create login session', () => this.db.insert(authSessions).values(row));
  }

  async loginSession(id: string): Promise<LoginSessionRow | null> {
    const [row] = await this.db.select().from(authSessions).where(eq(authSessions.id, id));
    return row ?? null;
  }

  async touchLoginSession(id: string, lastVerifiedAt: Date): Promise<void> {
    await this.db.update(authSessions).set({ lastVerifiedAt }).where(eq(authSessions.id, id));
  }

  async deleteLoginSession(id: string): Promise<void> {
    await this.db.delete(authSessions).where(eq(authSessions.id, id));
  }

  async deleteLoginSessionsOf(userId: string): Promise<void> {
    await this.db.delete(authSessions).where(eq(authSessions.userId, userId));
  }

  // --- share links -------------------------------------------------------------------------

  async createLink(row: typeof shareLinks.$inferInsert): Promise<ShareLinkRow> {
    const [created] = await mapErrors('create share link', () =>
      this.db.insert(shareLinks).values(row).returning(),
    );
    return created!;
  }

  async link(id: string): Promise<ShareLinkRow | null> {
    const [row] = await this.db.select().from(shareLinks).where(eq(shareLinks.id, id));
    return row ?? null;
  }

  async linksOf(session: SessionId): Promise<ShareLinkRow[]> {
    return this.db
      .select()
      .from(shareLinks)
      .where(eq(shareLinks.sessionId, session))
      .orderBy(shareLinks.createdAt);
  }

  /**
   * Revokes a link of `session` and ends its guests' logins; null when there is no such link (or it
   * is another session's), else the login sessions that ended.
   */
  async revokeLink(session: SessionId, id: string, at: Date): Promise<string[] | null> {
    const [existing] = await this.db
      .select({ id: shareLinks.id })
      .from(shareLinks)
      .where(and(eq(shareLinks.id, id), eq(shareLinks.sessionId, session)));
    if (!existing) return null;
    await this.db
      .update(shareLinks)
      .set({ revokedAt: at })
      .where(and(eq(shareLinks.id, id), isNull(shareLinks.revokedAt)));
    const ended = await this.db
      .delete(authSessions)
      .where(eq(authSessions.linkId, id))
      .returning({ id: authSessions.id });
    return ended.map((r) => r.id);
  }

  // --- roles -------------------------------------------------------------------------------

  /** Who uploaded the session's video (its owner), or null when there is no such session. */
  async ownerOf(session: SessionId): Promise<UserId | null> {
    const [row] = await this.db
      .select({ owner: videos.createdBy })
      .from(sessions)
      .innerJoin(videos, eq(videos.id, sessions.videoId))
      .where(eq(sessions.id, session));
    return (row?.owner as UserId | undefined) ?? null;
  }

  async memberRole(session: SessionId, userId: string): Promise<MemberRole | null> {
    const [row] = await this.db
      .select({ role: sessionMembers.role })
      .from(sessionMembers)
      .where(and(eq(sessionMembers.sessionId, session), eq(sessionMembers.userId, userId)));
    return row?.role ?? null;
  }

  async setMemberRole(session: SessionId, userId: string, role: MemberRole): Promise<void> {
    await this.db
      .insert(sessionMembers)
      .values({ sessionId: session, userId, role })
      .onConflictDoUpdate({ target: [sessionMembers.sessionId, sessionMembers.userId], set: { role } });
  }

  /** The sessions an account has a role in, through ownership or membership. */
  async sessionsOf(userId: string): Promise<SessionId[]> {
    const owned = await this.db
      .select({ id: sessions.id })
      .from(sessions)
      .innerJoin(videos, eq(videos.id, sessions.videoId))
      .where(eq(videos.createdBy, userId));
    const member = await this.db
      .select({ id: sessionMembers.sessionId })
      .from(sessionMembers)
      .where(eq(sessionMembers.userId, userId));
    return [...new Set([...owned, ...member].map((r) => r.id as SessionId))];
  }
}
