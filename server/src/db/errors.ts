/**
 * Maps database errors of both drivers to `MaskroomError`s. drizzle wraps a failed query in a
 * `DrizzleQueryError` whose `cause` is the driver's error; postgres.js (`PostgresError`) and
 * PGlite (`DatabaseError`) both carry the SQLSTATE in `code`.
 */
import { MaskroomError } from '@maskroom/shared';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
const NOT_NULL_VIOLATION = '23502';

interface PgErrorLike {
  code: string;
  constraint: string | undefined;
  message: string;
}

/** The first error in the `cause` chain that carries a SQLSTATE, if any. */
export function findPgError(error: unknown): PgErrorLike | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const rec = current as Record<string, unknown>;
    // Node system errors (EPIPE, EBADF…) also have five-letter codes, and a `syscall`.
    if (typeof rec.code === 'string' && /^[0-9A-Z]{5}$/.test(rec.code) && !('syscall' in rec)) {
      const constraint =
        typeof rec.constraint_name === 'string'
          ? rec.constraint_name
          : typeof rec.constraint === 'string'
            ? rec.constraint
            : undefined;
      return { code: rec.code, constraint, message: typeof rec.message === 'string' ? rec.message : '' };
    }
    current = rec.cause;
  }
  return null;
}

/**
 * Turns an integrity violation into a `MaskroomError` (`CONFLICT` for unique and foreign-key
 * violations, `INVALID_REQUEST` for check and not-null violations); anything else is returned
 * unchanged. The driver error stays the `cause`; messages never include query parameters
 * (drizzle's own message lists them, and they can be megabytes of document bytes).
 */
export function mapDbError(error: unknown, what: string): unknown {
  if (error instanceof MaskroomError) return error;
  const pg = findPgError(error);
  if (!pg) return withoutParams(error, what);
  const details = { sqlstate: pg.code, constraint: pg.constraint, operation: what };
  switch (pg.code) {
    case UNIQUE_VIOLATION:
      return new MaskroomError('CONFLICT', `${what}: already exists (${pg.constraint ?? 'unique'})`, {
        details,
        cause: error,
      });
    case FOREIGN_KEY_VIOLATION:
      return new MaskroomError('CONFLICT', `${what}: refers to a missing or removed row`, {
        details,
        cause: error,
      });
    case CHECK_VIOLATION:
    case NOT_NULL_VIOLATION:
      return new MaskroomError('INVALID_REQUEST', `${what}: invalid value (${pg.constraint ?? pg.message})`, {
        details,
        cause: error,
      });
    default:
      return withoutParams(error, what);
  }
}

/**
 * drizzle's `DrizzleQueryError` puts the query and every parameter in its message; replace it by
 * a short error naming the operation and the driver's message, with the driver's error as cause.
 */
function withoutParams(error: unknown, what: string): unknown {
  if (!(error instanceof Error) || !('params' in error) || !('query' in error)) return error;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return new Error(`${what} failed: ${cause?.message ?? 'query failed'}`, { cause: cause ?? error });
}

/** Runs `fn`, rethrowing database integrity errors as `MaskroomError`s. */
export async function mapErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapDbError(error, what);
  }
}
