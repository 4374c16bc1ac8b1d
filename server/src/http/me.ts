import { Router, type Request } from 'express';
import type { MeResponse, PresenceUser } from '@maskroom/shared';

export interface MeRoutesDeps {
  readonly mode: MeResponse['mode'];
  readonly userOf: (req: Request) => PresenceUser;
}

/** `GET /api/me`: the caller's identity, as presence shows it to the others. */
export function meRoutes(deps: MeRoutesDeps): Router {
  const router = Router();
  router.get('/me', (req, res) => {
    const body: MeResponse = { user: deps.userOf(req), mode: deps.mode };
    res.json(body);
  });
  return router;
}
