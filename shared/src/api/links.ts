/** Share links (DESIGN §7): a role and an expiry, revocable; the token is shown once. */
import { z } from 'zod';
import { idStringSchema, sessionIdSchema } from '../fields.js';
import { LINK_ROLES, ROLES } from '../roles.js';
import { displayNameSchema } from './auth.js';

/** Longest life a link may be given: one year. */
export const LINK_MAX_HOURS = 24 * 366;

/** `POST /api/sessions/:id/links`. */
export const createLinkBodySchema = z.strictObject({
  role: z.enum(LINK_ROLES),
  expiresInHours: z.number().positive().max(LINK_MAX_HOURS),
});
export type CreateLinkBody = z.infer<typeof createLinkBodySchema>;

export const shareLinkSchema = z.strictObject({
  id: idStringSchema,
  sessionId: sessionIdSchema,
  role: z.enum(LINK_ROLES),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  createdBy: z.string(),
});
export type ShareLink = z.infer<typeof shareLinkSchema>;

/** → 201: the link and, this once, its token and the path to share (`/s/<token>`). */
export const createdLinkSchema = z.strictObject({
  link: shareLinkSchema,
  token: z.string(),
  path: z.string(),
});
export type CreatedLink = z.infer<typeof createdLinkSchema>;

/** `GET /api/sessions/:id/links`. */
export const linkListSchema = z.strictObject({ links: z.array(shareLinkSchema) });

/** `GET /api/links/:token`: what a link opens (410 `LINK_EXPIRED` / `LINK_REVOKED`, 404 unknown). */
export const linkInfoSchema = z.strictObject({
  sessionId: sessionIdSchema,
  role: z.enum(LINK_ROLES),
  videoTitle: z.string(),
  expiresAt: z.iso.datetime(),
});
export type LinkInfo = z.infer<typeof linkInfoSchema>;

/** `POST /api/links/:token/join`: a guest names themself (ignored for a logged-in account). */
export const joinLinkBodySchema = z.strictObject({ displayName: displayNameSchema.optional() });
export type JoinLinkBody = z.infer<typeof joinLinkBodySchema>;

export const joinedLinkSchema = z.strictObject({ sessionId: sessionIdSchema, role: z.enum(ROLES) });
export type JoinedLink = z.infer<typeof joinedLinkSchema>;
