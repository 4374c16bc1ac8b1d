/**
 * Load-time handling of the main doc's `meta.schemaVersion`: initialize a fresh doc, accept the
 * current version, migrate an older one (server only), refuse a newer or garbled one.
 */
import * as Y from 'yjs';
import { describe, validateForWrite } from './access.js';
import { CHUNK_SIZE, SCHEMA_VERSION } from './constants.js';
import { DocError } from './errors.js';
import { isMainDocEmpty } from './layout.js';
import { MAIN_DOC_MIGRATIONS, planMigrations } from './migrations.js';
import type { MainDocMigration } from './migrations.js';
import { formatIssues, metaSchema } from './records.js';
import type { MetaRecord } from './records.js';

/** What `initMainDoc` needs: meta without the version; `chunkSize` defaults to {@link CHUNK_SIZE}. */
export type MetaInit = Omit<MetaRecord, 'schemaVersion' | 'chunkSize'> & { readonly chunkSize?: number };

export type SchemaCheck =
  /** Nothing in the doc yet: the server initializes it with `initMainDoc`. */
  | { readonly state: 'empty' }
  | { readonly state: 'current'; readonly version: number; readonly meta: MetaRecord }
  | {
      readonly state: 'migrated';
      readonly from: number;
      readonly version: number;
      /** Names of the steps that ran, in order. */
      readonly steps: readonly string[];
      readonly meta: MetaRecord;
    };

export interface CheckSchemaOptions {
  /** Migrate an older doc (default true). With false an older doc throws `SCHEMA_TOO_OLD`. */
  readonly migrate?: boolean;
  /** Transaction origin of the migration's writes. */
  readonly origin?: unknown;
  /** Migration table (default {@link MAIN_DOC_MIGRATIONS}); tests pass their own. */
  readonly migrations?: readonly MainDocMigration[];
  /** Version to reach (default {@link SCHEMA_VERSION}); tests pass their own. */
  readonly targetVersion?: number;
}

/**
 * Writes a fresh doc's meta with the current schema version, in one transaction. Throws
 * `ALREADY_INITIALIZED` if there is meta already, `SCHEMA_MISSING` if the doc has other content,
 * `INVALID_RECORD` for bad meta.
 */
export function initMainDoc(doc: Y.Doc, meta: MetaInit, origin: unknown = null): MetaRecord {
  const metaMap = doc.getMap<unknown>('meta');
  if (metaMap.size > 0) throw new DocError('ALREADY_INITIALIZED', 'the main doc already has meta');
  if (!isMainDocEmpty(doc)) throw new DocError('SCHEMA_MISSING', 'the main doc has content but no meta');
  const record = validateForWrite(
    metaSchema,
    { ...meta, chunkSize: meta.chunkSize ?? CHUNK_SIZE, schemaVersion: SCHEMA_VERSION },
    'meta',
  );
  doc.transact(() => {
    for (const [k, v] of Object.entries(record)) metaMap.set(k, v);
  }, origin);
  return record;
}

/**
 * Checks (and if needed migrates) a loaded main doc. Migration runs on a scratch copy and is
 * applied to `doc` as one update only if every step succeeds, so a failing step leaves `doc`
 * untouched (`MIGRATION_FAILED`).
 *
 * Throws `SCHEMA_MISSING` (content but no meta or no version), `SCHEMA_INVALID` (garbled version
 * or meta), `SCHEMA_TOO_NEW`, `SCHEMA_TOO_OLD` (with `migrate: false`), `MIGRATION_MISSING`,
 * `MIGRATION_FAILED`.
 */
export function checkSchema(doc: Y.Doc, options: CheckSchemaOptions = {}): SchemaCheck {
  const target = options.targetVersion ?? SCHEMA_VERSION;
  const metaMap = doc.getMap<unknown>('meta');
  if (metaMap.size === 0) {
    if (isMainDocEmpty(doc)) return { state: 'empty' };
    throw new DocError('SCHEMA_MISSING', 'the main doc has content but no meta: not a Maskroom session doc?');
  }
  const version = metaMap.get('schemaVersion');
  if (version === undefined)
    throw new DocError('SCHEMA_MISSING', 'the main doc has meta but no schemaVersion');
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new DocError('SCHEMA_INVALID', `meta.schemaVersion is ${describe(version)}, not a version number`);
  }
  if (version > target) {
    throw new DocError(
      'SCHEMA_TOO_NEW',
      `the session was written by a newer Maskroom (schema ${version}; this code knows up to ${target})`,
    );
  }
  if (version === target)
    return { state: 'current', version, meta: requireValidMeta(metaMap, 'SCHEMA_INVALID') };

  if (options.migrate === false) {
    throw new DocError(
      'SCHEMA_TOO_OLD',
      `the session has schema ${version} and needs migrating to ${target}`,
    );
  }
  const plan = planMigrations(version, target, options.migrations ?? MAIN_DOC_MIGRATIONS);
  const scratch = new Y.Doc({ gc: doc.gc });
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    const scratchMeta = scratch.getMap<unknown>('meta');
    scratch.transact(() => {
      for (const step of plan) {
        try {
          step.up(scratch);
        } catch (e) {
          throw new DocError(
            'MIGRATION_FAILED',
            `migration ${step.name} (${step.from} → ${step.from + 1}) failed: ${String(e)}`,
            {
              cause: e,
            },
          );
        }
        scratchMeta.set('schemaVersion', step.from + 1);
      }
    });
    const meta = requireValidMeta(scratchMeta, 'MIGRATION_FAILED');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(doc)), options.origin ?? null);
    return { state: 'migrated', from: version, version: target, steps: plan.map((s) => s.name), meta };
  } finally {
    scratch.destroy();
  }
}

function requireValidMeta(metaMap: Y.Map<unknown>, code: 'SCHEMA_INVALID' | 'MIGRATION_FAILED'): MetaRecord {
  const plain: Record<string, unknown> = {};
  for (const [k, v] of metaMap.entries()) plain[k] = v;
  const result = metaSchema.safeParse(plain);
  if (result.success) return result.data;
  const issues = formatIssues(result.error);
  throw new DocError(code, `the main doc's meta is invalid: ${issues.join('; ')}`, { issues });
}
