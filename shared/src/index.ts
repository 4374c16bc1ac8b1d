/**
 * @maskroom/shared: the pure-TypeScript core that the browser, the server and Web Workers share.
 * Explicit named exports only: what is not listed here is internal.
 */
export type {
  Brand,
  CommentId,
  FrameIndex,
  JobId,
  MediaTimeMs,
  NormalizedBox,
  NormalizedPoint,
  ObjectId,
  PixelBox,
  PixelPoint,
  PromptId,
  RequestId,
  SessionId,
  UserId,
  VideoId,
  WorkerId,
} from './ids.js';
export { asFrameIndex, isIdString, ID_PATTERN_SOURCE } from './ids.js';

// rle/: pycocotools-exact compressed RLE, used as `rle.encode(…)`, `rle.decode(…)`, …
export * as rle from './rle/index.js';
export type { CocoRle, CocoRleInput, MaskLayout, RleErrorCode, RleString } from './rle/index.js';
export {
  ERROR_CODES,
  ERROR_CODE_LIST,
  MaskroomError,
  errorCodeSchema,
  httpErrorBody,
  httpErrorBodySchema,
  httpErrorResponse,
  isErrorCode,
  isMaskroomError,
  type ErrorCode,
  type ErrorCodeInfo,
  type HttpErrorBody,
  type MaskroomErrorOptions,
} from './errors.js';
export {
  MAX_FRAME_DIMENSION,
  NORMALIZED_EPSILON,
  PROMPT_MAX_POINTS,
  PROMPT_TEXT_MAX_LENGTH,
} from './limits.js';
export {
  PROPAGATION_DIRECTIONS,
  RLE_PATTERN_SOURCE,
  commentIdSchema,
  countSchema,
  frameDimensionSchema,
  frameIndexSchema,
  idStringSchema,
  jobIdSchema,
  normalizedBoxSchema,
  normalizedSchema,
  objectIdSchema,
  pixelBoxSchema,
  promptIdSchema,
  promptPointSchema,
  promptPointsSchema,
  propagationDirectionSchema,
  requestIdSchema,
  rleSchema,
  sessionIdSchema,
  userIdSchema,
  videoIdSchema,
  workerIdSchema,
  type PromptPoint,
  type PropagationDirection,
} from './fields.js';

// doc/
export {
  CHUNK_SIZE,
  MainDocVersions,
  SCHEMA_VERSION,
  chunkCount,
  chunkFrameRange,
  chunkIndexOf,
} from './doc/constants.js';
export type { FrameRange } from './doc/constants.js';

export { formatDocName, mainDocName, maskChunkDocName, parseDocName } from './doc/names.js';
export type { DocName } from './doc/names.js';

export { DOC_ERROR_CODES, DocError, isDocError } from './doc/errors.js';
export type { DocErrorCode, InvalidRecord, InvalidRecordHandler } from './doc/errors.js';

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
} from './doc/records.js';
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
} from './doc/records.js';

export type { AccessorOptions, ChangeInfo } from './doc/access.js';
export { RecordMap } from './doc/RecordMap.js';
export type { ChangeAction, RecordChange, RecordPatch } from './doc/RecordMap.js';
export { ObjectStore } from './doc/ObjectStore.js';
export type { ObjectChange, ObjectInit } from './doc/ObjectStore.js';
export { MainDoc } from './doc/MainDoc.js';
export type { MainDocView, MetaPatch } from './doc/MainDoc.js';
export { MaskChunkDoc } from './doc/MaskChunkDoc.js';
export type { MaskChange, MaskChunkOptions, MaskEntry } from './doc/MaskChunkDoc.js';
export { maskKey, parseMaskKey } from './doc/maskKeys.js';
export type { MaskKey } from './doc/maskKeys.js';

export { MAIN_DOC_MIGRATIONS, planMigrations } from './doc/migrations.js';
export type { MainDocMigration } from './doc/migrations.js';
export { checkSchema, initMainDoc } from './doc/schemaCheck.js';
export type { CheckSchemaOptions, MetaInit, SchemaCheck } from './doc/schemaCheck.js';

// protocol/
export {
  DEFAULT_MAX_HEADER_BYTES,
  MAX_DEVICE_LENGTH,
  MAX_LOCATOR_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_SESSIONS_LIMIT,
  MAX_TYPE_BYTES,
  PROTOCOL_VERSION,
} from './protocol/constants.js';
export { maskObjectSchema, progressSchema, type MaskObject, type Progress } from './protocol/fields.js';
export {
  capabilitiesSchema,
  doneHeaderSchema,
  errorHeaderSchema,
  heartbeatHeaderSchema,
  helloHeaderSchema,
  resultHeaderSchema,
  workerBackendSchema,
  type Capabilities,
  type DoneHeader,
  type ErrorHeader,
  type HeartbeatHeader,
  type HelloHeader,
  type ResultHeader,
  type WorkerBackend,
} from './protocol/worker-messages.js';
export {
  cancelHeaderSchema,
  closeHeaderSchema,
  framesSourceSchema,
  openHeaderSchema,
  promptHeaderSchema,
  propagateHeaderSchema,
  removeObjectHeaderSchema,
  resetHeaderSchema,
  type CancelHeader,
  type CloseHeader,
  type FramesSource,
  type OpenHeader,
  type PromptHeader,
  type PropagateHeader,
  type RemoveObjectHeader,
  type ResetHeader,
} from './protocol/server-messages.js';
export {
  MESSAGE_SPECS,
  MESSAGE_TYPES,
  messageSpec,
  protocolMessageSchema,
  serverMessageSchema,
  workerMessageSchema,
  type MessageSpec,
  type MessageType,
  type ProtocolMessage,
  type ProtocolMessageInput,
  type Sender,
  type ServerMessage,
  type ServerMessageType,
  type WorkerMessage,
  type WorkerMessageType,
} from './protocol/messages.js';
export {
  decodeMessage,
  describeIssue,
  encodeMessage,
  type DecodeOptions,
  type DecodeResult,
  type ProtocolErrorCode,
} from './protocol/framing.js';
export {
  CROSS_FIELD_RULES,
  PROTOCOL_SCHEMA_FILE,
  PROTOCOL_VECTORS_FILE,
  REGENERATE_COMMAND,
  protocolSchemaDocument,
  protocolVectorsDocument,
  renderProtocolSchema,
  renderProtocolVectors,
  stableJson,
} from './protocol/contract.js';
export {
  INVALID_VECTORS,
  VALID_VECTORS,
  type FrameSpec,
  type InvalidVector,
  type ValidVector,
} from './protocol/vectors.js';

// api/
export {
  INGEST_PHASES,
  UPLOAD_ID_HEADER,
  VIDEO_TITLE_MAX_LENGTH,
  createVideoResponseSchema,
  ingestProgressSchema,
  renameVideoBodySchema,
  sessionSummarySchema,
  storageStatusSchema,
  videoListSchema,
  videoMediaSchema,
  videoSchema,
  type CreateVideoResponse,
  type IngestPhase,
  type IngestProgress,
  type RenameVideoBody,
  type SessionSummary,
  type StorageStatus,
  type Video,
  type VideoList,
  type VideoMedia,
} from './api/videos.js';

// presence
export {
  DISPLAY_NAME_MAX_LENGTH,
  PRESENCE_MAX_UPDATES_PER_SECOND,
  colorForUser,
  presenceSchema,
  presenceUserSchema,
  presenceViewSchema,
  type Presence,
  type PresenceUser,
  type PresenceView,
} from './presence.js';
