/** Accounts over HTTP (docs/api.md, DESIGN §7): who am I, sign-up, log-in, log-out, password. */
import {
  authMeSchema,
  authResponseSchema,
  type AuthMe,
  type ChangePasswordBody,
  type LoginBody,
  type SignupBody,
} from '@maskroom/shared';
import { getJson, isApiError, sendJson, type RequestOptions } from './http.js';

/** Who the server takes this browser to be; null when accounts mode finds no valid login (`UNAUTHENTICATED`). */
export async function getMe(opts?: RequestOptions): Promise<AuthMe | null> {
  try {
    return await getJson('/api/auth/me', authMeSchema, opts);
  } catch (error) {
    if (isApiError(error) && error.code === 'UNAUTHENTICATED') return null;
    throw error;
  }
}

/** Creates an account and logs it in (the cookie is set by the answer). */
export const signup = (body: SignupBody, opts?: RequestOptions): Promise<AuthMe> =>
  sendJson('POST', '/api/auth/signup', body, authResponseSchema, opts);

export const login = (body: LoginBody, opts?: RequestOptions): Promise<AuthMe> =>
  sendJson('POST', '/api/auth/login', body, authResponseSchema, opts);

export const logout = (opts?: RequestOptions): Promise<void> =>
  sendJson('POST', '/api/auth/logout', undefined, undefined, opts);

/** Every other login of the account ends; this browser gets a fresh cookie. */
export const changePassword = (body: ChangePasswordBody, opts?: RequestOptions): Promise<void> =>
  sendJson('POST', '/api/auth/password', body, undefined, opts);
