/**
 * HTTP bodies of session commands (DESIGN §6): objects, prompts, propagations, jobs. Prompt
 * coordinates are normalized to [0, 1] of the frame, as in the document.
 */
import { z } from 'zod';
import {
  frameIndexSchema,
  jobIdSchema,
  normalizedBoxSchema,
  objectIdSchema,
  promptIdSchema,
  promptPointsSchema,
  propagationDirectionSchema,
  sessionIdSchema,
} from '../fields.js';
import { PROMPT_TEXT_MAX_LENGTH } from '../limits.js';
import { maskObjectSchema } from '../protocol/fields.js';
import { jobSchema } from '../doc/records.js';
import { sessionSummarySchema, videoSchema } from './videos.js';
import { ROLES, type Role } from '../roles.js';

/** Roles per session (DESIGN §7); local mode answers `owner`. */
export const SESSION_ROLES = ROLES;
export type SessionRole = Role;

/** `GET /api/sessions/:id`: the session, its video, and the caller's role in it. */
export const sessionInfoSchema = z.strictObject({
  session: sessionSummarySchema,
  video: videoSchema,
  role: z.enum(SESSION_ROLES),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a color #rrggbb');

/** `POST /api/sessions/:id/objects`. */
export const createObjectBodySchema = z.strictObject({
  className: z.string().max(200).optional(),
  instanceName: z.string().max(200).optional(),
  color: colorSchema.optional(),
});
export type CreateObjectBody = z.infer<typeof createObjectBodySchema>;

/** `POST /api/sessions/:id/objects` → 201. */
export const createdObjectSchema = z.strictObject({ objId: objectIdSchema });
export type CreatedObject = z.infer<typeof createdObjectSchema>;

/** `POST /api/sessions/:id/prompts`: exactly one of `points`, `box`, `text`. */
export const promptBodySchema = z
  .strictObject({
    frame: frameIndexSchema,
    /** The object to create or refine; absent = a new object. */
    objId: objectIdSchema.optional(),
    points: promptPointsSchema.optional(),
    box: normalizedBoxSchema.optional(),
    text: z.string().trim().min(1).max(PROMPT_TEXT_MAX_LENGTH).optional(),
  })
  .refine((b) => [b.points, b.box, b.text].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of points, box or text',
  });
export type PromptBody = z.infer<typeof promptBodySchema>;

export const promptResponseSchema = z.strictObject({
  promptId: promptIdSchema,
  objId: objectIdSchema,
  frame: frameIndexSchema,
  /** The masks the prompt produced on its frame (also written into the session's documents). */
  masks: z.array(maskObjectSchema),
});
export type PromptResponse = z.infer<typeof promptResponseSchema>;

/** `POST /api/sessions/:id/propagations` → 202 `{jobId}`. */
export const propagateBodySchema = z.strictObject({
  direction: propagationDirectionSchema,
  /** Default: the first frame with a prompt (or 0). */
  startFrame: frameIndexSchema.optional(),
  objIds: z.array(objectIdSchema).min(1).optional(),
});
export type PropagateBody = z.infer<typeof propagateBodySchema>;

export const jobAcceptedSchema = z.strictObject({ jobId: jobIdSchema });

/** `GET /api/jobs/:id`: the job's record from its session's document. */
export const jobResponseSchema = z.object({ id: jobIdSchema, sessionId: sessionIdSchema, job: jobSchema });
export type JobResponse = z.infer<typeof jobResponseSchema>;
