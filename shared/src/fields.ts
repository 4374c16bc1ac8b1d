/**
 * Field schemas of the data model, used by both the document records (`doc/records.ts`) and the
 * worker protocol (`protocol/`). Every constraint here must be expressible in JSON Schema: the
 * worker validates against the schema generated from these. The few cross-field rules that are
 * not (boxes inside the frame) are `refine`s, mirrored in `gpu-worker/maskroom_worker/protocol.py`
 * and pinned by the shared test vectors.
 */
import { z } from 'zod';
import {
  ID_PATTERN_SOURCE,
  type CommentId,
  type FrameIndex,
  type JobId,
  type NormalizedBox,
  type NormalizedPoint,
  type ObjectId,
  type PixelBox,
  type PromptId,
  type RequestId,
  type SessionId,
  type UserId,
  type VideoId,
  type WorkerId,
} from './ids.js';
import { MAX_FRAME_DIMENSION, NORMALIZED_EPSILON, PROMPT_MAX_POINTS } from './limits.js';

/**
 * Re-types a schema to a branded output. The brand is compile-time only, so the runtime schema
 * (and its JSON Schema) stays the plain one.
 */
const branded = <Output, Input>(schema: z.ZodType<Input, Input>): z.ZodType<Output, Input> =>
  schema as unknown as z.ZodType<Output, Input>;

const idString = (what: string) =>
  z.string().regex(new RegExp(ID_PATTERN_SOURCE), `expected ${what} (1-64 characters of A-Z a-z 0-9 _ -)`);

/** An id of no particular kind (e.g. a mask's `ref`: a prompt, a job or an import). */
export const idStringSchema = idString('an id');
export const sessionIdSchema = branded<SessionId, string>(idString('a session id'));
export const videoIdSchema = branded<VideoId, string>(idString('a video id'));
export const objectIdSchema = branded<ObjectId, string>(idString('an object id'));
export const promptIdSchema = branded<PromptId, string>(idString('a prompt id'));
export const jobIdSchema = branded<JobId, string>(idString('a job id'));
export const commentIdSchema = branded<CommentId, string>(idString('a comment id'));
export const userIdSchema = branded<UserId, string>(idString('a user id'));
export const workerIdSchema = branded<WorkerId, string>(idString('a worker id'));
export const requestIdSchema = branded<RequestId, string>(idString('a request id'));

/** A non-negative safe integer. */
export const countSchema = z.int().nonnegative();
export const frameIndexSchema = branded<FrameIndex, number>(z.int().nonnegative());
export const frameDimensionSchema = z.int().positive().max(MAX_FRAME_DIMENSION);

/** A coordinate normalized to [0, 1] of the frame's width or height. */
export const normalizedSchema = z.number().min(0).max(1);
/** A normalized extent: (0, 1]. */
const normalizedExtentSchema = z.number().positive().max(1);

/** A click: `label` 1 = include (positive), 0 = exclude (negative). */
export type PromptPoint = NormalizedPoint & { readonly label: 0 | 1 };
export const promptPointSchema = branded<PromptPoint, { x: number; y: number; label: 0 | 1 }>(
  z.strictObject({ x: normalizedSchema, y: normalizedSchema, label: z.literal([0, 1]) }),
);
export const promptPointsSchema = z.array(promptPointSchema).min(1).max(PROMPT_MAX_POINTS);

/** `[x, y, w, h]` normalized, top-left + size, inside the frame (`x + w <= 1`, `y + h <= 1`). */
export const normalizedBoxSchema = branded<NormalizedBox, readonly [number, number, number, number]>(
  z
    .tuple([normalizedSchema, normalizedSchema, normalizedExtentSchema, normalizedExtentSchema])
    .refine(([x, y, w, h]) => x + w <= 1 + NORMALIZED_EPSILON && y + h <= 1 + NORMALIZED_EPSILON, {
      message: 'box must lie inside the frame (x + w <= 1 and y + h <= 1)',
    }),
);

/** `[x, y, w, h]` in whole pixels of the full-size frame, as pycocotools' `toBbox`. */
export const pixelBoxSchema = branded<PixelBox, readonly [number, number, number, number]>(
  z.tuple([countSchema, countSchema, countSchema, countSchema]),
);

/**
 * pycocotools' compressed RLE `counts` string: each character is `48 + 6 bits`, i.e. in
 * '0' (48) .. 'o' (111). Never empty for a frame with at least one pixel.
 */
export const RLE_PATTERN_SOURCE = '^[0-o]+$';
export const rleSchema = z
  .string()
  .regex(new RegExp(RLE_PATTERN_SOURCE), 'expected a COCO compressed RLE counts string');

export const PROPAGATION_DIRECTIONS = ['forward', 'backward', 'both'] as const;
export type PropagationDirection = (typeof PROPAGATION_DIRECTIONS)[number];
export const propagationDirectionSchema = z.enum(PROPAGATION_DIRECTIONS);
