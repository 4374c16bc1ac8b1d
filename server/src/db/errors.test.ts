import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import { MaskroomError } from '@maskroom/shared';
import { findPgError, mapDbError } from './errors.js';

/** A driver error as postgres.js and PGlite shape it (SQLSTATE in `code`). */
function driverError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`driver says ${code}`), { code, ...extra });
}

describe('mapDbError', () => {
  it('maps unique and foreign-key violations to CONFLICT through drizzle’s wrapper', () => {
    const unique = mapDbError(
      new DrizzleQueryError('insert …', [1], driverError('23505', { constraint_name: 'videos_pkey' })),
      'create video',
    );
    expect(unique).toBeInstanceOf(MaskroomError);
    expect((unique as MaskroomError).code).toBe('CONFLICT');
    expect((unique as MaskroomError).message).toContain('videos_pkey');
    const fk = mapDbError(driverError('23503', { constraint: 'sessions_video_id_videos_id_fk' }), 'x');
    expect((fk as MaskroomError).code).toBe('CONFLICT');
    expect((fk as MaskroomError).details?.constraint).toBe('sessions_video_id_videos_id_fk');
  });

  it('maps check and not-null violations to INVALID_REQUEST', () => {
    expect((mapDbError(driverError('23514'), 'x') as MaskroomError).code).toBe('INVALID_REQUEST');
    expect((mapDbError(driverError('23502'), 'x') as MaskroomError).code).toBe('INVALID_REQUEST');
  });

  it('keeps other errors, but never with megabytes of parameters in the message', () => {
    const plain = new Error('boom');
    expect(mapDbError(plain, 'x')).toBe(plain);
    const cause = driverError('57P01');
    const wrapped = new DrizzleQueryError(
      'insert into doc_updates …',
      ['session/a', new Uint8Array(1 << 20)],
      cause,
    );
    expect(wrapped.message.length).toBeGreaterThan(1 << 20);
    const mapped = mapDbError(wrapped, 'append document update') as Error;
    expect(mapped).not.toBeInstanceOf(MaskroomError);
    expect(mapped.message).toBe('append document update failed: driver says 57P01');
    expect(mapped.cause).toBe(cause);
    expect(findPgError(mapped)?.code).toBe('57P01');
  });

  it('passes MaskroomErrors through and finds no SQLSTATE in unrelated errors', () => {
    const own = new MaskroomError('NOT_FOUND');
    expect(mapDbError(own, 'x')).toBe(own);
    expect(findPgError(Object.assign(new Error('e'), { code: 'ECONNREFUSED' }))).toBeNull();
  });
});
