/**
 * Migrations of the main doc layout, one named step per version bump (see `MainDocVersions` in
 * `constants.ts`). A step edits the raw Y.Doc of the *old* layout into the new one; it must be
 * deterministic and must not rely on the typed accessors (which only know the newest layout).
 *
 * Steps run on the server when it loads a doc, before any client sees it (`checkSchema`).
 * Clients should not migrate: they call `checkSchema(doc, { migrate: false })`.
 */
import type * as Y from 'yjs';
import { DocError } from './errors.js';

export interface MainDocMigration {
  /** Stable name of the step, e.g. `AddObjectHidden`. */
  readonly name: string;
  /** Version the step starts from; it ends at `from + 1`. */
  readonly from: number;
  /** Edits the doc in place; runs inside a transaction. */
  readonly up: (doc: Y.Doc) => void;
}

/** The migration table, oldest first. Empty while there is only `MainDocVersions.Initial`. */
export const MAIN_DOC_MIGRATIONS: readonly MainDocMigration[] = [];

/**
 * The steps that take a doc from version `from` to `to`, in order. Throws `MIGRATION_MISSING` if
 * the table has a gap (or a duplicate step) on the way.
 */
export function planMigrations(
  from: number,
  to: number,
  table: readonly MainDocMigration[] = MAIN_DOC_MIGRATIONS,
): MainDocMigration[] {
  const byFrom = new Map<number, MainDocMigration>();
  for (const step of table) {
    if (byFrom.has(step.from)) {
      throw new DocError('MIGRATION_MISSING', `two migration steps start at version ${step.from}`);
    }
    byFrom.set(step.from, step);
  }
  const plan: MainDocMigration[] = [];
  for (let v = from; v < to; v++) {
    const step = byFrom.get(v);
    if (step === undefined) {
      throw new DocError('MIGRATION_MISSING', `no migration step from schema version ${v} to ${v + 1}`);
    }
    plan.push(step);
  }
  return plan;
}
