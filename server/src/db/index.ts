/** The persistence layer: open the database, then use the stores over `database.db`. */
export {
  DataDirVersionError,
  DEFAULT_MIGRATIONS_FOLDER,
  IN_MEMORY,
  PGLITE_VERSION_FILE,
  openDatabase,
  pgliteVersion,
  redactUrl,
  type DB,
  type Database,
  type DriverName,
  type OpenDatabaseOptions,
} from './client.js';
export { DocLog, type LoadedDoc } from './DocLog.js';
export { findPgError, mapDbError, mapErrors } from './errors.js';
export {
  INGEST_PHASES,
  VIDEO_STATUSES,
  docSnapshots,
  docUpdates,
  sessions,
  videos,
  type IngestPhase,
  type VideoStatus,
} from './schema.js';
export {
  VideoStore,
  type IngestProgress,
  type IngestingVideo,
  type NewIngest,
  type ReadyVideo,
  type SessionRecord,
  type StorageTotals,
  type VideoMeta,
  type VideoRecord,
} from './VideoStore.js';
export { JobIndex } from './JobIndex.js';
