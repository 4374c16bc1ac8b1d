import { Router, type Request } from 'express';
import {
  MaskroomError,
  createObjectBodySchema,
  promptBodySchema,
  propagateBodySchema,
  type JobId,
  type ObjectId,
  type SessionId,
  type SessionInfo,
  type CreatedObject,
  type UserId,
} from '@maskroom/shared';
import type { VideoStore } from '../db/index.js';
import type { Segmentation } from '../segment/Segmentation.js';
import { presentSession, presentVideo } from '../videos/present.js';
import { parseBody, pathId } from './validate.js';

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
    const body: SessionInfo = {
      session: presentSession(session),
      video: presentVideo(video, session.id),
      role: 'owner',
    };
    res.json(body);
  });

  router.post('/sessions/:id/objects', async (req, res) => {
    const body = parseBody(createObjectBodySchema, req.body);
    const objId = await segmentation.createObject(sessionIdOf(req.params.id), deps.userOf(req), body);
    const created: CreatedObject = { objId };
    res.status(201).json(created);
  });

  router.delete('/sessions/:id/objects/:objId', async (req, res) => {
    await segmentation.removeObject(sessionIdOf(req.params.id), pathId<ObjectId>(req.params.objId, 'object'));
    res.status(204).end();
  });

  router.post('/sessions/:id/prompts', async (req, res) => {
    const body = parseBody(promptBodySchema, req.body, 'INVALID_PROMPT');
    const result = await segmentation.prompt(sessionIdOf(req.params.id), body, deps.userOf(req));
    res.status(201).json(result);
  });

  router.post('/sessions/:id/propagations', async (req, res) => {
    const body = parseBody(propagateBodySchema, req.body);
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

const sessionIdOf = (raw: string): SessionId => pathId(raw, 'session');
const jobIdOf = (raw: string): JobId => pathId(raw, 'job');
