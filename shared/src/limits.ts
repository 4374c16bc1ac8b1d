/**
 * Limits of the data model, shared by the document records and the worker protocol: a prompt
 * that the document accepts must also be sendable to a worker.
 */

/** Longest text prompt. String lengths count Unicode code points (zod 4 and JSON Schema agree). */
export const PROMPT_TEXT_MAX_LENGTH = 256;
/** Most points in one click prompt (the full click set of that object on that frame). */
export const PROMPT_MAX_POINTS = 64;
/** Largest frame width or height. */
export const MAX_FRAME_DIMENSION = 16_384;
/** Slack for sums of normalized coordinates (`x + w <= 1`). */
export const NORMALIZED_EPSILON = 1e-9;
