/**
 * The server's relational schema (drizzle pg-core), shared by both drivers: PGlite (embedded,
 * Postgres compiled to WASM) and postgres.js (a real PostgreSQL server).
 *
 * Changing this file means generating a migration: `cd server && npx drizzle-kit generate --name <what>`
 * (see `migrations/README.md`). Tables are unqualified (schema `public` by default) so that the
 * `schema` option of `openDatabase` can relocate all of them through `search_path`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Overall state of a video: still being uploaded/probed/extracted, or ready to annotate. */
export const VIDEO_STATUSES = ['ingesting', 'ready'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** Ingest phases in order; `ready` is reached only through `VideoStore.finishIngest`. */
export const INGEST_PHASES = ['uploading', 'probing', 'extracting', 'finalizing', 'ready'] as const;
export type IngestPhase = (typeof INGEST_PHASES)[number];

/**
 * Normalizes whatever byte container a driver hands back to a plain `Uint8Array` (postgres.js
 * returns a `Buffer`, PGlite a `Uint8Array`). A container that spans its whole `ArrayBuffer` is
 * re-viewed without copying; one that is a slice of a larger buffer (small Buffers live in Node's
 * shared pool) is copied, so callers never hold or leak bytes that are not theirs.
 */
export function toPlainBytes(value: Uint8Array): Uint8Array {
  if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) {
    return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, 0, value.byteLength);
  }
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
}

/**
 * `bytea` ↔ `Uint8Array` on both drivers. Both accept a Uint8Array parameter and send it in
 * binary/hex form; on read postgres.js gives a `Buffer` and PGlite a `Uint8Array`, and a text-mode
 * driver would give the `\x…` hex string: all of them become a plain `Uint8Array`.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array | string }>({
  dataType() {
    return 'bytea';
  },
  toDriver(value: Uint8Array): Uint8Array {
    return value;
  },
  fromDriver(value: Uint8Array | string): Uint8Array {
    if (typeof value === 'string') {
      if (!value.startsWith('\\x')) throw new TypeError('bytea: expected hex output (\\x…)');
      return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
    }
    return toPlainBytes(value);
  },
});

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const videos = pgTable(
  'videos',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    originalName: text('original_name').notNull(),
    status: text('status', { enum: VIDEO_STATUSES }).notNull().default('ingesting'),
    phase: text('phase', { enum: INGEST_PHASES }).notNull().default('uploading'),
    framesDone: integer('frames_done').notNull().default(0),
    framesTotal: integer('frames_total'),
    bytesReceived: bigint('bytes_received', { mode: 'number' }).notNull().default(0),
    width: integer('width'),
    height: integer('height'),
    numFrames: integer('num_frames'),
    sourceFps: doublePrecision('source_fps'),
    processingFps: doublePrecision('processing_fps'),
    durationSec: doublePrecision('duration_sec'),
    rotation: integer('rotation'),
    codec: text('codec'),
    container: text('container'),
    vfr: boolean('vfr'),
    sourceBytes: bigint('source_bytes', { mode: 'number' }),
    framesBytes: bigint('frames_bytes', { mode: 'number' }),
    createdBy: text('created_by').notNull(),
    /** The server instance running this ingest; a restarted instance sweeps its own leftovers. */
    instanceId: text('instance_id').notNull(),
    /** Optional id the uploading client chose, so it can follow progress before the response. */
    uploadId: text('upload_id').unique(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('videos_status_check', sql`${t.status} in ('ingesting', 'ready')`),
    check(
      'videos_phase_check',
      sql`${t.phase} in ('uploading', 'probing', 'extracting', 'finalizing', 'ready')`,
    ),
    // An ingesting video is never in phase `ready`; a ready one has every metadata field.
    check(
      'videos_ready_check',
      sql`(${t.status} = 'ready') = (${t.phase} = 'ready') and (${t.status} <> 'ready' or num_nonnulls(${t.width}, ${t.height}, ${t.numFrames}, ${t.sourceFps}, ${t.processingFps}, ${t.durationSec}, ${t.rotation}, ${t.codec}, ${t.container}, ${t.vfr}, ${t.sourceBytes}, ${t.framesBytes}) = 12)`,
    ),
    index('videos_created_at_idx').on(t.createdAt),
    index('videos_status_updated_at_idx').on(t.status, t.updatedAt),
  ],
);

/** One annotation session per video (DESIGN §3): its documents are named `session/<id>…`. */
export const sessions = pgTable('sessions', {
  id: text('id').primaryKey(),
  videoId: text('video_id')
    .notNull()
    .unique('sessions_video_id_unique')
    .references(() => videos.id, { onDelete: 'cascade' }),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
});

/**
 * Which session a propagation job belongs to, so `GET /api/jobs/:id` finds the job's record in
 * that session's document from any server instance. The job's state lives in the document.
 * While a job runs, the instance running it holds a lease on it (`owner_instance` until
 * `lease_until`, renewed as it runs); a lease left to expire means its instance died, and another
 * instance takes the job over. A finished job has no lease (`lease_until` null).
 */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    ownerInstance: text('owner_instance'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('jobs_lease_until_idx').on(t.leaseUntil)],
);

/**
 * The durable Yjs update log (DESIGN §4): every update is appended before it is acknowledged.
 * `id` orders the updates of a document (Yjs updates commute, so order matters only to compaction).
 */
export const docUpdates = pgTable(
  'doc_updates',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    docName: text('doc_name').notNull(),
    update: bytea('update').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('doc_updates_doc_name_id_idx').on(t.docName, t.id)],
);

/** A compacted document state: the merge of every update of `doc_name` with id ≤ `last_update_id`. */
export const docSnapshots = pgTable('doc_snapshots', {
  docName: text('doc_name').primaryKey(),
  state: bytea('state').notNull(),
  lastUpdateId: bigint('last_update_id', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

// --- accounts mode (DESIGN §7) ------------------------------------------------------------------

/** Password accounts. `email` is stored lower-cased; `password_hash` is an argon2id PHC string. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique('users_email_unique'),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
  passwordChangedAt: timestamp('password_changed_at', { withTimezone: true, mode: 'date' })
    .notNull()
    .defaultNow(),
});

export const LINK_ROLE_VALUES = ['editor', 'reviewer', 'viewer'] as const;
export const ROLE_VALUES = ['owner', 'editor', 'reviewer', 'viewer'] as const;

/** Share links: a role in one session until `expires_at`, unless revoked. Only SHA-256 of the secret is kept. */
export const shareLinks = pgTable(
  'share_links',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    secretHash: bytea('secret_hash').notNull(),
    role: text('role', { enum: LINK_ROLE_VALUES }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    check('share_links_role_check', sql`${t.role} in ('editor', 'reviewer', 'viewer')`),
    index('share_links_session_idx').on(t.sessionId),
  ],
);

/**
 * Login sessions: an account's (`user_id`) or a share-link guest's (`link_id` + `guest_name`).
 * The cookie holds `<id>.<secret>`; only SHA-256 of the secret is kept.
 */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    secretHash: bytea('secret_hash').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    linkId: text('link_id').references(() => shareLinks.id, { onDelete: 'cascade' }),
    guestName: text('guest_name'),
    createdAt: createdAt(),
    lastVerifiedAt: timestamp('last_verified_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    check('auth_sessions_owner_check', sql`num_nonnulls(${t.userId}, ${t.linkId}) = 1`),
    index('auth_sessions_user_idx').on(t.userId),
  ],
);

/** An account's role in a session it does not own (given through a share link). */
export const sessionMembers = pgTable(
  'session_members',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLE_VALUES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.userId] }),
    check('session_members_role_check', sql`${t.role} in ('owner', 'editor', 'reviewer', 'viewer')`),
    index('session_members_user_idx').on(t.userId),
  ],
);
