import { isIP } from 'node:net';
import { Router, type Request, type RequestHandler } from 'express';
import { MaskroomError } from '@maskroom/shared';
import { constantTimeEqual, hashSecret } from '../auth/tokens.js';
import type { Logger } from '../log.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/registry.js';
import type { ServerMetrics } from '../metrics/ServerMetrics.js';

export interface MetricsRoutesDeps {
  readonly metrics: ServerMetrics;
  /** `MASKROOM_METRICS_TOKEN`: a bearer token that lets a scraper in from anywhere. */
  readonly token: string | undefined;
  readonly log: Logger;
}

/**
 * `GET /api/metrics`: Prometheus text. Readable from loopback, or with the bearer token. `req.ip`
 * honours `X-Forwarded-For` only from a loopback proxy (`trust proxy`), so a request relayed by a
 * proxy on this host counts as coming from its real client, not from loopback.
 */
export function metricsRoutes(deps: MetricsRoutesDeps): Router {
  const router = Router();
  const expected = deps.token ? hashSecret(deps.token) : undefined;
  router.get('/metrics', async (req, res) => {
    if (!isLoopback(req.ip) && !hasToken(req, expected)) {
      throw new MaskroomError(
        'FORBIDDEN',
        'metrics are served to loopback, or with MASKROOM_METRICS_TOKEN as a bearer token',
      );
    }
    const text = await deps.metrics.render((name, err) =>
      deps.log.warn('a metric could not be read', { metric: name, err }),
    );
    res.set('Content-Type', PROMETHEUS_CONTENT_TYPE).set('Cache-Control', 'no-store').send(text);
  });
  return router;
}

/** Counts every answered request by method and status. */
export function countRequests(metrics: ServerMetrics): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => metrics.countRequest(req.method, res.statusCode));
    next();
  };
}

export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1';
}

function hasToken(req: Request, expected: Uint8Array | undefined): boolean {
  if (!expected) return false;
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match !== null && constantTimeEqual(hashSecret(match[1]!), expected);
}
