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
export { seededRandom, type Random } from './random.js';
export { PALETTE, paletteColor } from './palette.js';

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

// doc/: the names are listed once, in ./doc/index.ts
export * from './doc/index.js';

// protocol/: the names are listed once, in ./protocol/index.ts
export * from './protocol/index.js';

// export/: the names are listed once, in ./export/index.ts
export * from './export/index.js';

// import/: the names are listed once, in ./import/index.ts
export * from './import/index.js';

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

export { healthSchema, workerSummarySchema, type Health, type WorkerSummary } from './api/health.js';

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
export {
  SESSION_ROLES,
  createObjectBodySchema,
  createdObjectSchema,
  type CreatedObject,
  sessionInfoSchema,
  type SessionInfo,
  type SessionRole,
  jobAcceptedSchema,
  jobResponseSchema,
  promptBodySchema,
  promptResponseSchema,
  propagateBodySchema,
  type CreateObjectBody,
  type JobResponse,
  type PromptBody,
  type PromptResponse,
  type PropagateBody,
} from './api/sessions.js';
export { LOCAL_NAME_HEADER, LOCAL_NAME_PARAM } from './api/identity.js';
export { ACTIONS, LINK_ROLES, ROLES, can, strongerRole, writesDocuments } from './roles.js';
export type { Action, LinkRole, Role } from './roles.js';
export {
  CALLER_KINDS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  authMeSchema,
  authResponseSchema,
  changePasswordBodySchema,
  displayNameSchema,
  loginBodySchema,
  signupBodySchema,
  type AuthMe,
  type ChangePasswordBody,
  type LoginBody,
  type SignupBody,
} from './api/auth.js';
export {
  LINK_MAX_HOURS,
  createLinkBodySchema,
  createdLinkSchema,
  joinLinkBodySchema,
  joinedLinkSchema,
  linkInfoSchema,
  linkListSchema,
  shareLinkSchema,
  type CreateLinkBody,
  type CreatedLink,
  type JoinLinkBody,
  type JoinedLink,
  type LinkInfo,
  type ShareLink,
} from './api/links.js';
export {
  COMMENT_MAX_LENGTH,
  REVIEW_NOTE_MAX_LENGTH,
  commentBodySchema,
  createdCommentSchema,
  resolveCommentBodySchema,
  reviewAnswerSchema,
  reviewBodySchema,
  type CommentBody,
  type ResolveCommentBody,
  type ReviewAnswer,
  type ReviewBody,
} from './api/review.js';
