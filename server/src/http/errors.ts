import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MaskroomError, httpErrorResponse, isMaskroomError } from '@maskroom/shared';
import type { Logger } from '../log.js';
import type { ServerMetrics } from '../metrics/ServerMetrics.js';

/** Unknown `/api/*` routes answer the same error shape as every other failure. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new MaskroomError('NOT_FOUND', `no route ${req.method} ${req.originalUrl}`));
};

/**
 * The one place an error becomes an HTTP response: `{error: {code, message, requestId}}` with
 * the status that the code carries in `shared` (DESIGN §6).
 */
export function errorHandler(log: Logger, metrics?: ServerMetrics): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, body } = httpErrorResponse(fromExpress(err), req.requestId);
    metrics?.httpErrors.inc({ code: body.error.code });
    const retryAfter = isMaskroomError(err) ? err.details?.['retryAfterSec'] : undefined;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    if (status >= 500) log.error('request failed', { requestId: req.requestId, err });
    res.status(status).json(body);
  };
}

/** body-parser and friends signal client errors with an http-errors `status`. */
function fromExpress(err: unknown): unknown {
  if (isMaskroomError(err) || !isHttpError(err) || err.status < 400 || err.status >= 500) return err;
  if (err.status === 404) return new MaskroomError('NOT_FOUND', 'not found');
  if (err.status === 413) return new MaskroomError('FILE_TOO_LARGE', 'the request body is too large');
  return new MaskroomError('INVALID_REQUEST', err.expose ? err.message : 'invalid request');
}

function isHttpError(e: unknown): e is { status: number; message: string; expose?: boolean } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number';
}
