import express, { type Express } from 'express';
import type { Config } from './config.js';
import { apiNotFound, errorHandler } from './http/errors.js';
import { healthRouter, type HealthSource } from './http/health.js';
import { requestId } from './http/request-id.js';
import { clientRouter } from './http/static.js';
import type { Logger } from './log.js';
import { videoRoutes, type VideoRoutesDeps } from './http/videos.js';
import { sessionRoutes, type SessionRoutesDeps } from './http/sessions.js';
import { authRoutes, type AuthRoutesDeps } from './http/auth.js';
import { linkRoutes, type LinkRoutesDeps } from './http/links.js';
import { reviewRoutes, type ReviewRoutesDeps } from './http/review.js';
import { importRoutes, isImportUpload, type ImportRoutesDeps } from './http/import.js';
import { exportRoutes, type ExportRoutesDeps } from './http/export.js';
import { callerResolver, resolveCaller, type CallerResolver } from './auth/caller.js';
import { refuseCrossSite } from './auth/csrf.js';
import { refuseWhileDraining, type InFlight } from './http/draining.js';
import { countRequests, metricsRoutes } from './http/metrics.js';
import type { ServerMetrics } from './metrics/ServerMetrics.js';

export interface AppDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly health: HealthSource;
  readonly clientDir: string;
  readonly version: string;
  /** The video library; absent in tests of the bare HTTP shell. */
  readonly videos?: VideoRoutesDeps;
  readonly sessions?: SessionRoutesDeps;
  /** Who is calling (local mode's named user, or the account or guest behind the cookie). */
  readonly caller?: CallerResolver;
  readonly auth?: AuthRoutesDeps;
  /** Accounts mode only. */
  readonly links?: LinkRoutesDeps;
  readonly review?: ReviewRoutesDeps;
  readonly imports?: ImportRoutesDeps;
  readonly exports?: ExportRoutesDeps;
  /** `GET /api/metrics` and request/error counts; absent in tests of the bare HTTP shell. */
  readonly metrics?: { readonly registry: ServerMetrics; readonly token: string | undefined };
  /** Graceful shutdown: requests in flight are counted; while draining new ones are refused. */
  readonly lifecycle?: { readonly draining: () => boolean; readonly inFlight: InFlight };
}

/** Answers about a logged-in caller are theirs alone: no shared cache may keep them. */
const noStoreForCallers: express.RequestHandler = (req, res, next) => {
  if (req.caller && req.caller.kind !== 'local') res.set('Cache-Control', 'no-store');
  next();
};

/** The Express application: API under /api, the built client everywhere else. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestId);
  const metrics = deps.metrics?.registry;
  if (metrics) app.use(countRequests(metrics));
  if (deps.lifecycle) {
    app.use(deps.lifecycle.inFlight.track);
    app.use(refuseWhileDraining(deps.lifecycle.draining, (code) => metrics?.httpErrors.inc({ code })));
  }

  const api = express.Router();
  api.use(refuseCrossSite);
  const json = express.json({ limit: '1mb' });
  api.use((req, res, next) => (isImportUpload(req) ? next() : json(req, res, next)));
  api.use(healthRouter(deps.health, deps.version));
  if (deps.metrics)
    api.use(metricsRoutes({ metrics: deps.metrics.registry, token: deps.metrics.token, log: deps.log }));
  api.use(resolveCaller(deps.caller ?? callerResolver(null)));
  api.use(noStoreForCallers);
  api.use(authRoutes(deps.auth ?? { auth: null }));
  if (deps.videos) api.use(videoRoutes(deps.videos));
  if (deps.sessions) api.use(sessionRoutes(deps.sessions));
  if (deps.links) api.use(linkRoutes(deps.links));
  if (deps.review) api.use(reviewRoutes(deps.review));
  if (deps.imports) api.use(importRoutes(deps.imports));
  if (deps.exports) api.use(exportRoutes(deps.exports));
  api.use(apiNotFound);
  app.use('/api', api);

  app.use(clientRouter(deps.clientDir));
  app.use(errorHandler(deps.log, metrics));
  return app;
}
