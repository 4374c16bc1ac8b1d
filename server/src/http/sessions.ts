import { Router, type Request } from 'express';
import {
  MaskroomError,
  createObjectBodySchema,
  isIdString,
  promptBodySchema,
  propagateBodySchema,
  type JobId,
  type ObjectId,
  type SessionId,
  type UserId,
} from '@maskroom/shared';
import type { z } from 'zod';
import type { VideoStore } from '../db/index.js';
import type { Segmentation } from '../segment/Segmentation.js';
import { presentSession, presentVideo } from '../videos/present.js';

export interface SessionRoutesDeps {
  readonly store: VideoStore;
  readonly segmentation: Segmentation;
  readonly userOf: (req: Request) => UserId;
}

/** Session commands (DESIGN §6): objects, prompts, propagations, jobs, reset. */
export function sessionRoutes(deps: SessionRoutesDeps): Router {
  const { store, segmentation } = deps;
  const router = Router();

  router.get('/sessions/:id', async (req, res) => {
    const session = await store.getSession(sessionIdOf(req.params.id));
    const video = session && (await store.get(session.videoId));
    if (!session || !video) throw new MaskroomError('NOT_FOUND', 'no such session');
    res.json({ session: presentSession(session), video: presentVideo(video, session.id), role: 'owner' });
  });

  router.post('/sessions/:id/objects', async (req, res) => {
    const body = parse(createObjectBodySchema, req.body, 'INVALID_REQUEST');
    const objId = await segmentation.createObject(sessionIdOf(req.params.id), deps.userOf(req), body);
    res.status(201).json({ objId });
  });

  router.delete('/sessions/:id/objects/:objId', async (req, res) => {
    if (!isIdString(req.params.objId)) throw new MaskroomError('NOT_FOUND', 'no such object');
    await segmentation.removeObject(sessionIdOf(req.params.id), req.params.objId as ObjectId);
    res.status(204).end();
  });

  router.post('/sessions/:id/prompts', async (req, res) => {
    const body = parse(promptBodySchema, req.body, 'INVALID_PROMPT');
    const result = await segmentation.prompt(sessionIdOf(req.params.id), body, deps.userOf(req));
    res.status(201).json(result);
  });

  router.post('/sessions/:id/propagations', async (req, res) => {
    const body = parse(propagateBodySchema, req.body, 'INVALID_REQUEST');
    const jobId = await segmentation.propagate(sessionIdOf(req.params.id), body, deps.userOf(req));
    res.status(202).json({ jobId });
  });

  router.post('/sessions/:id/reset', async (req, res) => {
    await segmentation.reset(sessionIdOf(req.params.id));
    res.status(204).end();
  });

  router.get('/jobs/:id', async (req, res) => {
    const { sessionId, job } = await segmentation.job(jobIdOf(req.params.id));
    res.json({ id: req.params.id, sessionId, job });
  });

  router.post('/jobs/:id/cancel', async (req, res) => {
    await segmentation.cancelJob(jobIdOf(req.params.id));
    res.status(202).json({ ok: true });
  });

  return router;
}

function sessionIdOf(raw: string): SessionId {
  if (!isIdString(raw)) throw new MaskroomError('NOT_FOUND', 'no such session');
  return raw as SessionId;
}

function jobIdOf(raw: string): JobId {
  if (!isIdString(raw)) throw new MaskroomError('NOT_FOUND', 'no such job');
  return raw as JobId;
}

/** Validates a body, answering `code` with the first problem spelled out. */
function parse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  code: 'INVALID_REQUEST' | 'INVALID_PROMPT',
): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new MaskroomError(code, `${where}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}
