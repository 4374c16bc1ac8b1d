/**
 * The records stored in a session's documents (DESIGN §3): one zod schema per record, its TS
 * type inferred from it, and what each field is for. Writes store the schema's parsed output;
 * reads validate every entry and skip (and report) what does not parse.
 *
 * Timestamps (`at`, `createdAt`, `review.at`) are milliseconds since the Unix epoch as a plain
 * integer number (`Date.now()`), never ISO strings and never media time.
 */
import { z } from 'zod';
import {
  PROPAGATION_DIRECTIONS,
  countSchema,
  idStringSchema,
  frameIndexSchema,
  normalizedBoxSchema,
  normalizedSchema,
  objectIdSchema,
  pixelBoxSchema,
  promptPointsSchema,
  rleSchema,
  userIdSchema,
  videoIdSchema,
  workerIdSchema,
} from '../fields.js';
import { PROMPT_TEXT_MAX_LENGTH } from '../limits.js';

/** Milliseconds since the Unix epoch (`Date.now()`). */
export type EpochMs = number;
export const epochMsSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** `#rrggbb`. */
export const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a color #rrggbb');

const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, 'expected non-blank text');

/** Free-form error text recorded on a failed prompt or job. */
const errorText = z.string().max(2000);

// ---------------------------------------------------------------------------------------------
// meta (main doc, one key per field)

export const metaSchema = z.object({
  /** Layout version of the whole session (main doc and its chunk docs); see `migrations.ts`. */
  schemaVersion: z.number().int().min(1),
  videoId: videoIdSchema,
  title: z.string().max(500),
  /** Full frame size in pixels: masks are stored at this size. */
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  numFrames: countSchema,
  /** Frame rate the frames were extracted at; frame index = round(t * fps). */
  fps: z.number().positive(),
  sourceFps: z.number().positive(),
  durationSec: z.number().min(0),
  /** Frames per mask chunk doc, fixed for the life of the session. */
  chunkSize: z
    .number()
    .int()
    .min(1)
    .max(1 << 16),
});
export type MetaRecord = z.infer<typeof metaSchema>;

// ---------------------------------------------------------------------------------------------
// objects (main doc; each object is a nested Y.Map with one key per field, so that concurrent
// edits of different fields merge)

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** A reviewer's verdict. Written as one value: status, who, when and why change together. */
export const reviewSchema = z.object({
  status: z.enum(REVIEW_STATUSES),
  /** Null while pending and never reviewed. */
  by: userIdSchema.nullable(),
  at: epochMsSchema.nullable(),
  note: z.string().max(2000),
  /** The reviewer's display name when the verdict was given (optional: older documents lack it). */
  byName: z.string().max(80).optional(),
});
export type Review = z.infer<typeof reviewSchema>;

export const PENDING_REVIEW: Review = Object.freeze({ status: 'pending', by: null, at: null, note: '' });

export const objectSchema = z.object({
  /** Category, shared across objects ("person"); may be empty for a fresh object. */
  className: z.string().max(200),
  /** Instance label within the class ("player 7"); may be empty. */
  instanceName: z.string().max(200),
  color: colorSchema,
  createdBy: userIdSchema,
  createdAt: epochMsSchema,
  review: reviewSchema,
});
export type ObjectRecord = z.infer<typeof objectSchema>;
/** Fields of an object that may change after creation. */
export const OBJECT_MUTABLE_FIELDS = ['className', 'instanceName', 'color', 'review'] as const;
export type ObjectPatch = Partial<Pick<ObjectRecord, (typeof OBJECT_MUTABLE_FIELDS)[number]>>;

// ---------------------------------------------------------------------------------------------
// prompts (main doc; the prompt log, replayed onto a new worker after a failover)

export const PROMPT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type PromptStatus = (typeof PROMPT_STATUSES)[number];

const promptCommon = {
  /** The object the prompt segments. */
  objId: objectIdSchema,
  frame: frameIndexSchema,
  by: userIdSchema,
  at: epochMsSchema,
  status: z.enum(PROMPT_STATUSES),
  error: errorText.optional(),
};

export const promptSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('points'),
    points: promptPointsSchema,
    ...promptCommon,
  }),
  z.object({ kind: z.literal('box'), box: normalizedBoxSchema, ...promptCommon }),
  z.object({ kind: z.literal('text'), text: nonBlank(PROMPT_TEXT_MAX_LENGTH), ...promptCommon }),
]);
export type PromptRecord = z.infer<typeof promptSchema>;
export type PromptKind = PromptRecord['kind'];

// ---------------------------------------------------------------------------------------------
// jobs (main doc; progress of propagations, written by the server as frames arrive)

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobSchema = z
  .object({
    kind: z.literal('propagate'),
    direction: z.enum(PROPAGATION_DIRECTIONS),
    startFrame: frameIndexSchema,
    /** Objects to propagate; absent = all objects. */
    objIds: z.array(objectIdSchema).max(10_000).optional(),
    status: z.enum(JOB_STATUSES),
    framesDone: countSchema,
    framesTotal: countSchema,
    /** The worker running it (absent while queued). */
    workerId: workerIdSchema.optional(),
    by: userIdSchema,
    at: epochMsSchema,
    error: errorText.optional(),
  })
  .refine((j) => j.framesDone <= j.framesTotal, {
    message: 'framesDone must not exceed framesTotal',
    path: ['framesDone'],
  });
export type JobRecord = z.infer<typeof jobSchema>;

// ---------------------------------------------------------------------------------------------
// comments (main doc)

export const commentSchema = z
  .object({
    frame: frameIndexSchema,
    /** The object the comment is about, if any. */
    objId: objectIdSchema.optional(),
    /** Pin position, normalized; both or neither. */
    x: normalizedSchema.optional(),
    y: normalizedSchema.optional(),
    text: nonBlank(5000),
    by: userIdSchema,
    /** The author's display name when writing (optional: older documents lack it). */
    byName: z.string().max(80).optional(),
    at: epochMsSchema,
    resolved: z.boolean(),
  })
  .refine((c) => (c.x === undefined) === (c.y === undefined), {
    message: 'x and y must be given together',
    path: ['x'],
  });
export type CommentRecord = z.infer<typeof commentSchema>;

// ---------------------------------------------------------------------------------------------
// masks (mask chunk docs, keyed "<frame>/<objId>")

export const MASK_SOURCES = ['prompt', 'propagation', 'edit', 'import'] as const;
export type MaskSource = (typeof MASK_SOURCES)[number];

export const maskSchema = z.object({
  /** COCO compressed RLE `counts` at full frame size, column-major (pycocotools). */
  rle: rleSchema,
  /** `[x, y, w, h]` in pixels, as pycocotools' `toBbox`. */
  bbox: pixelBoxSchema,
  /** Pixels inside the mask. */
  area: countSchema,
  /** Model confidence as reported by the backend. */
  score: z.number(),
  source: z.enum(MASK_SOURCES),
  /** The prompt or job that produced it (or an edit/import id). */
  ref: idStringSchema,
  by: userIdSchema,
});
export type MaskRecord = z.infer<typeof maskSchema>;

// ---------------------------------------------------------------------------------------------

/** `path: message` lines for a zod error. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(record)'}: ${i.message}`);
}
