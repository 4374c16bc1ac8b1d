/**
 * Protocol-only field schemas; the data-model fields they build on live in `../fields.ts`.
 */
import { z } from 'zod';
import { countSchema, objectIdSchema, pixelBoxSchema, rleSchema } from '../fields.js';

export const maskObjectSchema = z.strictObject({
  objId: objectIdSchema,
  rle: rleSchema,
  bbox: pixelBoxSchema,
  /** Mask pixels. */
  area: countSchema,
  /** Confidence in [0, 1] (SAM3: the detection score; 1 for click-made objects). */
  score: z.number().min(0).max(1),
});
export type MaskObject = z.infer<typeof maskObjectSchema>;

export const progressSchema = z
  .strictObject({ framesDone: countSchema, framesTotal: z.int().positive() })
  .refine((p) => p.framesDone <= p.framesTotal, {
    message: 'framesDone must not exceed framesTotal',
  });
export type Progress = z.infer<typeof progressSchema>;
