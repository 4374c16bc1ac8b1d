/**
 * Accounts mode: sign-up, log-in (rate limited), log-out, password change, login sessions with
 * sliding expiry, share links and guests. Every decision about a token is made here, against an
 * injectable clock so expiry is tested without waiting.
 */
import { createHash } from 'node:crypto';
import {
  MaskroomError,
  colorForUser,
  strongerRole,
  type LinkRole,
  type PresenceUser,
  type Role,
  type SessionId,
  type UserId,
} from '@maskroom/shared';
import { newId } from '../ids.js';
import type { AuthStore } from './AuthStore.js';
import { type ShareLinkRow, type UserRow } from './AuthStore.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { LoginRateLimiter } from './rateLimit.js';
import { newToken, parseToken, verifyTokenSecret } from './tokens.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A login session ends after this long unused… */
export const IDLE_TIMEOUT_MS = 10 * DAY;
/** …and this long after it began, whatever its use. */
export const ABSOLUTE_TIMEOUT_MS = 30 * DAY;
/** `last_verified_at` is written at most this often (a write per request would be wasteful). */
const TOUCH_INTERVAL_MS = HOUR;

/** Who is calling, as established from the cookie (or local mode). */
export type Caller =
  | { readonly kind: 'local'; readonly user: PresenceUser }
  | {
      readonly kind: 'account';
      readonly user: PresenceUser;
      readonly email: string;
      readonly loginSessionId: string;
    }
  | {
      readonly kind: 'guest';
      readonly user: PresenceUser;
      readonly loginSessionId: string;
      readonly linkId: string;
      readonly sessionId: SessionId;
      readonly role: LinkRole;
    };

export interface AuthServiceOptions {
  readonly store: AuthStore;
  /** Whether anyone may sign up; otherwise a valid share link token is the invitation. */
  readonly signupOpen: boolean;
  readonly now?: () => number;
}

/** How an account appears to the others (presence, `me`). */
export const accountUser = (user: UserRow): PresenceUser => ({
  id: user.id as UserId,
  name: user.displayName,
  color: colorForUser(user.id),
});

/**
 * A guest's user id: one per guest login, derived from the login session's id by a hash so that
 * the id half of the guest's cookie never shows in presence or documents.
 */
export const guestUserId = (loginSessionId: string): UserId =>
  `guest-${createHash('sha256').update(loginSessionId).digest('base64url').slice(0, 22)}` as UserId;

export type LinkState =
  | { readonly state: 'ok'; readonly link: ShareLinkRow }
  | { readonly state: 'expired' | 'revoked'; readonly link: ShareLinkRow }
  | { readonly state: 'unknown' };

export class AuthService {
  readonly store: AuthStore;
  readonly signupOpen: boolean;
  readonly limiter: LoginRateLimiter;
  readonly #now: () => number;

  constructor(opts: AuthServiceOptions) {
    this.store = opts.store;
    this.signupOpen = opts.signupOpen;
    this.#now = opts.now ?? Date.now;
    this.limiter = new LoginRateLimiter(this.#now);
  }

  now(): number {
    return this.#now();
  }

  // --- accounts ----------------------------------------------------------------------------

  async signUp(input: {
    email: string;
    password: string;
    displayName: string;
    invite?: string | undefined;
  }): Promise<{ user: UserRow; token: string }> {
    let invite: ShareLinkRow | null = null;
    if (input.invite !== undefined) {
      const state = await this.resolveLink(input.invite);
      if (state.state !== 'ok') throw new MaskroomError('SIGNUP_CLOSED', 'the invitation link is not valid');
      invite = state.link;
    } else if (!this.signupOpen) {
      throw new MaskroomError('SIGNUP_CLOSED');
    }
    if (await this.store.userByEmail(input.email)) {
      throw new MaskroomError('CONFLICT', 'an account with this email exists; log in instead');
    }
    const user = await this.store.createUser({
      id: newId('usr'),
      email: input.email,
      displayName: input.displayName,
      passwordHash: await hashPassword(input.password),
    });
    if (invite) await this.store.setMemberRole(invite.sessionId as SessionId, user.id, invite.role);
    return { user, token: await this.#startSession({ userId: user.id }) };
  }

  /**
   * Checks the password and opens a new login session (a cookie the caller already had is
   * ignored: no session fixation). One message for an unknown email and a wrong password.
   */
  async logIn(email: string, password: string, address: string): Promise<{ user: UserRow; token: string }> {
    this.limiter.check(email, address);
    const user = await this.store.userByEmail(email);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !ok) {
      this.limiter.failed(email, address);
      throw new MaskroomError('UNAUTHENTICATED', 'wrong email or password');
    }
    this.limiter.succeeded(email);
    return { user, token: await this.#startSession({ userId: user.id }) };
  }

  async logOut(caller: Caller): Promise<void> {
    if (caller.kind !== 'local') await this.store.deleteLoginSession(caller.loginSessionId);
  }

  /** Changes the password; every login session of the account ends and a new one begins. */
  async changePassword(caller: Caller, current: string, next: string): Promise<string> {
    if (caller.kind !== 'account') throw new MaskroomError('FORBIDDEN', 'only accounts have a password');
    const user = await this.store.userById(caller.user.id);
    if (!user || !(await verifyPassword(user.passwordHash, current))) {
      throw new MaskroomError('FORBIDDEN', 'the current password is wrong');
    }
    await this.store.setPassword(user.id, await hashPassword(next), new Date(this.#now()));
    await this.store.deleteLoginSessionsOf(user.id);
    return this.#startSession({ userId: user.id });
  }

  // --- login sessions ----------------------------------------------------------------------

  async #startSession(
    who: { userId: string } | { linkId: string; guestName: string },
    expiresAt?: number,
  ): Promise<string> {
    const now = this.#now();
    const t = newToken();
    await this.store.createLoginSession({
      id: t.id,
      secretHash: t.secretHash,
      userId: 'userId' in who ? who.userId : null,
      linkId: 'linkId' in who ? who.linkId : null,
      guestName: 'guestName' in who ? who.guestName : null,
      createdAt: new Date(now),
      lastVerifiedAt: new Date(now),
      expiresAt: new Date(Math.min(now + ABSOLUTE_TIMEOUT_MS, expiresAt ?? Infinity)),
    });
    return t.token;
  }

  /**
   * The caller a cookie token stands for, or null (malformed, unknown, tampered, expired, idle too
   * long, or its share link expired or revoked). Valid use slides the idle timeout.
   */
  async validate(token: string | undefined): Promise<Caller | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const row = await this.store.loginSession(parsed.id);
    if (!row || !verifyTokenSecret(parsed.secret, row.secretHash)) return null;
    const now = this.#now();
    if (now >= row.expiresAt.getTime() || now - row.lastVerifiedAt.getTime() >= IDLE_TIMEOUT_MS) {
      await this.store.deleteLoginSession(row.id);
      return null;
    }
    let caller: Caller | null = null;
    if (row.userId) {
      const user = await this.store.userById(row.userId);
      if (user) {
        caller = {
          kind: 'account',
          user: accountUser(user),
          email: user.email,
          loginSessionId: row.id,
        };
      }
    } else if (row.linkId) {
      const link = await this.store.link(row.linkId);
      if (link && !link.revokedAt && now < link.expiresAt.getTime()) {
        const id = guestUserId(row.id);
        caller = {
          kind: 'guest',
          user: { id, name: row.guestName ?? 'Guest', color: colorForUser(id) },
          loginSessionId: row.id,
          linkId: link.id,
          sessionId: link.sessionId as SessionId,
          role: link.role,
        };
      }
    }
    if (!caller) {
      await this.store.deleteLoginSession(row.id);
      return null;
    }
    if (now - row.lastVerifiedAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.store.touchLoginSession(row.id, new Date(now));
    }
    return caller;
  }

  // --- share links -------------------------------------------------------------------------

  async createLink(
    session: SessionId,
    role: LinkRole,
    expiresInHours: number,
    by: UserId,
  ): Promise<{ link: ShareLinkRow; token: string }> {
    const t = newToken();
    const now = this.#now();
    const link = await this.store.createLink({
      id: t.id,
      sessionId: session,
      secretHash: t.secretHash,
      role,
      createdBy: by,
      createdAt: new Date(now),
      expiresAt: new Date(now + expiresInHours * HOUR),
    });
    return { link, token: t.token };
  }

  async resolveLink(token: string): Promise<LinkState> {
    const parsed = parseToken(token);
    if (!parsed) return { state: 'unknown' };
    const link = await this.store.link(parsed.id);
    if (!link || !verifyTokenSecret(parsed.secret, link.secretHash)) return { state: 'unknown' };
    if (link.revokedAt) return { state: 'revoked', link };
    if (this.#now() >= link.expiresAt.getTime()) return { state: 'expired', link };
    return { state: 'ok', link };
  }

  /** A valid link, or the error saying why not. */
  async requireLink(token: string): Promise<ShareLinkRow> {
    const state = await this.resolveLink(token);
    if (state.state === 'ok') return state.link;
    if (state.state === 'expired') throw new MaskroomError('LINK_EXPIRED');
    if (state.state === 'revoked') throw new MaskroomError('LINK_REVOKED');
    throw new MaskroomError('NOT_FOUND', 'no such share link');
  }

  /**
   * Joins through a link: an account becomes a member (keeping a better role it has); anyone else
   * gets a guest login for that session only, ending with the link. Returns the guest's token.
   */
  async joinLink(
    token: string,
    caller: Caller | null,
    guestName: string | undefined,
  ): Promise<{ sessionId: SessionId; role: Role; guestToken: string | null }> {
    const link = await this.requireLink(token);
    const session = link.sessionId as SessionId;
    if (caller?.kind === 'account') {
      const owner = await this.store.ownerOf(session);
      if (owner === caller.user.id) return { sessionId: session, role: 'owner', guestToken: null };
      const had = await this.store.memberRole(session, caller.user.id);
      const role = had ? strongerRole(had, link.role) : link.role;
      await this.store.setMemberRole(session, caller.user.id, role);
      return { sessionId: session, role, guestToken: null };
    }
    if (!guestName) throw new MaskroomError('INVALID_REQUEST', 'give a display name to join as a guest');
    const guestToken = await this.#startSession({ linkId: link.id, guestName }, link.expiresAt.getTime());
    return { sessionId: session, role: link.role, guestToken };
  }
}
