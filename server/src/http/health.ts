import { Router } from 'express';

export interface HealthSource {
  /** Database status; `null` until a database is configured. */
  db(): Promise<{ ok: boolean; driver: string } | null>;
  workers(): ReadonlyArray<{ readonly workerId: string; readonly backend: string }>;
  /** Shutting down: not ok, so the load balancer stops sending new clients here. */
  draining?(): boolean;
}

/** `GET /api/health` → `{ok, db, workers}` (DESIGN §6). */
export function healthRouter(source: HealthSource, version: string): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const db = await source.db();
    const ok = (db === null || db.ok) && !source.draining?.();
    res.status(ok ? 200 : 503).json({ ok, version, db, workers: source.workers() });
  });
  return router;
}
