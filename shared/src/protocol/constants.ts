/**
 * Worker-protocol version and limits. Bump `PROTOCOL_VERSION` on any incompatible change to a
 * message schema; a worker whose `hello` carries another version is refused with
 * `PROTOCOL_VERSION_MISMATCH`.
 */
export const PROTOCOL_VERSION = 1;

/** Longest type frame accepted (bytes); longer ones are rejected before decoding. */
export const MAX_TYPE_BYTES = 32;
/** Default limit on the header frame (bytes), checked before UTF-8 or JSON decoding. */
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Largest `maxSessions` a worker may announce. */
export const MAX_SESSIONS_LIMIT = 1024;
/** Longest free-text field (error message). */
export const MAX_MESSAGE_LENGTH = 4096;
/** Longest path, URL template or token. */
export const MAX_LOCATOR_LENGTH = 4096;
/** Longest device description (`cuda:0`, `cpu`, a GPU name). */
export const MAX_DEVICE_LENGTH = 128;

export {
  MAX_FRAME_DIMENSION,
  NORMALIZED_EPSILON,
  PROMPT_MAX_POINTS,
  PROMPT_TEXT_MAX_LENGTH,
} from '../limits.js';
