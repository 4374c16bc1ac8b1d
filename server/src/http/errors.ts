import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ERROR_CODES, MaskroomError, errorBody, type ErrorCode } from '@maskroom/shared';
import type { Logger } from '../log.js';

/** Unknown `/api/*` routes answer the same error shape as every other failure. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new MaskroomError('NOT_FOUND', `no route ${req.method} ${req.originalUrl}`));
};

/**
 * The one place an error becomes an HTTP response: `{error: {code, message, requestId}}` with
 * the status that the code carries in `shared` (DESIGN §6).
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const known = toMaskroomError(err);
    const status = ERROR_CODES[known.code].httpStatus;
    if (status >= 500) log.error('request failed', { requestId: req.requestId, err });
    res.status(status).json(errorBody(known.code, known.message, req.requestId));
  };
}

function toMaskroomError(err: unknown): MaskroomError {
  if (err instanceof MaskroomError) return err;
  // body-parser and friends signal client errors with `status`/`type`.
  if (isHttpError(err) && err.status >= 400 && err.status < 500) {
    const code: ErrorCode = err.status === 413 ? 'FILE_TOO_LARGE' : 'INVALID_REQUEST';
    return new MaskroomError(code, err.expose ? err.message : 'invalid request');
  }
  return new MaskroomError('INTERNAL', 'internal error');
}

function isHttpError(e: unknown): e is { status: number; message: string; expose?: boolean } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number';
}
