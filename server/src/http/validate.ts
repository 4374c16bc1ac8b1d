import { MaskroomError, isIdString, type ErrorCode } from '@maskroom/shared';
import type { z } from 'zod';

/** Validates a request body, answering `code` with the first problem spelled out. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  code: ErrorCode = 'INVALID_REQUEST',
): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new MaskroomError(code, `${where}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}

/** A path id: anything outside the id charset cannot name a thing, so it is `NOT_FOUND`. */
export function pathId<T extends string>(raw: string, what: string): T {
  if (!isIdString(raw)) throw new MaskroomError('NOT_FOUND', `no such ${what}`);
  return raw as T;
}
