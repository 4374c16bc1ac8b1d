import { describe, expect, it } from 'vitest';
import {
  ERROR_CODE_LIST,
  ERROR_CODES,
  MaskroomError,
  errorCodeSchema,
  httpErrorBody,
  httpErrorBodySchema,
  httpErrorResponse,
  isErrorCode,
  isMaskroomError,
} from './errors.js';

describe('ERROR_CODES', () => {
  it('lists every code the design and the worker protocol name', () => {
    for (const code of [
      'VIDEO_TOO_LONG',
      'FILE_TOO_LARGE',
      'UNSUPPORTED_MEDIA',
      'INGEST_FAILED',
      'INVALID_PROMPT',
      'UNSUPPORTED_PROMPT',
      'NO_WORKER',
      'WORKER_LOST',
      'SESSION_NOT_OPEN',
      'SESSION_LIMIT',
      'CANCELLED',
      'OUT_OF_MEMORY',
      'FRAME_OUT_OF_RANGE',
      'NOT_FOUND',
      'FORBIDDEN',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
      'INVALID_REQUEST',
      'INVALID_MESSAGE',
      'PROTOCOL_VERSION_MISMATCH',
      'CONFLICT',
      'INTERNAL',
    ]) {
      expect(isErrorCode(code), code).toBe(true);
    }
  });

  it('gives each code an error status, a retry default and a one-line description', () => {
    for (const code of ERROR_CODE_LIST) {
      const info = ERROR_CODES[code];
      expect(code).toMatch(/^[A-Z][A-Z_]*[A-Z]$/);
      expect(Number.isInteger(info.httpStatus) && info.httpStatus >= 400 && info.httpStatus < 600).toBe(true);
      expect(typeof info.retryable).toBe('boolean');
      expect(info.description.length).toBeGreaterThan(10);
      expect(info.description).not.toContain('\n');
    }
  });

  it('maps the usual statuses', () => {
    expect(ERROR_CODES.NOT_FOUND.httpStatus).toBe(404);
    expect(ERROR_CODES.FORBIDDEN.httpStatus).toBe(403);
    expect(ERROR_CODES.UNAUTHENTICATED.httpStatus).toBe(401);
    expect(ERROR_CODES.FILE_TOO_LARGE.httpStatus).toBe(413);
    expect(ERROR_CODES.UNSUPPORTED_MEDIA.httpStatus).toBe(415);
    expect(ERROR_CODES.RATE_LIMITED.httpStatus).toBe(429);
    expect(ERROR_CODES.NO_WORKER.httpStatus).toBe(503);
    expect(ERROR_CODES.INTERNAL.httpStatus).toBe(500);
    expect(ERROR_CODES.NO_WORKER.retryable).toBe(true);
    expect(ERROR_CODES.INVALID_PROMPT.retryable).toBe(false);
  });

  it('rejects unknown and prototype names', () => {
    for (const name of ['NOPE', 'not_found', '', 'toString', '__proto__', 'constructor', 42, null]) {
      expect(isErrorCode(name)).toBe(false);
      expect(errorCodeSchema.safeParse(name).success).toBe(false);
    }
  });
});

describe('MaskroomError', () => {
  it('carries code, status, retryability and details', () => {
    const cause = new Error('disk');
    const error = new MaskroomError('NO_WORKER', 'all workers busy', { details: { queued: 3 }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(isMaskroomError(error)).toBe(true);
    expect(error.name).toBe('MaskroomError');
    expect(error.code).toBe('NO_WORKER');
    expect(error.message).toBe('all workers busy');
    expect(error.httpStatus).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ queued: 3 });
    expect(error.cause).toBe(cause);
  });

  it('defaults the message to the description and lets retryable be overridden', () => {
    const error = new MaskroomError('OUT_OF_MEMORY', undefined, { retryable: false });
    expect(error.message).toBe(ERROR_CODES.OUT_OF_MEMORY.description);
    expect(error.retryable).toBe(false);
    expect(error.details).toBeUndefined();
  });
});

describe('HTTP error body', () => {
  it('keeps a MaskroomError code and message', () => {
    const { status, body } = httpErrorResponse(
      new MaskroomError('VIDEO_TOO_LONG', 'video is 75 s, max 60 s'),
      'rq_1',
    );
    expect(status).toBe(422);
    expect(body).toEqual({
      error: { code: 'VIDEO_TOO_LONG', message: 'video is 75 s, max 60 s', requestId: 'rq_1' },
    });
    expect(httpErrorBodySchema.parse(body)).toEqual(body);
  });

  it('turns anything else into INTERNAL without leaking its message', () => {
    for (const thrown of [new Error('password=hunter2'), 'boom', undefined, { code: 'NOT_FOUND' }]) {
      const { status, body } = httpErrorResponse(thrown, 'rq_2');
      expect(status).toBe(500);
      expect(body.error.code).toBe('INTERNAL');
      expect(body.error.message).not.toContain('hunter2');
      expect(httpErrorBody(thrown, 'rq_2')).toEqual(body);
    }
  });

  it('validates bodies', () => {
    expect(
      httpErrorBodySchema.safeParse({ error: { code: 'NOPE', message: 'x', requestId: 'r' } }).success,
    ).toBe(false);
    expect(httpErrorBodySchema.safeParse({ error: { code: 'INTERNAL', message: 'x' } }).success).toBe(false);
    expect(httpErrorBodySchema.safeParse({ code: 'INTERNAL', message: 'x', requestId: 'r' }).success).toBe(
      false,
    );
  });
});
