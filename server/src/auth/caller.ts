/**
 * Establishes `req.caller` for every API request: local mode's named local user, or the account
 * or guest behind the login cookie (null when there is none or it is not valid).
 */
import type { NextFunction, Request, Response } from 'express';
import { LOCAL_NAME_HEADER, MaskroomError } from '@maskroom/shared';
import { localUser, nameFromHeader } from '../identity/local-user.js';
import type { AuthService, Caller } from './AuthService.js';
import { readSessionCookie } from './cookies.js';

declare module 'express-serve-static-core' {
  interface Request {
    caller: Caller | null;
  }
}

/**
 * Who a request (HTTP or a socket upgrade) is from, given its `Cookie` header and, in local mode,
 * the name the browser gave itself.
 */
export type CallerResolver = (
  cookieHeader: string | undefined,
  nameHint: string | null,
) => Promise<Caller | null>;

export function callerResolver(auth: AuthService | null): CallerResolver {
  if (!auth) return async (_cookie, nameHint) => ({ kind: 'local', user: localUser(nameHint) });
  return (cookie) => auth.validate(readSessionCookie(cookie));
}

export function resolveCaller(resolve: CallerResolver) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    resolve(req.headers.cookie, nameFromHeader(req.get(LOCAL_NAME_HEADER)))
      .then((caller) => {
        req.caller = caller;
        next();
      })
      .catch(next);
  };
}

/** The caller, or `UNAUTHENTICATED`. */
export function requireCaller(req: Request): Caller {
  if (!req.caller) throw new MaskroomError('UNAUTHENTICATED', 'log in or open a share link first');
  return req.caller;
}
