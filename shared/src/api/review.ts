/**
 * The review workflow over HTTP (DESIGN §7: reviewers are read-only on the collaboration socket,
 * so their verdicts and comments go through the server, which writes them into the document).
 */
import { z } from 'zod';
import { commentIdSchema, frameIndexSchema, normalizedSchema, objectIdSchema } from '../fields.js';
import { REVIEW_STATUSES, reviewSchema } from '../doc/records.js';

export const REVIEW_NOTE_MAX_LENGTH = 2000;
export const COMMENT_MAX_LENGTH = 4000;

/** `POST /api/sessions/:id/objects/:objId/review` → 200 `{review}`. */
export const reviewBodySchema = z.strictObject({
  status: z.enum(REVIEW_STATUSES),
  note: z.string().trim().max(REVIEW_NOTE_MAX_LENGTH).default(''),
});
export type ReviewBody = z.input<typeof reviewBodySchema>;

/** → 200: the object's review as now stored. */
export const reviewAnswerSchema = z.strictObject({ review: reviewSchema });
export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;

/** `POST /api/sessions/:id/comments` → 201 `{commentId}`: pinned to a frame, maybe an object and a point. */
export const commentBodySchema = z
  .strictObject({
    frame: frameIndexSchema,
    objId: objectIdSchema.optional(),
    x: normalizedSchema.optional(),
    y: normalizedSchema.optional(),
    text: z.string().trim().min(1).max(COMMENT_MAX_LENGTH),
  })
  .refine((b) => (b.x === undefined) === (b.y === undefined), { message: 'give both x and y, or neither' });
export type CommentBody = z.infer<typeof commentBodySchema>;

export const createdCommentSchema = z.strictObject({ commentId: commentIdSchema });

/** `PATCH /api/sessions/:id/comments/:commentId` → 200. */
export const resolveCommentBodySchema = z.strictObject({ resolved: z.boolean() });
export type ResolveCommentBody = z.infer<typeof resolveCommentBodySchema>;
