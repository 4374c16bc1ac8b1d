import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Accepts a caller's `X-Request-Id` when it is a sane token, else makes one; echoes it back. */
const INCOMING = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get('x-request-id');
  req.requestId = given && INCOMING.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
}
