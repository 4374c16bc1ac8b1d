import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/**
 * Serves the built client (client/dist): hashed assets immutably cached, and index.html for any
 * other non-API path so that client-side routes survive a reload.
 */
export function clientRouter(clientDir: string): Router {
  const router = Router();
  const index = path.join(clientDir, 'index.html');
  if (!existsSync(index)) {
    router.get(/^(?!\/api\/).*/, (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send(`The client is not built (${index} is missing): run \`npm run build\`.`);
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
  );
  router.use(express.static(clientDir, { index: false }));
  router.get(/^(?!\/api\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
