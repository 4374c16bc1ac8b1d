/** Where a review stands (objects approved, rejected, pending; comments open) and how comments are listed. */
import type { CommentId, CommentRecord, ObjectRecord } from '@maskroom/shared';

export interface ReviewSummary {
  readonly approved: number;
  readonly rejected: number;
  readonly pending: number;
  readonly openComments: number;
  readonly resolvedComments: number;
}

export function summarizeReview(
  objects: Iterable<ObjectRecord>,
  comments: Iterable<CommentRecord>,
): ReviewSummary {
  let approved = 0;
  let rejected = 0;
  let pending = 0;
  for (const o of objects) {
    if (o.review.status === 'approved') approved++;
    else if (o.review.status === 'rejected') rejected++;
    else pending++;
  }
  let openComments = 0;
  let resolvedComments = 0;
  for (const c of comments) {
    if (c.resolved) resolvedComments++;
    else openComments++;
  }
  return { approved, rejected, pending, openComments, resolvedComments };
}

/** Comments in the order of the video: by frame, then oldest first. */
export function commentsInOrder(
  comments: ReadonlyMap<CommentId, CommentRecord>,
): [CommentId, CommentRecord][] {
  return [...comments].sort(([, a], [, b]) => a.frame - b.frame || a.at - b.at);
}

export interface CommentPin {
  readonly id: CommentId;
  readonly x: number;
  readonly y: number;
  readonly resolved: boolean;
  readonly text: string;
  readonly byName: string | null;
}

/** The comments of `frame` that are pinned to a point (a comment may be about the frame as a whole). */
export function pinsOnFrame(comments: ReadonlyMap<CommentId, CommentRecord>, frame: number): CommentPin[] {
  const pins: CommentPin[] = [];
  for (const [id, c] of comments) {
    if (c.frame !== frame || c.x === undefined || c.y === undefined) continue;
    pins.push({ id, x: c.x, y: c.y, resolved: c.resolved, text: c.text, byName: c.byName ?? null });
  }
  return pins;
}
