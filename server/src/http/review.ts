import { Router } from 'express';
import {
  MaskroomError,
  commentBodySchema,
  resolveCommentBodySchema,
  reviewBodySchema,
  type CommentId,
  type ObjectId,
  type Review,
  type ReviewAnswer,
  type SessionId,
} from '@maskroom/shared';
import { requireCaller } from '../auth/caller.js';
import type { SessionAccess } from '../auth/SessionAccess.js';
import type { SessionDocs } from '../collab/SessionDocs.js';
import { newId } from '../ids.js';
import { parseBody, pathId } from './validate.js';

export interface ReviewRoutesDeps {
  readonly access: SessionAccess;
  readonly docs: SessionDocs;
  readonly numFramesOf: (session: SessionId) => Promise<number | null>;
}

const WRITER = 'review';

/**
 * The review workflow (DESIGN §7): reviewers are read-only on the collaboration socket, so their
 * verdicts and comments come here and the server writes them into the session's main document,
 * where everyone sees them live.
 */
export function reviewRoutes(deps: ReviewRoutesDeps): Router {
  const { access, docs } = deps;
  const router = Router();

  router.post('/sessions/:id/objects/:objId/review', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await access.require(req.caller, session, 'review');
    const objId = pathId<ObjectId>(req.params.objId, 'object');
    const body = parseBody(reviewBodySchema, req.body);
    const caller = requireCaller(req);
    const review: Review =
      body.status === 'pending'
        ? { status: 'pending', by: null, at: null, note: '' }
        : {
            status: body.status,
            by: caller.user.id,
            at: Date.now(),
            note: body.note,
            byName: caller.user.name,
          };
    const found = await docs.writeMain(session, WRITER, (main) => {
      if (!main.objects.has(objId)) return false;
      main.objects.update(objId, { review });
      return true;
    });
    if (!found) throw new MaskroomError('NOT_FOUND', 'no such object in this session');
    const answer: ReviewAnswer = { review };
    res.json(answer);
  });

  router.post('/sessions/:id/comments', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await access.require(req.caller, session, 'comment');
    const body = parseBody(commentBodySchema, req.body);
    const numFrames = await deps.numFramesOf(session);
    if (numFrames === null || body.frame >= numFrames) {
      throw new MaskroomError('INVALID_REQUEST', `frame ${body.frame} is outside the video`);
    }
    const caller = requireCaller(req);
    const commentId = newId<CommentId>('cmt');
    await docs.writeMain(session, WRITER, (main) => {
      if (body.objId !== undefined && !main.objects.has(body.objId)) {
        throw new MaskroomError('INVALID_REQUEST', 'no such object in this session');
      }
      main.comments.put(commentId, {
        frame: body.frame,
        ...(body.objId !== undefined ? { objId: body.objId } : {}),
        ...(body.x !== undefined && body.y !== undefined ? { x: body.x, y: body.y } : {}),
        text: body.text,
        by: caller.user.id,
        byName: caller.user.name,
        at: Date.now(),
        resolved: false,
      });
    });
    res.status(201).json({ commentId });
  });

  router.patch('/sessions/:id/comments/:commentId', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await access.require(req.caller, session, 'resolve');
    const commentId = pathId<CommentId>(req.params.commentId, 'comment');
    const { resolved } = parseBody(resolveCommentBodySchema, req.body);
    const found = await docs.writeMain(session, WRITER, (main) => {
      if (!main.comments.has(commentId)) return false;
      main.comments.update(commentId, { resolved });
      return true;
    });
    if (!found) throw new MaskroomError('NOT_FOUND', 'no such comment');
    res.json({ ok: true });
  });

  return router;
}
