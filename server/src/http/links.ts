import { Router } from 'express';
import {
  MaskroomError,
  createLinkBodySchema,
  joinLinkBodySchema,
  type CreatedLink,
  type JoinedLink,
  type LinkInfo,
  type SessionId,
  type ShareLink,
} from '@maskroom/shared';
import { guestUserId, type AuthService } from '../auth/AuthService.js';
import type { ShareLinkRow } from '../auth/AuthStore.js';
import { requireCaller } from '../auth/caller.js';
import { setSessionCookie } from '../auth/cookies.js';
import type { SessionAccess } from '../auth/SessionAccess.js';
import type { VideoStore } from '../db/index.js';
import { parseBody, pathId } from './validate.js';

export interface LinkRoutesDeps {
  readonly auth: AuthService;
  readonly access: SessionAccess;
  readonly store: VideoStore;
  /** Closes the collaboration sockets of these users. */
  readonly disconnect: (userIds: ReadonlySet<string>) => void;
}

/** Share links (DESIGN §7): the owner makes, lists and revokes them; anyone may open one. */
export function linkRoutes(deps: LinkRoutesDeps): Router {
  const { auth, access, store } = deps;
  const router = Router();

  router.post('/sessions/:id/links', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await access.require(req.caller, session, 'manage');
    const body = parseBody(createLinkBodySchema, req.body);
    const { link, token } = await auth.createLink(
      session,
      body.role,
      body.expiresInHours,
      requireCaller(req).user.id,
    );
    const answer: CreatedLink = { link: present(link), token, path: `/s/${token}` };
    res.set('Cache-Control', 'no-store');
    res.status(201).json(answer);
  });

  router.get('/sessions/:id/links', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await access.require(req.caller, session, 'manage');
    res.json({ links: (await auth.store.linksOf(session)).map(present) });
  });

  router.delete('/sessions/:id/links/:linkId', async (req, res) => {
    const session = pathId<SessionId>(req.params.id, 'session');
    await access.require(req.caller, session, 'manage');
    const ended = await auth.store.revokeLink(session, req.params.linkId, new Date(auth.now()));
    if (!ended) throw new MaskroomError('NOT_FOUND', 'no such link');
    deps.disconnect(new Set(ended.map(guestUserId)));
    res.status(204).end();
  });

  router.get('/links/:token', async (req, res) => {
    const link = await auth.requireLink(req.params.token);
    const session = await store.getSession(link.sessionId as SessionId);
    const video = session && (await store.get(session.videoId));
    if (!video) throw new MaskroomError('NOT_FOUND', 'no such share link');
    const info: LinkInfo = {
      sessionId: link.sessionId as SessionId,
      role: link.role,
      videoTitle: video.title,
      expiresAt: link.expiresAt.toISOString(),
    };
    res.set('Cache-Control', 'no-store');
    res.json(info);
  });

  router.post('/links/:token/join', async (req, res) => {
    const body = parseBody(joinLinkBodySchema, req.body);
    const joined = await auth.joinLink(req.params.token, req.caller, body.displayName);
    if (joined.guestToken) setSessionCookie(req, res, joined.guestToken);
    const answer: JoinedLink = { sessionId: joined.sessionId, role: joined.role };
    res.set('Cache-Control', 'no-store');
    res.json(answer);
  });

  return router;
}

function present(link: ShareLinkRow): ShareLink {
  return {
    id: link.id,
    sessionId: link.sessionId as SessionId,
    role: link.role,
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
    createdBy: link.createdBy,
  };
}
