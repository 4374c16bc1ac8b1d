import { Router, type Request, type Response } from 'express';
import {
  changePasswordBodySchema,
  loginBodySchema,
  signupBodySchema,
  type AuthMe,
  type PresenceUser,
} from '@maskroom/shared';
import { accountUser, type AuthService, type Caller } from '../auth/AuthService.js';
import type { UserRow } from '../auth/AuthStore.js';
import { requireCaller } from '../auth/caller.js';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies.js';
import { parseBody } from './validate.js';

export interface AuthRoutesDeps {
  /** Null in local mode: there is nothing to log in to. */
  readonly auth: AuthService | null;
}

/** Accounts mode's log-in routes, and `me` in both modes (DESIGN §7). */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const { auth } = deps;

  const me = (req: Request, res: Response): void => {
    res.set('Cache-Control', 'no-store');
    res.json(describe(requireCaller(req), auth));
  };
  router.get('/auth/me', me);
  router.get('/me', me);

  if (!auth) return router;

  const answer = (req: Request, res: Response, status: number, user: UserRow, token: string): void => {
    setSessionCookie(req, res, token);
    res.set('Cache-Control', 'no-store');
    res.status(status).json(describe({ kind: 'account', user: accountUser(user), email: user.email }, auth));
  };

  router.post('/auth/signup', async (req, res) => {
    const body = parseBody(signupBodySchema, req.body);
    const { user, token } = await auth.signUp(body);
    answer(req, res, 201, user, token);
  });

  router.post('/auth/login', async (req, res) => {
    const body = parseBody(loginBodySchema, req.body);
    const { user, token } = await auth.logIn(body.email, body.password, req.ip ?? 'unknown');
    answer(req, res, 200, user, token);
  });

  router.post('/auth/logout', async (req, res) => {
    if (req.caller) await auth.logOut(req.caller);
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  router.post('/auth/password', async (req, res) => {
    const caller = requireCaller(req);
    const body = parseBody(changePasswordBodySchema, req.body);
    const token = await auth.changePassword(caller, body.currentPassword, body.newPassword);
    setSessionCookie(req, res, token);
    res.status(204).end();
  });

  return router;
}

/** The `me` answer for a caller (or an account that just logged in). */
function describe(
  caller: Caller | { kind: 'account'; user: PresenceUser; email: string },
  auth: AuthService | null,
): AuthMe {
  return {
    mode: auth ? 'accounts' : 'local',
    kind: caller.kind,
    user: caller.user,
    email: caller.kind === 'account' ? caller.email : null,
    guest: caller.kind === 'guest' ? { sessionId: caller.sessionId, role: caller.role } : null,
    signupOpen: auth?.signupOpen ?? false,
  };
}
