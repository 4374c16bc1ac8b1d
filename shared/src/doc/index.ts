/**
 * Session document schema and typed accessors (DESIGN §3). Explicit named exports only.
 */
export {
  CHUNK_SIZE,
  MainDocVersions,
  SCHEMA_VERSION,
  chunkCount,
  chunkFrameRange,
  chunkIndexOf,
} from './constants.js';
export type { FrameRange } from './constants.js';

export { formatDocName, mainDocName, maskChunkDocName, parseDocName } from './names.js';
export type { DocName } from './names.js';

export { DOC_ERROR_CODES, DocError, isDocError } from './errors.js';
export type { DocErrorCode, InvalidRecord, InvalidRecordHandler } from './errors.js';

export {
  JOB_STATUSES,
  MASK_SOURCES,
  OBJECT_MUTABLE_FIELDS,
  PENDING_REVIEW,
  PROMPT_STATUSES,
  REVIEW_STATUSES,
  colorSchema,
  commentSchema,
  epochMsSchema,
  jobSchema,
  maskSchema,
  metaSchema,
  objectSchema,
  promptSchema,
  reviewSchema,
} from './records.js';
export type {
  CommentRecord,
  EpochMs,
  JobRecord,
  JobStatus,
  MaskRecord,
  MaskSource,
  MetaRecord,
  ObjectPatch,
  ObjectRecord,
  PromptKind,
  PromptRecord,
  PromptStatus,
  Review,
  ReviewStatus,
} from './records.js';

export type { AccessorOptions, ChangeInfo } from './access.js';
export { RecordMap } from './RecordMap.js';
export type { ChangeAction, RecordChange, RecordPatch } from './RecordMap.js';
export { ObjectStore } from './ObjectStore.js';
export type { ObjectChange, ObjectInit } from './ObjectStore.js';
export { MainDoc } from './MainDoc.js';
export type { MainDocView, MetaPatch } from './MainDoc.js';
export { MaskChunkDoc } from './MaskChunkDoc.js';
export type { MaskChange, MaskChunkOptions, MaskEntry } from './MaskChunkDoc.js';
export { maskKey, parseMaskKey } from './maskKeys.js';
export type { MaskKey } from './maskKeys.js';

export { MAIN_DOC_MIGRATIONS, planMigrations } from './migrations.js';
export type { MainDocMigration } from './migrations.js';
export { checkSchema, initMainDoc } from './schemaCheck.js';
export type { CheckSchemaOptions, MetaInit, SchemaCheck } from './schemaCheck.js';
