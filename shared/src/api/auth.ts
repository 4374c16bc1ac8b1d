/**
 * Accounts mode (DESIGN §7): sign-up, log-in, log-out, who am I, password change. Sessions are
 * server-side; the browser holds only an HttpOnly cookie.
 */
import { z } from 'zod';
import { DISPLAY_NAME_MAX_LENGTH, presenceUserSchema } from '../presence.js';
import { sessionIdSchema } from '../fields.js';
import { ROLES } from '../roles.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address');
const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `use at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH);
export const displayNameSchema = z.string().trim().min(1).max(DISPLAY_NAME_MAX_LENGTH);

/** `POST /api/auth/signup`; `invite` (a share link token) is required when sign-up is closed. */
export const signupBodySchema = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema,
  invite: z.string().max(200).optional(),
});
export type SignupBody = z.infer<typeof signupBodySchema>;

/** `POST /api/auth/login`. */
export const loginBodySchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

/** `POST /api/auth/password`: every other login session of the account ends. */
export const changePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  newPassword: passwordSchema,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const CALLER_KINDS = ['local', 'account', 'guest'] as const;

/**
 * `GET /api/auth/me` (and `GET /api/me`): who the caller is. A guest came in through a share link
 * and may open that one session only, with the link's role.
 */
export const authMeSchema = z.strictObject({
  mode: z.enum(['local', 'accounts']),
  kind: z.enum(CALLER_KINDS),
  user: presenceUserSchema,
  email: z.string().nullable(),
  /** For a guest: the session the link opens and the role it grants. */
  guest: z.strictObject({ sessionId: sessionIdSchema, role: z.enum(ROLES) }).nullable(),
  /** Whether anyone may sign up (else an invitation link is needed). */
  signupOpen: z.boolean(),
});
export type AuthMe = z.infer<typeof authMeSchema>;

/** `POST /api/auth/signup` → 201, `POST /api/auth/login` → 200: the same body as `me`. */
export const authResponseSchema = authMeSchema;
