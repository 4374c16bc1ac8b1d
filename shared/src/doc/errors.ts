/**
 * Errors raised by the document accessors, with stable codes callers can switch on.
 */

/** Stable codes of {@link DocError}. Never rename one; add new ones at the end. */
export const DOC_ERROR_CODES = [
  /** A write's record failed its schema; nothing was written. */
  'INVALID_RECORD',
  /** An argument that is not a record (id, frame, chunk index, name) is malformed. */
  'INVALID_ARGUMENT',
  /** A mask write for a frame this chunk doc does not hold. */
  'FRAME_OUT_OF_CHUNK',
  /** A frame at or beyond the session's `meta.numFrames`. */
  'FRAME_OUT_OF_RANGE',
  /** An update of a record that does not exist (or is unreadable). */
  'NOT_FOUND',
  /** A create of an id that already exists. */
  'ALREADY_EXISTS',
  /** `initMainDoc` on a doc that already has meta. */
  'ALREADY_INITIALIZED',
  /** The doc has content but no `meta` (or no `schemaVersion`). */
  'SCHEMA_MISSING',
  /** `meta` is present but garbled: not a valid schemaVersion or invalid fields. */
  'SCHEMA_INVALID',
  /** The doc was written by a newer Maskroom; this code must not touch it. */
  'SCHEMA_TOO_NEW',
  /** The doc is older than this code and migration was not allowed by the caller. */
  'SCHEMA_TOO_OLD',
  /** No chain of migration steps leads from the doc's version to the current one. */
  'MIGRATION_MISSING',
  /** A migration step threw; the doc was left untouched. */
  'MIGRATION_FAILED',
] as const;

export type DocErrorCode = (typeof DOC_ERROR_CODES)[number];

export class DocError extends Error {
  override readonly name = 'DocError';
  readonly code: DocErrorCode;
  /** Human-readable validation issues (`path: message`), when there are any. */
  readonly issues: readonly string[];

  constructor(
    code: DocErrorCode,
    message: string,
    options?: { issues?: readonly string[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options?.issues ?? [];
  }
}

export const isDocError = (e: unknown, code?: DocErrorCode): e is DocError =>
  e instanceof DocError && (code === undefined || e.code === code);

/** A stored entry that a read skipped because it does not match its schema. */
export interface InvalidRecord {
  /** `main` or `masks` (a mask chunk doc). */
  readonly doc: 'main' | 'masks';
  /** The top-level Y.Map: `meta`, `objects`, `prompts`, `jobs`, `comments` or `masks`. */
  readonly map: string;
  /** The entry's key (`""` for meta as a whole). */
  readonly key: string;
  readonly issues: readonly string[];
}

export type InvalidRecordHandler = (record: InvalidRecord) => void;
