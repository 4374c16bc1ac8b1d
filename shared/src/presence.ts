/**
 * What each participant publishes through Yjs awareness on a session's main document: who they
 * are, where their playhead is, their cursor and selection. Per-user view state lives here,
 * never in the document (DESIGN §3). The server overwrites `user` with the identity it
 * authenticated, so nobody can appear as someone else.
 */
import { z } from 'zod';
import { frameIndexSchema, normalizedSchema, objectIdSchema, userIdSchema } from './fields.js';
import { paletteColor } from './palette.js';

/** Cursor updates a client may send per second (the client throttles; the server does not rely on it). */
export const PRESENCE_MAX_UPDATES_PER_SECOND = 20;
export const DISPLAY_NAME_MAX_LENGTH = 80;

export const presenceUserSchema = z.strictObject({
  id: userIdSchema,
  name: z.string().min(1).max(DISPLAY_NAME_MAX_LENGTH),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
});
export type PresenceUser = z.infer<typeof presenceUserSchema>;

export const presenceSchema = z.strictObject({
  user: presenceUserSchema,
  /** The frame at the user's playhead. */
  frame: frameIndexSchema,
  /** Pointer over the canvas, normalized to the frame, or null when outside it. */
  cursor: z.strictObject({ x: normalizedSchema, y: normalizedSchema }).nullable(),
  selectedObjId: objectIdSchema.nullable(),
  /** The user whose playhead this user follows, if any. */
  following: userIdSchema.nullable(),
});
export type Presence = z.infer<typeof presenceSchema>;

/** The fields a client sets; `user` is the server's to fill in. */
export const presenceViewSchema = presenceSchema.omit({ user: true });
export type PresenceView = z.infer<typeof presenceViewSchema>;

/** A stable color for a user id (a hash of it into the palette). */
export function colorForUser(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return paletteColor(h >>> 0);
}
