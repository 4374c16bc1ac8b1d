import express, { type Express } from 'express';
import type { Config } from './config.js';
import { apiNotFound, errorHandler } from './http/errors.js';
import { healthRouter, type HealthSource } from './http/health.js';
import { requestId } from './http/request-id.js';
import { clientRouter } from './http/static.js';
import type { Logger } from './log.js';
import { videoRoutes, type VideoRoutesDeps } from './http/videos.js';
import { sessionRoutes, type SessionRoutesDeps } from './http/sessions.js';
import { meRoutes, type MeRoutesDeps } from './http/me.js';

export interface AppDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly health: HealthSource;
  readonly clientDir: string;
  readonly version: string;
  /** The video library; absent in tests of the bare HTTP shell. */
  readonly videos?: VideoRoutesDeps;
  readonly sessions?: SessionRoutesDeps;
  readonly me?: MeRoutesDeps;
}

/** The Express application: API under /api, the built client everywhere else. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestId);

  const api = express.Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(healthRouter(deps.health, deps.version));
  if (deps.videos) api.use(videoRoutes(deps.videos));
  if (deps.sessions) api.use(sessionRoutes(deps.sessions));
  if (deps.me) api.use(meRoutes(deps.me));
  api.use(apiNotFound);
  app.use('/api', api);

  app.use(clientRouter(deps.clientDir));
  app.use(errorHandler(deps.log));
  return app;
}
