/** Headers of the messages the server sends to a worker (DESIGN §5). */
import { z } from 'zod';
import { MAX_LOCATOR_LENGTH, PROMPT_TEXT_MAX_LENGTH } from './constants.js';
import {
  frameDimensionSchema,
  frameIndexSchema,
  normalizedBoxSchema,
  objectIdSchema,
  promptPointsSchema,
  propagationDirectionSchema,
  requestIdSchema,
  sessionIdSchema,
} from '../fields.js';

/** Where the worker reads a session's extracted frames. */
export const framesSourceSchema = z.discriminatedUnion('kind', [
  /** The shared data directory, as seen from the worker. */
  z.strictObject({ kind: z.literal('dir'), path: z.string().min(1).max(MAX_LOCATOR_LENGTH) }),
  /** Over HTTP, when the worker runs elsewhere: `{index}` in the template is the frame index. */
  z.strictObject({
    kind: z.literal('http'),
    urlTemplate: z
      .string()
      .max(MAX_LOCATOR_LENGTH)
      .regex(/^https?:\/\/[!-~]*\{index\}[!-~]*$/),
    /** Bearer token for the frame requests (printable ASCII). */
    token: z
      .string()
      .min(1)
      .max(MAX_LOCATOR_LENGTH)
      .regex(/^[!-~]+$/),
  }),
]);
export type FramesSource = z.infer<typeof framesSourceSchema>;

/** Load a session's frames and create its model state; answered by `done` or `error`. */
export const openHeaderSchema = z.strictObject({
  reqId: requestIdSchema,
  sessionId: sessionIdSchema,
  frames: framesSourceSchema,
  numFrames: z.int().positive(),
  width: frameDimensionSchema,
  height: frameDimensionSchema,
});
export type OpenHeader = z.infer<typeof openHeaderSchema>;

const promptBase = {
  reqId: requestIdSchema,
  sessionId: sessionIdSchema,
  frame: frameIndexSchema,
  /**
   * The object the prompt creates or refines. For `text`, the concept's object; objects the
   * detector finds beyond it come back under ids the worker derives.
   */
  objId: objectIdSchema,
};

/** One prompt on one frame: exactly one kind, named by `kind`. Coordinates are normalized. */
export const promptHeaderSchema = z.discriminatedUnion('kind', [
  /** The full click set of that object on that frame (replaces earlier clicks there). */
  z.strictObject({ ...promptBase, kind: z.literal('points'), points: promptPointsSchema }),
  z.strictObject({ ...promptBase, kind: z.literal('box'), box: normalizedBoxSchema }),
  z.strictObject({
    ...promptBase,
    kind: z.literal('text'),
    text: z.string().min(1).max(PROMPT_TEXT_MAX_LENGTH),
  }),
]);
export type PromptHeader = z.infer<typeof promptHeaderSchema>;
export type PromptKind = PromptHeader['kind'];

/**
 * Propagate masks through the video from `startFrame`. With `both`, forward first, then backward.
 * `endFrame` (inclusive) bounds a one-direction run: `>= startFrame` forward, `<= startFrame`
 * backward; it is not allowed with `both`.
 */
export const propagateHeaderSchema = z
  .strictObject({
    reqId: requestIdSchema,
    sessionId: sessionIdSchema,
    direction: propagationDirectionSchema,
    startFrame: frameIndexSchema,
    /** Only these objects (default: all). */
    objIds: z.array(objectIdSchema).min(1).optional(),
    endFrame: frameIndexSchema.optional(),
  })
  .refine(
    (p) =>
      p.endFrame === undefined ||
      (p.direction === 'forward' && p.endFrame >= p.startFrame) ||
      (p.direction === 'backward' && p.endFrame <= p.startFrame),
    {
      message: 'endFrame must be >= startFrame going forward, <= startFrame going backward, absent for both',
      path: ['endFrame'],
    },
  );
export type PropagateHeader = z.infer<typeof propagateHeaderSchema>;

/** Stop request `reqId` (a prompt or propagation); not answered itself. */
export const cancelHeaderSchema = z.strictObject({ reqId: requestIdSchema });
export type CancelHeader = z.infer<typeof cancelHeaderSchema>;

export const removeObjectHeaderSchema = z.strictObject({
  reqId: requestIdSchema,
  sessionId: sessionIdSchema,
  objId: objectIdSchema,
});
export type RemoveObjectHeader = z.infer<typeof removeObjectHeaderSchema>;

/** Clear every prompt and object of the session; frames stay loaded. */
export const resetHeaderSchema = z.strictObject({
  reqId: requestIdSchema,
  sessionId: sessionIdSchema,
});
export type ResetHeader = z.infer<typeof resetHeaderSchema>;

/** Drop the session's model state; idempotent and not answered. */
export const closeHeaderSchema = z.strictObject({ sessionId: sessionIdSchema });
export type CloseHeader = z.infer<typeof closeHeaderSchema>;
