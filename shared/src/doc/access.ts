/**
 * Pieces shared by the accessors: options, write validation, read reporting, change info.
 */
import type * as Y from 'yjs';
import type { z } from 'zod';
import { DocError } from './errors.js';
import type { InvalidRecord, InvalidRecordHandler } from './errors.js';
import { formatIssues } from './records.js';

/** Options of {@link MainDoc} and {@link MaskChunkDoc}. */
export interface AccessorOptions {
  /**
   * Transaction origin of writes made without an explicit `origin` argument (default `null`).
   * Give each client session one object here and track it in its UndoManager; the server can
   * mark its own writes.
   */
  readonly origin?: unknown;
  /** Called for every stored entry a read skips because it does not parse. */
  readonly onInvalid?: InvalidRecordHandler;
}

/** Passed to observers along with the changes. */
export interface ChangeInfo {
  /** The transaction's origin (e.g. the provider for remote updates, or a writer's origin). */
  readonly origin: unknown;
  /** Whether the change was made on this replica (false for applied remote updates). */
  readonly local: boolean;
}

export const changeInfo = (tr: Y.Transaction): ChangeInfo => ({ origin: tr.origin, local: tr.local });

/** Validates a record to be written; throws `DocError('INVALID_RECORD')` on failure. */
export function validateForWrite<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = formatIssues(result.error);
    throw new DocError('INVALID_RECORD', `invalid ${what}: ${issues.join('; ')}`, { issues });
  }
  return compact(result.data);
}

/** Drops `undefined`-valued keys (recursively through plain objects) so the stored JSON is clean. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => compact(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v);
  return out as T;
}

/** Structural equality of JSON-like values (used to skip no-op writes). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual(ra[k], rb[k]));
}

/** Reads one stored entry; reports it and returns undefined if it does not parse. */
export function readRecord<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  where: Omit<InvalidRecord, 'issues'>,
  onInvalid: InvalidRecordHandler | undefined,
): T | undefined {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  onInvalid?.({ ...where, issues: formatIssues(result.error) });
  return undefined;
}

/** Describes a value for an error message without dumping a large string. */
export function describe(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
