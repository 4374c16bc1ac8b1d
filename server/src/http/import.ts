import express, { Router, type Request } from 'express';
import { IMPORT_MAX_BYTES, importQuerySchema, type ImportAnswer, type SessionId } from '@maskroom/shared';
import { requireCaller } from '../auth/caller.js';
import type { SessionAccess } from '../auth/SessionAccess.js';
import type { ImportService } from '../import/ImportService.js';
import { parseBody, pathId } from './validate.js';

export interface ImportRoutesDeps {
  readonly access: SessionAccess;
  readonly service: ImportService;
}

const IMPORT_PATH = /^\/sessions\/[^/]+\/import\/?$/;

/**
 * Whether a request is an import upload, whose body (a COCO JSON of up to 200 MB among others)
 * the API's 1 MB JSON parser must leave alone: the import route reads it raw, after checking the
 * caller may edit the session.
 */
export const isImportUpload = (req: Request): boolean => req.method === 'POST' && IMPORT_PATH.test(req.path);

/** `POST /api/sessions/:id/import?mode=add|replace`: body = a COCO JSON, a ZIP or one DAVIS PNG. */
export function importRoutes(deps: ImportRoutesDeps): Router {
  const router = Router();
  // Any content type: the file kind is told from its first bytes.
  const rawBody = express.raw({ type: () => true, limit: IMPORT_MAX_BYTES });

  router.post(
    '/sessions/:id/import',
    async (req, _res, next) => {
      await deps.access.require(req.caller, pathId<SessionId>(req.params.id, 'session'), 'edit');
      next();
    },
    rawBody,
    async (req, res) => {
      const session = pathId<SessionId>(req.params.id, 'session');
      const query = parseBody(importQuerySchema, req.query);
      const body: unknown = req.body;
      const bytes = body instanceof Uint8Array ? body : new Uint8Array(0);
      const answer: ImportAnswer = await deps.service.run(session, bytes, {
        mode: query.mode,
        by: requireCaller(req).user.id,
        frame: query.frame,
      });
      res.json(answer);
    },
  );
  return router;
}
