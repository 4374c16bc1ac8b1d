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
} from '@maskroom/shared';
import type { VideoStore } from '../db/index.js';
import { requireCaller } from '../auth/caller.js';
import type { SessionAccess } from '../auth/SessionAccess.js';
import type { Segmentation } from '../segment/Segmentation.js';
import { presentSession, presentVideo } from '../videos/present.js';
import { parseBody, pathId } from './validate.js';

export interface SessionRoutesDeps {
  readonly store: VideoStore;
  readonly segmentation: Segmentation;
  readonly access: SessionAccess;
  readonly jobs: { sessionOf(id: JobId): Promise<SessionId | null> };
}

/** Session commands (DESIGN §6): objects, prompts, propagations, jobs, reset. */
export function sessionRoutes(deps: SessionRoutesDeps): Router {
  const { store, segmentation } = deps;
  const router = Router();

  router.get('/sessions/:id', async (req, res) => {
    const id = sessionIdOf(req.params.id);
    const role = await deps.access.require(req.caller, id, 'view');
    const session = await store.getSession(id);
    const video = session && (await store.get(session.videoId));
    if (!session || !video) throw new MaskroomError('NOT_FOUND', 'no such session');
    const body: SessionInfo = {
      session: presentSession(session),
      video: presentVideo(video, session.id),
      role,
    };
    res.json(body);
  });

  router.post('/sessions/:id/objects', async (req, res) => {
    const id = await editable(req);
    const body = parseBody(createObjectBodySchema, req.body);
    const objId = await segmentation.createObject(id, requireCaller(req).user.id, body);
    const created: CreatedObject = { objId };
    res.status(201).json(created);
  });

  router.delete('/sessions/:id/objects/:objId', async (req, res) => {
    await segmentation.removeObject(await editable(req), pathId<ObjectId>(req.params.objId, 'object'));
    res.status(204).end();
  });

  router.post('/sessions/:id/prompts', async (req, res) => {
    const id = await editable(req);
    const body = parseBody(promptBodySchema, req.body, 'INVALID_PROMPT');
    const result = await segmentation.prompt(id, body, requireCaller(req).user.id);
    res.status(201).json(result);
  });

  router.post('/sessions/:id/propagations', async (req, res) => {
    const id = await editable(req);
    const body = parseBody(propagateBodySchema, req.body);
    const jobId = await segmentation.propagate(id, body, requireCaller(req).user.id);
    res.status(202).json({ jobId });
  });

  router.post('/sessions/:id/reset', async (req, res) => {
    await segmentation.reset(await editable(req));
    res.status(204).end();
  });

  router.get('/jobs/:id', async (req, res) => {
    const jobId = jobIdOf(req.params.id);
    await deps.access.require(req.caller, await sessionOfJob(req, jobId), 'view');
    const { sessionId, job } = await segmentation.job(jobId);
    res.json({ id: req.params.id, sessionId, job });
  });

  router.post('/jobs/:id/cancel', async (req, res) => {
    const jobId = jobIdOf(req.params.id);
    await deps.access.require(req.caller, await sessionOfJob(req, jobId), 'edit');
    await segmentation.cancelJob(jobId);
    res.status(202).json({ ok: true });
  });

  /** The session of the route, if the caller may edit it. */
  const editable = async (req: Request): Promise<SessionId> => {
    const raw = req.params['id'];
    const id = sessionIdOf(typeof raw === 'string' ? raw : '');
    await deps.access.require(req.caller, id, 'edit');
    return id;
  };
  /** The session of a job; who is asking is checked first, so strangers cannot probe job ids. */
  const sessionOfJob = async (req: Request, id: JobId): Promise<SessionId> => {
    requireCaller(req);
    const session = await deps.jobs.sessionOf(id);
    if (!session) throw new MaskroomError('NOT_FOUND', 'no such job');
    return session;
  };

  return router;
}

const sessionIdOf = (raw: string): SessionId => pathId(raw, 'session');
const jobIdOf = (raw: string): JobId => pathId(raw, 'job');
