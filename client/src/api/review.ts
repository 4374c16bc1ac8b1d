/**
 * The review workflow over HTTP: verdicts on objects, comments, resolving them. Reviewers are
 * read-only on the collaboration socket, so these go through the server, which writes them into
 * the session's document (where every open workspace sees them).
 */
import {
  createdCommentSchema,
  reviewAnswerSchema,
  type CommentBody,
  type CommentId,
  type ObjectId,
  type Review,
  type ResolveCommentBody,
  type ReviewBody,
  type SessionId,
} from '@maskroom/shared';
import { seg, sendJson, type RequestOptions } from './http.js';

const base = (sessionId: SessionId): string => `/api/sessions/${seg(sessionId)}`;

/** Approves, rejects or resets an object; resolves with the verdict as stored. */
export async function reviewObject(
  sessionId: SessionId,
  objId: ObjectId,
  body: ReviewBody,
  opts?: RequestOptions,
): Promise<Review> {
  const path = `${base(sessionId)}/objects/${seg(objId)}/review`;
  return (await sendJson('POST', path, body, reviewAnswerSchema, opts)).review;
}

export async function addComment(
  sessionId: SessionId,
  body: CommentBody,
  opts?: RequestOptions,
): Promise<CommentId> {
  return (await sendJson('POST', `${base(sessionId)}/comments`, body, createdCommentSchema, opts)).commentId;
}

export const resolveComment = (
  sessionId: SessionId,
  commentId: CommentId,
  resolved: boolean,
  opts?: RequestOptions,
): Promise<void> =>
  sendJson(
    'PATCH',
    `${base(sessionId)}/comments/${seg(commentId)}`,
    { resolved } satisfies ResolveCommentBody,
    undefined,
    opts,
  );
